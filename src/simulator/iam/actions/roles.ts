import { xmlMembers, xmlTag } from '../../protocol.js';
import { deleteConflict, entityAlreadyExists, noSuchEntity } from '../failures.js';
import { entityId, iamArn, ID_PREFIX } from '../identifiers.js';
import { findRole, policyArnPath } from '../lookups.js';
import { type AccountIam, nameKey, type RoleState, type Tag } from '../model.js';
import { memberList, optional, optionalInt, pageTrailer, paginate, required, tagList } from '../params.js';
import { attachPolicy, detachPolicy } from '../policy-resolution.js';
import { checkTagCount, mergeTags, removeTags } from '../tags.js';
import { checkDescription, checkName, checkPath, checkPathPrefix, checkPolicyDocument, LIMITS } from '../validation.js';
import type { IamEnv } from '../world.js';
import { attachedPoliciesXml, documentXml, namesXml, roleXml, tagsXml } from '../xml.js';
import type { ActionHandler } from './context.js';

export interface NewRole {
  name: string;
  path?: string;
  trustPolicy: string;
  description?: string;
  maxSessionDuration?: number;
  tags: readonly Tag[];
}

export function createRole(account: AccountIam, env: IamEnv, input: NewRole): RoleState {
  checkName('roleName', input.name, 64);
  const path = checkPath(input.path);
  checkDescription(input.description);
  checkPolicyDocument(input.trustPolicy, 'trust', LIMITS.trustPolicy);
  checkTagCount(input.tags);
  const key = nameKey(input.name);
  if (account.roles.has(key)) throw entityAlreadyExists(`Role with name ${input.name} already exists.`);
  const role: RoleState = {
    name: input.name,
    path,
    id: entityId(ID_PREFIX.role, account.accountId, input.name, ++account.sequence),
    arn: iamArn(env.partition, account.accountId, 'role', path, input.name),
    createDate: env.now,
    trustPolicy: input.trustPolicy,
    description: input.description,
    maxSessionDuration: input.maxSessionDuration ?? 3600,
    tags: input.tags.slice(),
    attached: [],
    inline: new Map(),
  };
  account.roles.set(key, role);
  return role;
}

const sessionDuration = (ctx: Parameters<ActionHandler>[0]): number | undefined => optionalInt(ctx.params, 'MaxSessionDuration', 3600, 43200);

const CreateRole: ActionHandler = (ctx) => {
  const p = ctx.params;
  const input: NewRole = {
    name: required(p, 'RoleName'),
    path: optional(p, 'Path'),
    trustPolicy: required(p, 'AssumeRolePolicyDocument'),
    description: optional(p, 'Description'),
    maxSessionDuration: sessionDuration(ctx),
    tags: tagList(p),
  };
  // CreateRole answers without RoleLastUsed.
  return `<Role>${roleXml(createRole(ctx.write(), ctx.env, input), false)}${input.tags.length > 0 ? tagsXml(input.tags) : ''}</Role>`;
};

const GetRole: ActionHandler = (ctx) => `<Role>${roleXml(findRole(ctx.read(), required(ctx.params, 'RoleName')), true)}</Role>`;

const ListRoles: ActionHandler = (ctx) => {
  const prefix = checkPathPrefix(optional(ctx.params, 'PathPrefix'));
  const roles = [...ctx.read().roles.values()].filter((r) => prefix === undefined || r.path.startsWith(prefix));
  const page = paginate(roles, ctx.params);
  return xmlMembers('Roles', page.items.map((r) => roleXml(r, false))) + pageTrailer(page);
};

const DeleteRole: ActionHandler = (ctx) => {
  const account = ctx.read();
  const role = findRole(account, required(ctx.params, 'RoleName'));
  if (role.attached.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
  if (role.inline.size > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
  account.roles.delete(nameKey(role.name));
  return '';
};

const UpdateAssumeRolePolicy: ActionHandler = (ctx) => {
  const role = findRole(ctx.read(), required(ctx.params, 'RoleName'));
  const document = required(ctx.params, 'PolicyDocument');
  checkPolicyDocument(document, 'trust', LIMITS.trustPolicy);
  role.trustPolicy = document;
  return '';
};

const UpdateRole: ActionHandler = (ctx) => {
  const role = findRole(ctx.read(), required(ctx.params, 'RoleName'));
  const description = checkDescription(optional(ctx.params, 'Description'));
  const duration = sessionDuration(ctx);
  if (description !== undefined) role.description = description;
  if (duration !== undefined) role.maxSessionDuration = duration;
  return '';
};

const UpdateRoleDescription: ActionHandler = (ctx) => {
  const role = findRole(ctx.read(), required(ctx.params, 'RoleName'));
  role.description = checkDescription(required(ctx.params, 'Description'));
  return `<Role>${roleXml(role, true)}</Role>`;
};

const TagRole: ActionHandler = (ctx) => {
  const role = findRole(ctx.read(), required(ctx.params, 'RoleName'));
  role.tags = mergeTags(role.tags, tagList(ctx.params));
  return '';
};

const UntagRole: ActionHandler = (ctx) => {
  const role = findRole(ctx.read(), required(ctx.params, 'RoleName'));
  role.tags = removeTags(role.tags, memberList(ctx.params, 'TagKeys'));
  return '';
};

const ListRoleTags: ActionHandler = (ctx) => {
  const role = findRole(ctx.read(), required(ctx.params, 'RoleName'));
  const page = paginate(role.tags, ctx.params);
  return tagsXml(page.items) + pageTrailer(page);
};

const AttachRolePolicy: ActionHandler = (ctx) => {
  const account = ctx.read();
  const role = findRole(account, required(ctx.params, 'RoleName'));
  attachPolicy(account, ctx.accountId, ctx.env.partition, 'roles', role, required(ctx.params, 'PolicyArn'));
  return '';
};

const DetachRolePolicy: ActionHandler = (ctx) => {
  const account = ctx.read();
  const role = findRole(account, required(ctx.params, 'RoleName'));
  detachPolicy(account, 'roles', role, required(ctx.params, 'PolicyArn'));
  return '';
};

const ListAttachedRolePolicies: ActionHandler = (ctx) => {
  const role = findRole(ctx.read(), required(ctx.params, 'RoleName'));
  const prefix = checkPathPrefix(optional(ctx.params, 'PathPrefix'));
  const arns = prefix === undefined ? role.attached : role.attached.filter((a) => policyArnPath(a).startsWith(prefix));
  const page = paginate(arns, ctx.params);
  return attachedPoliciesXml('AttachedPolicies', page.items) + pageTrailer(page);
};

export function putRolePolicy(role: RoleState, policyName: string, document: string): void {
  checkName('policyName', policyName, 128);
  checkPolicyDocument(document, 'identity', LIMITS.roleInline(role.name));
  role.inline.set(policyName, { name: policyName, document });
}

const PutRolePolicy: ActionHandler = (ctx) => {
  const role = findRole(ctx.read(), required(ctx.params, 'RoleName'));
  putRolePolicy(role, required(ctx.params, 'PolicyName'), required(ctx.params, 'PolicyDocument'));
  return '';
};

function findRolePolicy(role: RoleState, policyName: string) {
  const p = role.inline.get(policyName);
  if (!p) throw noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
  return p;
}

const GetRolePolicy: ActionHandler = (ctx) => {
  const role = findRole(ctx.read(), required(ctx.params, 'RoleName'));
  const policy = findRolePolicy(role, required(ctx.params, 'PolicyName'));
  return xmlTag('RoleName', role.name) + xmlTag('PolicyName', policy.name) + documentXml('PolicyDocument', policy.document);
};

const DeleteRolePolicy: ActionHandler = (ctx) => {
  const role = findRole(ctx.read(), required(ctx.params, 'RoleName'));
  role.inline.delete(findRolePolicy(role, required(ctx.params, 'PolicyName')).name);
  return '';
};

const ListRolePolicies: ActionHandler = (ctx) => {
  const role = findRole(ctx.read(), required(ctx.params, 'RoleName'));
  const page = paginate([...role.inline.keys()], ctx.params);
  return namesXml('PolicyNames', page.items) + pageTrailer(page);
};

export const ROLE_ACTIONS: Record<string, { write: boolean; run: ActionHandler }> = {
  CreateRole: { write: true, run: CreateRole },
  GetRole: { write: false, run: GetRole },
  ListRoles: { write: false, run: ListRoles },
  DeleteRole: { write: true, run: DeleteRole },
  UpdateAssumeRolePolicy: { write: true, run: UpdateAssumeRolePolicy },
  UpdateRole: { write: true, run: UpdateRole },
  UpdateRoleDescription: { write: true, run: UpdateRoleDescription },
  TagRole: { write: true, run: TagRole },
  UntagRole: { write: true, run: UntagRole },
  ListRoleTags: { write: false, run: ListRoleTags },
  AttachRolePolicy: { write: true, run: AttachRolePolicy },
  DetachRolePolicy: { write: true, run: DetachRolePolicy },
  ListAttachedRolePolicies: { write: false, run: ListAttachedRolePolicies },
  PutRolePolicy: { write: true, run: PutRolePolicy },
  GetRolePolicy: { write: false, run: GetRolePolicy },
  DeleteRolePolicy: { write: true, run: DeleteRolePolicy },
  ListRolePolicies: { write: false, run: ListRolePolicies },
};
