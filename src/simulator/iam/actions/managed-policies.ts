import { xmlMembers, xmlTag } from '../../protocol.js';
import { awsManagedArn, awsManagedCatalogue } from '../aws-managed-policies.js';
import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity, validationError } from '../failures.js';
import { entityId, iamArn, ID_PREFIX } from '../identifiers.js';
import { type AccountIam, type ManagedPolicyState, nameKey, type Tag } from '../model.js';
import { memberList, optional, optionalBool, pageTrailer, paginate, required, tagList } from '../params.js';
import { notFound, resolveLocalPolicy, resolvePolicyArn } from '../policy-resolution.js';
import { checkTagCount, mergeTags, removeTags } from '../tags.js';
import { checkDescription, checkName, checkPath, checkPathPrefix, checkPolicyDocument, LIMITS } from '../validation.js';
import type { IamEnv } from '../world.js';
import { awsPolicyView, localPolicyView, policyVersionXml, policyXml, tagsXml, type PolicyView } from '../xml.js';
import type { ActionContext, ActionHandler } from './context.js';

export interface NewManagedPolicy {
  name: string;
  path: string;
  document: string;
  description?: string;
  tags: readonly Tag[];
}

/** Validates and stores a customer-managed policy with its first version, v1. */
export function createManagedPolicy(account: AccountIam, env: IamEnv, input: NewManagedPolicy): ManagedPolicyState {
  checkName('policyName', input.name, 128);
  const path = checkPath(input.path);
  checkDescription(input.description);
  checkPolicyDocument(input.document, 'identity', LIMITS.managedPolicy);
  checkTagCount(input.tags);
  const key = nameKey(input.name);
  if (account.policies.has(key)) throw entityAlreadyExists(`A policy called ${input.name} already exists. Duplicate names are not allowed.`);
  const policy: ManagedPolicyState = {
    name: input.name,
    path,
    id: entityId(ID_PREFIX.policy, account.accountId, input.name, ++account.sequence),
    arn: iamArn(env.partition, account.accountId, 'policy', path, input.name),
    description: input.description,
    createDate: env.now,
    updateDate: env.now,
    defaultVersionId: 'v1',
    versions: [{ versionId: 'v1', document: input.document, createDate: env.now }],
    nextVersion: 2,
    tags: input.tags.slice(),
  };
  account.policies.set(key, policy);
  return policy;
}

function localView(account: AccountIam, p: ManagedPolicyState): PolicyView {
  return localPolicyView(p, account.attachmentCount(p.arn));
}

const VERSION_ID = /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/;

function versionIdParam(ctx: ActionContext): string {
  const versionId = required(ctx.params, 'VersionId');
  if (!VERSION_ID.test(versionId)) throw validationError('versionId', versionId, 'Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?');
  return versionId;
}

const CreatePolicy: ActionHandler = (ctx) => {
  const p = ctx.params;
  const input: NewManagedPolicy = {
    name: required(p, 'PolicyName'),
    path: optional(p, 'Path') ?? '/',
    document: required(p, 'PolicyDocument'),
    description: optional(p, 'Description'),
    tags: tagList(p),
  };
  const account = ctx.write();
  const policy = createManagedPolicy(account, ctx.env, input);
  return `<Policy>${policyXml(localView(account, policy), 'get')}</Policy>`;
};

const GetPolicy: ActionHandler = (ctx) => {
  const account = ctx.read();
  const resolved = resolvePolicyArn(account, ctx.accountId, ctx.env.partition, required(ctx.params, 'PolicyArn'), notFound);
  const view =
    resolved.kind === 'local'
      ? localView(account, resolved.policy)
      : awsPolicyView(resolved.policy, resolved.arn, account.attachmentCount(resolved.arn));
  return `<Policy>${policyXml(view, 'get')}</Policy>`;
};

const SCOPES = new Set(['All', 'AWS', 'Local']);

const ListPolicies: ActionHandler = (ctx) => {
  const scope = optional(ctx.params, 'Scope') ?? 'All';
  if (!SCOPES.has(scope)) throw validationError('scope', scope, 'Member must satisfy enum value set: [All, AWS, Local]');
  const onlyAttached = optionalBool(ctx.params, 'OnlyAttached') ?? false;
  const prefix = checkPathPrefix(optional(ctx.params, 'PathPrefix'));
  const account = ctx.read();
  const views: PolicyView[] = [];
  if (scope !== 'Local') {
    const listed = new Set<string>();
    for (const p of awsManagedCatalogue()) {
      const arn = awsManagedArn(ctx.env.partition, p);
      listed.add(arn);
      views.push(awsPolicyView(p, arn, account.attachmentCount(arn)));
    }
    // AWS-managed policies outside the catalogue show up once something in the account uses them.
    for (const arn of account.attachments.keys()) {
      if (listed.has(arn) || !arn.includes(':iam::aws:policy/')) continue;
      const r = resolvePolicyArn(account, ctx.accountId, ctx.env.partition, arn, notFound);
      if (r.kind === 'aws') views.push(awsPolicyView(r.policy, arn, account.attachmentCount(arn)));
    }
  }
  if (scope !== 'AWS') for (const p of account.policies.values()) views.push(localView(account, p));
  const filtered = views.filter((v) => (!onlyAttached || v.attachmentCount > 0) && (prefix === undefined || v.path.startsWith(prefix)));
  const page = paginate(filtered, ctx.params);
  return xmlMembers('Policies', page.items.map((v) => policyXml(v, 'list'))) + pageTrailer(page);
};

const DeletePolicy: ActionHandler = (ctx) => {
  const account = ctx.read();
  const policy = resolveLocalPolicy(account, ctx.accountId, ctx.env.partition, required(ctx.params, 'PolicyArn'));
  if (account.attachmentCount(policy.arn) > 0) throw deleteConflict('Cannot delete a policy attached to entities.');
  if (policy.versions.length > 1) {
    throw deleteConflict(
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
  }
  account.policies.delete(nameKey(policy.name));
  return '';
};

const GetPolicyVersion: ActionHandler = (ctx) => {
  const arn = required(ctx.params, 'PolicyArn');
  const versionId = versionIdParam(ctx);
  const resolved = resolvePolicyArn(ctx.read(), ctx.accountId, ctx.env.partition, arn, notFound);
  const missing = (): never => {
    throw noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
  };
  if (resolved.kind === 'aws') {
    const p = resolved.policy;
    if (versionId !== p.defaultVersionId) missing();
    return `<PolicyVersion>${policyVersionXml({ versionId, document: p.document, createDate: p.updateDate }, true, true)}</PolicyVersion>`;
  }
  const version = resolved.policy.versions.find((v) => v.versionId === versionId) ?? missing();
  return `<PolicyVersion>${policyVersionXml(version, versionId === resolved.policy.defaultVersionId, true)}</PolicyVersion>`;
};

/** Adds a version; at most five per policy, and the limit is not adjustable. */
export function createPolicyVersion(policy: ManagedPolicyState, env: IamEnv, document: string, setAsDefault: boolean): string {
  checkPolicyDocument(document, 'identity', LIMITS.managedPolicy);
  if (policy.versions.length >= LIMITS.versionsPerPolicy) {
    throw limitExceeded(
      `A managed policy can have up to ${LIMITS.versionsPerPolicy} versions. Before you create a new version, you must delete an existing version.`,
    );
  }
  const versionId = `v${policy.nextVersion++}`;
  policy.versions.push({ versionId, document, createDate: env.now });
  if (setAsDefault) policy.defaultVersionId = versionId;
  policy.updateDate = env.now;
  return versionId;
}

const CreatePolicyVersion: ActionHandler = (ctx) => {
  const arn = required(ctx.params, 'PolicyArn');
  const document = required(ctx.params, 'PolicyDocument');
  const setAsDefault = optionalBool(ctx.params, 'SetAsDefault') ?? false;
  const policy = resolveLocalPolicy(ctx.read(), ctx.accountId, ctx.env.partition, arn);
  const versionId = createPolicyVersion(policy, ctx.env, document, setAsDefault);
  const version = policy.versions[policy.versions.length - 1];
  return `<PolicyVersion>${policyVersionXml(version, versionId === policy.defaultVersionId, false)}</PolicyVersion>`;
};

const DeletePolicyVersion: ActionHandler = (ctx) => {
  const arn = required(ctx.params, 'PolicyArn');
  const versionId = versionIdParam(ctx);
  const policy = resolveLocalPolicy(ctx.read(), ctx.accountId, ctx.env.partition, arn);
  const i = policy.versions.findIndex((v) => v.versionId === versionId);
  if (i < 0) throw noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not deletable.`);
  if (versionId === policy.defaultVersionId) throw deleteConflict('Cannot delete the default version of a policy.');
  policy.versions.splice(i, 1);
  return '';
};

const ListPolicyVersions: ActionHandler = (ctx) => {
  const resolved = resolvePolicyArn(ctx.read(), ctx.accountId, ctx.env.partition, required(ctx.params, 'PolicyArn'), notFound);
  let xml: string[];
  if (resolved.kind === 'aws') {
    const p = resolved.policy;
    xml = [policyVersionXml({ versionId: p.defaultVersionId, document: p.document, createDate: p.updateDate }, true, false)];
  } else {
    const p = resolved.policy;
    // IAM lists the newest version first.
    xml = p.versions.map((v) => policyVersionXml(v, v.versionId === p.defaultVersionId, false)).reverse();
  }
  const page = paginate(xml, ctx.params);
  return xmlMembers('Versions', page.items) + pageTrailer(page);
};

const SetDefaultPolicyVersion: ActionHandler = (ctx) => {
  const arn = required(ctx.params, 'PolicyArn');
  const versionId = versionIdParam(ctx);
  const policy = resolveLocalPolicy(ctx.read(), ctx.accountId, ctx.env.partition, arn);
  if (!policy.versions.some((v) => v.versionId === versionId)) {
    throw noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
  }
  policy.defaultVersionId = versionId;
  policy.updateDate = ctx.env.now;
  return '';
};

const TagPolicy: ActionHandler = (ctx) => {
  const arn = required(ctx.params, 'PolicyArn');
  const tags = tagList(ctx.params);
  const policy = resolveLocalPolicy(ctx.read(), ctx.accountId, ctx.env.partition, arn);
  policy.tags = mergeTags(policy.tags, tags);
  return '';
};

const UntagPolicy: ActionHandler = (ctx) => {
  const arn = required(ctx.params, 'PolicyArn');
  const keys = memberList(ctx.params, 'TagKeys');
  const policy = resolveLocalPolicy(ctx.read(), ctx.accountId, ctx.env.partition, arn);
  policy.tags = removeTags(policy.tags, keys);
  return '';
};

const ListPolicyTags: ActionHandler = (ctx) => {
  const resolved = resolvePolicyArn(ctx.read(), ctx.accountId, ctx.env.partition, required(ctx.params, 'PolicyArn'), notFound);
  const tags = resolved.kind === 'local' ? resolved.policy.tags : [];
  const page = paginate(tags, ctx.params);
  return tagsXml(page.items) + pageTrailer(page);
};

const ENTITY_FILTERS = new Set(['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy']);

const ListEntitiesForPolicy: ActionHandler = (ctx) => {
  const filter = optional(ctx.params, 'EntityFilter');
  if (filter !== undefined && !ENTITY_FILTERS.has(filter)) {
    throw validationError('entityFilter', filter, 'Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]');
  }
  const prefix = checkPathPrefix(optional(ctx.params, 'PathPrefix'));
  const account = ctx.read();
  const resolved = resolvePolicyArn(account, ctx.accountId, ctx.env.partition, required(ctx.params, 'PolicyArn'), notFound);
  const attachments = account.attachments.get(resolved.arn);
  type Entry = { kind: 'Group' | 'User' | 'Role'; xml: string };
  const entries: Entry[] = [];
  const wants = (kind: Entry['kind']): boolean => filter === undefined || filter === kind;
  const matches = (path: string): boolean => prefix === undefined || path.startsWith(prefix);
  if (attachments) {
    if (wants('Group')) {
      for (const key of attachments.groups) {
        const g = account.groups.get(key);
        if (g && matches(g.path)) entries.push({ kind: 'Group', xml: xmlTag('GroupName', g.name) + xmlTag('GroupId', g.id) });
      }
    }
    if (wants('User')) {
      for (const key of attachments.users) {
        const u = account.users.get(key);
        if (u && matches(u.path)) entries.push({ kind: 'User', xml: xmlTag('UserName', u.name) + xmlTag('UserId', u.id) });
      }
    }
    if (wants('Role')) {
      for (const key of attachments.roles) {
        const r = account.roles.get(key);
        if (r && matches(r.path)) entries.push({ kind: 'Role', xml: xmlTag('RoleName', r.name) + xmlTag('RoleId', r.id) });
      }
    }
  }
  const page = paginate(entries, ctx.params);
  const of = (kind: Entry['kind']): string[] => page.items.filter((e) => e.kind === kind).map((e) => e.xml);
  return xmlMembers('PolicyGroups', of('Group')) + xmlMembers('PolicyUsers', of('User')) + xmlMembers('PolicyRoles', of('Role')) + pageTrailer(page);
};

export const MANAGED_POLICY_ACTIONS: Record<string, { write: boolean; run: ActionHandler }> = {
  CreatePolicy: { write: true, run: CreatePolicy },
  GetPolicy: { write: false, run: GetPolicy },
  ListPolicies: { write: false, run: ListPolicies },
  DeletePolicy: { write: true, run: DeletePolicy },
  GetPolicyVersion: { write: false, run: GetPolicyVersion },
  CreatePolicyVersion: { write: true, run: CreatePolicyVersion },
  DeletePolicyVersion: { write: true, run: DeletePolicyVersion },
  ListPolicyVersions: { write: false, run: ListPolicyVersions },
  SetDefaultPolicyVersion: { write: true, run: SetDefaultPolicyVersion },
  TagPolicy: { write: true, run: TagPolicy },
  UntagPolicy: { write: true, run: UntagPolicy },
  ListPolicyTags: { write: false, run: ListPolicyTags },
  ListEntitiesForPolicy: { write: false, run: ListEntitiesForPolicy },
};
