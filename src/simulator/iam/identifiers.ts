import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * AWS-like unique id (`AROA` + 17 base-32 characters). Derived from the account, kind,
 * name and a per-account sequence: deterministic for a given history, yet a re-created
 * entity gets a new id, as in IAM.
 */
export function entityId(prefix: string, accountId: string, name: string, sequence: number): string {
  const digest = createHash('sha1').update(`${accountId}\0${prefix}\0${name}\0${sequence}`).digest();
  let out = prefix;
  for (let i = 0; i < 17; i++) out += BASE32[digest[i] & 31];
  return out;
}

export const ID_PREFIX = { policy: 'ANPA', group: 'AGPA', role: 'AROA', user: 'AIDA', accessKey: 'AKIA' } as const;

/** ISO-8601 to the second, as IAM writes dates. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function iamArn(partition: string, accountId: string, kind: 'policy' | 'group' | 'role' | 'user' | 'mfa', path: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:${kind}${path}${name}`;
}

export interface ParsedPolicyArn {
  partition: string;
  /** A 12-digit account id, or `aws` for AWS-managed policies. */
  account: string;
  path: string;
  name: string;
}

const POLICY_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):iam::(\d{12}|aws):policy((?:\/[\x21-\x2E\x30-\x7E]+)*\/)([\w+=,.@-]{1,128})$/;

export function parsePolicyArn(arn: string): ParsedPolicyArn | undefined {
  const m = POLICY_ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1], account: m[2], path: m[3], name: m[4] };
}
