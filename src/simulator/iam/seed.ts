import { addUserToGroup, createGroup, putGroupPolicy } from './actions/groups.js';
import { createManagedPolicy } from './actions/managed-policies.js';
import { createRole } from './actions/roles.js';
import { createLoginProfile, createUser, enableVirtualMfa } from './actions/users.js';
import type { AccountIam } from './model.js';
import { attachPolicy } from './policy-resolution.js';
import type { IamEnv } from './world.js';

/** Pre-existing IAM objects of an account. Documents are JSON objects; they pass the same validation as API calls. */
export interface IamSeed {
  roles?: { name: string; path?: string; trustPolicy?: object; managedPolicyArns?: string[] }[];
  policies?: { name: string; path?: string; document: object }[];
  groups?: { name: string; path?: string; managedPolicyArns?: string[]; inlinePolicies?: Record<string, object> }[];
  users?: { name: string; groups?: string[]; mfa?: boolean; loginProfile?: boolean }[];
}

/** A role without a trust policy trusts its own account, as OrganizationAccountAccessRole trusts the management account. */
function defaultTrust(env: IamEnv, accountId: string): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:${env.partition}:iam::${accountId}:root` }, Action: 'sts:AssumeRole' }],
  };
}

/** Policies first, then groups and roles that attach them, then users that join the groups. Throws SimError on invalid seeds. */
export function applySeed(account: AccountIam, env: IamEnv, seed: IamSeed): void {
  const id = account.accountId;
  for (const p of seed.policies ?? []) {
    createManagedPolicy(account, env, { name: p.name, path: p.path ?? '/', document: JSON.stringify(p.document), tags: [] });
  }
  for (const g of seed.groups ?? []) {
    const group = createGroup(account, env, g.name, g.path);
    for (const arn of g.managedPolicyArns ?? []) attachPolicy(account, id, env.partition, 'groups', group, arn);
    for (const [name, doc] of Object.entries(g.inlinePolicies ?? {})) putGroupPolicy(group, name, JSON.stringify(doc));
  }
  for (const r of seed.roles ?? []) {
    const trustPolicy = JSON.stringify(r.trustPolicy ?? defaultTrust(env, id));
    const role = createRole(account, env, { name: r.name, path: r.path, trustPolicy, tags: [] });
    for (const arn of r.managedPolicyArns ?? []) attachPolicy(account, id, env.partition, 'roles', role, arn);
  }
  for (const u of seed.users ?? []) {
    const user = createUser(account, env, u.name, undefined, []);
    for (const g of u.groups ?? []) addUserToGroup(account, g, u.name);
    if (u.loginProfile) createLoginProfile(user, env, false);
    if (u.mfa) enableVirtualMfa(user, env, id);
  }
}
