import { noSuchEntity } from './failures.js';
import { type AccountIam, type GroupState, nameKey, type RoleState, type UserState } from './model.js';

export function findGroup(account: AccountIam, name: string): GroupState {
  const g = account.groups.get(nameKey(name));
  if (!g) throw noSuchEntity(`The group with name ${name} cannot be found.`);
  return g;
}

export function findRole(account: AccountIam, name: string): RoleState {
  const r = account.roles.get(nameKey(name));
  if (!r) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return r;
}

export function findUser(account: AccountIam, name: string): UserState {
  const u = account.users.get(nameKey(name));
  if (!u) throw noSuchEntity(`The user with name ${name} cannot be found.`);
  return u;
}

/** The path part of a policy ARN (`/` for most), for PathPrefix filters on attached policies. */
export function policyArnPath(arn: string): string {
  const start = arn.indexOf(':policy/') + ':policy'.length;
  return arn.slice(start, arn.lastIndexOf('/') + 1);
}
