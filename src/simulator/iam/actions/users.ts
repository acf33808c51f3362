import { SimError, xmlMembers, xmlTag } from '../../protocol.js';
import { deleteConflict, entityAlreadyExists, noSuchEntity, validationError } from '../failures.js';
import { entityId, iamArn, ID_PREFIX } from '../identifiers.js';
import { findUser } from '../lookups.js';
import { type AccountIam, nameKey, type Tag, type UserState } from '../model.js';
import { optional, optionalBool, pageTrailer, paginate, required, tagList } from '../params.js';
import { checkTagCount } from '../tags.js';
import { checkName, checkPath, checkPathPrefix } from '../validation.js';
import type { IamEnv } from '../world.js';
import { userXml } from '../xml.js';
import type { ActionHandler } from './context.js';

export function createUser(account: AccountIam, env: IamEnv, name: string, path: string | undefined, tags: readonly Tag[]): UserState {
  checkName('userName', name, 64);
  const checkedPath = checkPath(path);
  checkTagCount(tags);
  const key = nameKey(name);
  if (account.users.has(key)) throw entityAlreadyExists(`User with name ${name} already exists.`);
  const user: UserState = {
    name,
    path: checkedPath,
    id: entityId(ID_PREFIX.user, account.accountId, name, ++account.sequence),
    arn: iamArn(env.partition, account.accountId, 'user', checkedPath, name),
    createDate: env.now,
    tags: tags.slice(),
    groups: new Set(),
    mfaDevices: [],
    accessKeys: [],
  };
  account.users.set(key, user);
  return user;
}

export function createLoginProfile(user: UserState, env: IamEnv, passwordResetRequired: boolean): void {
  if (user.loginProfile) throw entityAlreadyExists(`Login Profile for user ${user.name} already exists.`);
  user.loginProfile = { createDate: env.now, passwordResetRequired };
}

/** A virtual MFA device named after the user, as the console creates them. */
export function enableVirtualMfa(user: UserState, env: IamEnv, accountId: string): void {
  user.mfaDevices.push({ serialNumber: iamArn(env.partition, accountId, 'mfa', '/', user.name), enableDate: env.now });
}

function loginProfileXml(user: UserState): string {
  const lp = user.loginProfile!;
  return `<LoginProfile>${xmlTag('UserName', user.name)}${xmlTag('CreateDate', lp.createDate)}${xmlTag('PasswordResetRequired', lp.passwordResetRequired)}</LoginProfile>`;
}

const CreateUser: ActionHandler = (ctx) => {
  const name = required(ctx.params, 'UserName');
  const path = optional(ctx.params, 'Path');
  const tags = tagList(ctx.params);
  return `<User>${userXml(createUser(ctx.write(), ctx.env, name, path, tags), true)}</User>`;
};

const GetUser: ActionHandler = (ctx) => {
  const name = optional(ctx.params, 'UserName');
  if (name !== undefined) return `<User>${userXml(findUser(ctx.read(), name), true)}</User>`;
  // Without a name IAM describes the caller, which only works for users and the root user.
  if (!ctx.caller.arn.endsWith(':root')) {
    throw new SimError('ValidationError', 'Must specify userName when calling with non-User credentials', 400);
  }
  return `<User>${xmlTag('Path', '/')}${xmlTag('UserId', ctx.accountId)}${xmlTag('Arn', ctx.caller.arn)}${xmlTag('CreateDate', '2020-01-01T00:00:00Z')}</User>`;
};

const ListUsers: ActionHandler = (ctx) => {
  const prefix = checkPathPrefix(optional(ctx.params, 'PathPrefix'));
  const users = [...ctx.read().users.values()].filter((u) => prefix === undefined || u.path.startsWith(prefix));
  const page = paginate(users, ctx.params);
  return xmlMembers('Users', page.items.map((u) => userXml(u, false))) + pageTrailer(page);
};

const DeleteUser: ActionHandler = (ctx) => {
  const account = ctx.read();
  const user = findUser(account, required(ctx.params, 'UserName'));
  if (user.groups.size > 0) throw deleteConflict('Cannot delete entity, must remove user from all groups first.');
  if (user.loginProfile) throw deleteConflict('Cannot delete entity, must delete login profile first.');
  if (user.mfaDevices.length > 0) throw deleteConflict('Cannot delete entity, must delete MFA device first.');
  if (user.accessKeys.length > 0) throw deleteConflict('Cannot delete entity, must delete access keys first.');
  account.users.delete(nameKey(user.name));
  return '';
};

const GetLoginProfile: ActionHandler = (ctx) => {
  const user = findUser(ctx.read(), required(ctx.params, 'UserName'));
  if (!user.loginProfile) throw noSuchEntity(`Login Profile for User ${user.name} cannot be found.`);
  return loginProfileXml(user);
};

const CreateLoginProfile: ActionHandler = (ctx) => {
  const user = findUser(ctx.read(), required(ctx.params, 'UserName'));
  const password = required(ctx.params, 'Password');
  if (password.length < 1 || password.length > 128) throw validationError('password', '******', 'Member must have length between 1 and 128');
  createLoginProfile(user, ctx.env, optionalBool(ctx.params, 'PasswordResetRequired') ?? false);
  return loginProfileXml(user);
};

/** Without a UserName IAM lists the caller's own devices/keys; simulated callers are roots or roles, which have none here. */
function optionalUser(ctx: Parameters<ActionHandler>[0]): UserState | undefined {
  const name = optional(ctx.params, 'UserName');
  return name === undefined ? undefined : findUser(ctx.read(), name);
}

const ListMFADevices: ActionHandler = (ctx) => {
  const user = optionalUser(ctx);
  const page = paginate(user?.mfaDevices ?? [], ctx.params);
  return (
    xmlMembers(
      'MFADevices',
      page.items.map((d) => xmlTag('UserName', user!.name) + xmlTag('SerialNumber', d.serialNumber) + xmlTag('EnableDate', d.enableDate)),
    ) + pageTrailer(page)
  );
};

const ListAccessKeys: ActionHandler = (ctx) => {
  const user = optionalUser(ctx);
  const page = paginate(user?.accessKeys ?? [], ctx.params);
  return (
    xmlMembers(
      'AccessKeyMetadata',
      page.items.map((k) => xmlTag('UserName', user!.name) + xmlTag('AccessKeyId', k.accessKeyId) + xmlTag('Status', k.status) + xmlTag('CreateDate', k.createDate)),
    ) + pageTrailer(page)
  );
};

export const USER_ACTIONS: Record<string, { write: boolean; run: ActionHandler }> = {
  CreateUser: { write: true, run: CreateUser },
  GetUser: { write: false, run: GetUser },
  ListUsers: { write: false, run: ListUsers },
  DeleteUser: { write: true, run: DeleteUser },
  GetLoginProfile: { write: false, run: GetLoginProfile },
  CreateLoginProfile: { write: true, run: CreateLoginProfile },
  ListMFADevices: { write: false, run: ListMFADevices },
  ListAccessKeys: { write: false, run: ListAccessKeys },
};
