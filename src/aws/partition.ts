/**
 * Partitions: taken from ARNs, never assumed. IAM is global per partition and signs with
 * one fixed region in each.
 */
import { DomainError } from '../core/errors.js';

const IAM_SIGNING_REGION: Record<string, string> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
};

/** `arn:<partition>:…` → the partition. */
export function partitionOfArn(arn: string): string {
  const m = /^arn:(aws[a-z-]*):/.exec(arn);
  if (!m) throw new DomainError('INTERNAL', `not an AWS ARN: ${JSON.stringify(arn.slice(0, 200))}`);
  return m[1];
}

/** The region IAM requests are signed for in a partition (iam.amazonaws.com → us-east-1, …). */
export function iamSigningRegion(partition: string, fallback: string): string {
  return IAM_SIGNING_REGION[partition] ?? fallback;
}

/** The partition a region belongs to, for when no caller identity is at hand. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function roleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}
