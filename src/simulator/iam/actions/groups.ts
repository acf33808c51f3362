import { xmlMembers, xmlTag } from '../../protocol.js';
import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity } from '../failures.js';
import { entityId, iamArn, ID_PREFIX } from '../identifiers.js';
import { findGroup, findUser, policyArnPath } from '../lookups.js';
import { type AccountIam, type GroupState, nameKey } from '../model.js';
import { optional, pageTrailer, paginate, required } from '../params.js';
import { attachPolicy, detachPolicy } from '../policy-resolution.js';
import { checkName, checkPath, checkPathPrefix, checkPolicyDocument, LIMITS } from '../validation.js';
import type { IamEnv } from '../world.js';
import { attachedPoliciesXml, documentXml, groupXml, namesXml, userXml } from '../xml.js';
import type { ActionHandler } from './context.js';

export function createGroup(account: AccountIam, env: IamEnv, name: string, path: string | undefined): GroupState {
  checkName('groupName', name, 128);
  const checkedPath = checkPath(path);
  const key = nameKey(name);
  if (account.groups.has(key)) throw entityAlreadyExists(`Group with name ${name} already exists.`);
  if (account.groups.size >= LIMITS.groupsPerAccount) throw limitExceeded(`Cannot exceed quota for GroupsPerAccount: ${LIMITS.groupsPerAccount}`);
  const group: GroupState = {
    name,
    path: checkedPath,
    id: entityId(ID_PREFIX.group, account.accountId, name, ++account.sequence),
    arn: iamArn(env.partition, account.accountId, 'group', checkedPath, name),
    createDate: env.now,
    attached: [],
    inline: new Map(),
    members: new Set(),
  };
  account.groups.set(key, group);
  return group;
}

export function putGroupPolicy(group: GroupState, policyName: string, document: string): void {
  checkName('policyName', policyName, 128);
  checkPolicyDocument(document, 'identity', LIMITS.groupInline(group.name));
  group.inline.set(policyName, { name: policyName, document });
}

/** Adding a member twice is a no-op, as in IAM. */
export function addUserToGroup(account: AccountIam, groupName: string, userName: string): void {
  const group = findGroup(account, groupName);
  const user = findUser(account, userName);
  const groupKey = nameKey(group.name);
  if (user.groups.has(groupKey)) return;
  if (user.groups.size >= LIMITS.groupsPerUser) throw limitExceeded(`Cannot exceed quota for GroupsPerUser: ${LIMITS.groupsPerUser}`);
  user.groups.add(groupKey);
  group.members.add(nameKey(user.name));
}

const CreateGroup: ActionHandler = (ctx) => {
  const name = required(ctx.params, 'GroupName');
  const path = optional(ctx.params, 'Path');
  return `<Group>${groupXml(createGroup(ctx.write(), ctx.env, name, path))}</Group>`;
};

const GetGroup: ActionHandler = (ctx) => {
  const account = ctx.read();
  const group = findGroup(account, required(ctx.params, 'GroupName'));
  const users = [...group.members].map((key) => account.users.get(key)).filter((u) => u !== undefined);
  const page = paginate(users, ctx.params);
  return `<Group>${groupXml(group)}</Group>` + xmlMembers('Users', page.items.map((u) => userXml(u, false))) + pageTrailer(page);
};

const ListGroups: ActionHandler = (ctx) => {
  const prefix = checkPathPrefix(optional(ctx.params, 'PathPrefix'));
  const groups = [...ctx.read().groups.values()].filter((g) => prefix === undefined || g.path.startsWith(prefix));
  const page = paginate(groups, ctx.params);
  return xmlMembers('Groups', page.items.map(groupXml)) + pageTrailer(page);
};

const DeleteGroup: ActionHandler = (ctx) => {
  const account = ctx.read();
  const group = findGroup(account, required(ctx.params, 'GroupName'));
  if (group.members.size > 0) throw deleteConflict('Cannot delete entity, must remove users from group first.');
  if (group.attached.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
  if (group.inline.size > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
  account.groups.delete(nameKey(group.name));
  return '';
};

const AttachGroupPolicy: ActionHandler = (ctx) => {
  const account = ctx.read();
  const group = findGroup(account, required(ctx.params, 'GroupName'));
  attachPolicy(account, ctx.accountId, ctx.env.partition, 'groups', group, required(ctx.params, 'PolicyArn'));
  return '';
};

const DetachGroupPolicy: ActionHandler = (ctx) => {
  const account = ctx.read();
  const group = findGroup(account, required(ctx.params, 'GroupName'));
  detachPolicy(account, 'groups', group, required(ctx.params, 'PolicyArn'));
  return '';
};

const ListAttachedGroupPolicies: ActionHandler = (ctx) => {
  const group = findGroup(ctx.read(), required(ctx.params, 'GroupName'));
  const prefix = checkPathPrefix(optional(ctx.params, 'PathPrefix'));
  const arns = prefix === undefined ? group.attached : group.attached.filter((a) => policyArnPath(a).startsWith(prefix));
  const page = paginate(arns, ctx.params);
  return attachedPoliciesXml('AttachedPolicies', page.items) + pageTrailer(page);
};

const PutGroupPolicy: ActionHandler = (ctx) => {
  const group = findGroup(ctx.read(), required(ctx.params, 'GroupName'));
  putGroupPolicy(group, required(ctx.params, 'PolicyName'), required(ctx.params, 'PolicyDocument'));
  return '';
};

function findGroupPolicy(group: GroupState, policyName: string) {
  const p = group.inline.get(policyName);
  if (!p) throw noSuchEntity(`The group policy with name ${policyName} cannot be found.`);
  return p;
}

const GetGroupPolicy: ActionHandler = (ctx) => {
  const group = findGroup(ctx.read(), required(ctx.params, 'GroupName'));
  const policy = findGroupPolicy(group, required(ctx.params, 'PolicyName'));
  return xmlTag('GroupName', group.name) + xmlTag('PolicyName', policy.name) + documentXml('PolicyDocument', policy.document);
};

const DeleteGroupPolicy: ActionHandler = (ctx) => {
  const group = findGroup(ctx.read(), required(ctx.params, 'GroupName'));
  group.inline.delete(findGroupPolicy(group, required(ctx.params, 'PolicyName')).name);
  return '';
};

const ListGroupPolicies: ActionHandler = (ctx) => {
  const group = findGroup(ctx.read(), required(ctx.params, 'GroupName'));
  const page = paginate([...group.inline.keys()], ctx.params);
  return namesXml('PolicyNames', page.items) + pageTrailer(page);
};

const AddUserToGroup: ActionHandler = (ctx) => {
  addUserToGroup(ctx.read(), required(ctx.params, 'GroupName'), required(ctx.params, 'UserName'));
  return '';
};

const RemoveUserFromGroup: ActionHandler = (ctx) => {
  const account = ctx.read();
  const group = findGroup(account, required(ctx.params, 'GroupName'));
  const user = findUser(account, required(ctx.params, 'UserName'));
  const groupKey = nameKey(group.name);
  if (!user.groups.has(groupKey)) throw noSuchEntity(`The user with name ${user.name} is not a member of group ${group.name}.`);
  user.groups.delete(groupKey);
  group.members.delete(nameKey(user.name));
  return '';
};

const ListGroupsForUser: ActionHandler = (ctx) => {
  const account = ctx.read();
  const user = findUser(account, required(ctx.params, 'UserName'));
  const groups = [...user.groups].map((key) => account.groups.get(key)).filter((g) => g !== undefined);
  const page = paginate(groups, ctx.params);
  return xmlMembers('Groups', page.items.map(groupXml)) + pageTrailer(page);
};

export const GROUP_ACTIONS: Record<string, { write: boolean; run: ActionHandler }> = {
  CreateGroup: { write: true, run: CreateGroup },
  GetGroup: { write: false, run: GetGroup },
  ListGroups: { write: false, run: ListGroups },
  DeleteGroup: { write: true, run: DeleteGroup },
  AttachGroupPolicy: { write: true, run: AttachGroupPolicy },
  DetachGroupPolicy: { write: true, run: DetachGroupPolicy },
  ListAttachedGroupPolicies: { write: false, run: ListAttachedGroupPolicies },
  PutGroupPolicy: { write: true, run: PutGroupPolicy },
  GetGroupPolicy: { write: false, run: GetGroupPolicy },
  DeleteGroupPolicy: { write: true, run: DeleteGroupPolicy },
  ListGroupPolicies: { write: false, run: ListGroupPolicies },
  AddUserToGroup: { write: true, run: AddUserToGroup },
  RemoveUserFromGroup: { write: true, run: RemoveUserFromGroup },
  ListGroupsForUser: { write: false, run: ListGroupsForUser },
};
