import { awsManagedPolicy, type AwsManagedPolicy } from './aws-managed-policies.js';
import { invalidInput, limitExceeded, noSuchEntity, policyNotAttachable } from './failures.js';
import { parsePolicyArn } from './identifiers.js';
import { type AccountIam, type ManagedPolicyState, nameKey } from './model.js';
import { LIMITS } from './validation.js';

/** A policy ARN resolved in the caller's account: a customer-managed policy, or an AWS-managed one. */
export type ResolvedPolicy = { kind: 'local'; arn: string; policy: ManagedPolicyState } | { kind: 'aws'; arn: string; policy: AwsManagedPolicy };

/**
 * Any `arn:<partition>:iam::aws:policy/…` is treated as an existing AWS-managed policy.
 * `missing` is the NoSuchEntity message IAM uses in the calling operation.
 */
export function resolvePolicyArn(account: AccountIam, accountId: string, partition: string, arn: string, missing: (arn: string) => string): ResolvedPolicy {
  const parsed = parsePolicyArn(arn);
  if (!parsed) throw invalidInput(`ARN ${arn} is not valid.`);
  if (parsed.partition !== partition) throw noSuchEntity(missing(arn));
  if (parsed.account === 'aws') return { kind: 'aws', arn, policy: awsManagedPolicy(parsed.path, parsed.name) };
  if (parsed.account !== accountId) throw noSuchEntity(missing(arn));
  const policy = account.policies.get(nameKey(parsed.name));
  if (!policy || policy.path !== parsed.path) throw noSuchEntity(missing(arn));
  return { kind: 'local', arn: policy.arn, policy };
}

export const notFound = (arn: string): string => `Policy ${arn} was not found.`;
export const notAttachable = (arn: string): string => `Policy ${arn} does not exist or is not attachable.`;

export function resolveLocalPolicy(account: AccountIam, accountId: string, partition: string, arn: string): ManagedPolicyState {
  const resolved = resolvePolicyArn(account, accountId, partition, arn, notFound);
  if (resolved.kind === 'aws') throw invalidInput(`Policy ${arn} is an AWS managed policy and cannot be modified.`);
  return resolved.policy;
}

type EntityKind = 'groups' | 'roles' | 'users';
const QUOTA: Record<EntityKind, string> = { groups: 'PoliciesPerGroup', roles: 'PoliciesPerRole', users: 'PoliciesPerUser' };

/** Attaching twice is a no-op, as in IAM; more than ten attachments per entity is LimitExceeded. */
export function attachPolicy(
  account: AccountIam,
  accountId: string,
  partition: string,
  kind: EntityKind,
  entity: { name: string; attached: string[] },
  arn: string,
): void {
  const resolved = resolvePolicyArn(account, accountId, partition, arn, notAttachable);
  if (resolved.kind === 'aws' && !resolved.policy.attachable) throw policyNotAttachable(`Policy ${arn} is not attachable.`);
  if (entity.attached.includes(resolved.arn)) return;
  if (entity.attached.length >= LIMITS.attachedPerEntity) {
    throw limitExceeded(`Cannot exceed quota for ${QUOTA[kind]}: ${LIMITS.attachedPerEntity}`);
  }
  entity.attached.push(resolved.arn);
  account.attachmentsOf(resolved.arn)[kind].add(nameKey(entity.name));
}

export function detachPolicy(account: AccountIam, kind: EntityKind, entity: { name: string; attached: string[] }, arn: string): void {
  if (!parsePolicyArn(arn)) throw invalidInput(`ARN ${arn} is not valid.`);
  const lower = arn.toLowerCase();
  const i = entity.attached.findIndex((a) => a.toLowerCase() === lower);
  if (i < 0) throw noSuchEntity(`Policy ${arn} was not found.`);
  const canonical = entity.attached[i];
  entity.attached.splice(i, 1);
  account.attachments.get(canonical)?.[kind].delete(nameKey(entity.name));
  account.pruneAttachments(canonical);
}
