/**
 * A tiny in-memory model of one account's IAM, strict where the planner's ordering
 * matters: it refuses a sixth policy version, deleting the default version, attaching
 * a customer policy that does not exist yet, more than 10 attachments, and any
 * operation on a missing entity.
 */
import type { Change, ObservedState, RenderContext } from '../../../src/core/model.js';
import { policyArn } from '../../../src/core/baseline/index.js';

export class ModelError extends Error {
  constructor(readonly code: string, message: string) {
    super(`${code}: ${message}`);
  }
}

export function applyChanges(state: ObservedState, changes: Change[], ctx: RenderContext, startTime = Date.parse('2030-01-01T00:00:00Z')): ObservedState {
  const s = structuredClone(state);
  let clock = startTime;
  for (const change of changes) applyChange(s, structuredClone(change), ctx, () => new Date((clock += 1000)).toISOString());
  return s;
}

function applyChange(s: ObservedState, c: Change, ctx: RenderContext, now: () => string): void {
  const policyByArn = (arn: string) => {
    const p = Object.values(s.policies).find((x) => x.arn === arn);
    if (!p) throw new ModelError('NoSuchEntity', `policy ${arn}`);
    return p;
  };
  const group = (name: string) => {
    if (!Object.hasOwn(s.groups, name)) throw new ModelError('NoSuchEntity', `group ${name}`);
    return s.groups[name];
  };
  const role = (name: string) => {
    if (!Object.hasOwn(s.roles, name)) throw new ModelError('NoSuchEntity', `role ${name}`);
    return s.roles[name];
  };
  const attach = (list: string[], arn: string) => {
    if (arn.includes(`:iam::${ctx.accountId}:policy/`)) policyByArn(arn);
    if (list.includes(arn)) return;
    if (list.length >= 10) throw new ModelError('LimitExceeded', 'more than 10 managed policies');
    list.push(arn);
  };
  const detach = (list: string[], arn: string) => {
    const i = list.indexOf(arn);
    if (i < 0) throw new ModelError('NoSuchEntity', `attachment ${arn}`);
    list.splice(i, 1);
  };
  const put = (list: { name: string; document: Record<string, unknown> }[], name: string, document: Record<string, unknown>) => {
    const existing = list.find((p) => p.name === name);
    if (existing) existing.document = document;
    else list.push({ name, document });
  };
  const remove = (list: { name: string }[], name: string) => {
    const i = list.findIndex((p) => p.name === name);
    if (i < 0) throw new ModelError('NoSuchEntity', `inline policy ${name}`);
    list.splice(i, 1);
  };

  switch (c.type) {
    case 'CreatePolicy': {
      if (Object.hasOwn(s.policies, c.policyName)) throw new ModelError('EntityAlreadyExists', c.policyName);
      s.policies[c.policyName] = {
        name: c.policyName,
        path: c.path,
        arn: policyArn(ctx, c.path, c.policyName),
        defaultVersionId: 'v1',
        versions: [{ versionId: 'v1', isDefault: true, document: c.document, createDate: now() }],
      };
      return;
    }
    case 'CreatePolicyVersion': {
      const p = policyByArn(c.policyArn);
      if (p.versions.length >= 5) throw new ModelError('LimitExceeded', `${c.policyArn} already has 5 versions`);
      const next = Math.max(0, ...p.versions.map((v) => Number(v.versionId.slice(1)))) + 1;
      const versionId = `v${next}`;
      for (const v of p.versions) v.isDefault = false;
      p.versions.push({ versionId, isDefault: true, document: c.document, createDate: now() });
      p.defaultVersionId = versionId;
      return;
    }
    case 'DeletePolicyVersion': {
      const p = policyByArn(c.policyArn);
      const i = p.versions.findIndex((v) => v.versionId === c.versionId);
      if (i < 0) throw new ModelError('NoSuchEntity', `${c.policyArn} ${c.versionId}`);
      if (p.versions[i].isDefault) throw new ModelError('DeleteConflict', 'cannot delete the default version');
      p.versions.splice(i, 1);
      return;
    }
    case 'CreateGroup':
      if (Object.hasOwn(s.groups, c.groupName)) throw new ModelError('EntityAlreadyExists', c.groupName);
      s.groups[c.groupName] = { name: c.groupName, path: c.path, arn: `arn:${ctx.partition}:iam::${ctx.accountId}:group${c.path}${c.groupName}`, managedPolicyArns: [], inlinePolicies: [] };
      return;
    case 'AttachGroupPolicy':
      return attach(group(c.groupName).managedPolicyArns, c.policyArn);
    case 'DetachGroupPolicy':
      return detach(group(c.groupName).managedPolicyArns, c.policyArn);
    case 'PutGroupPolicy':
      return put(group(c.groupName).inlinePolicies, c.policyName, c.document);
    case 'DeleteGroupPolicy':
      return remove(group(c.groupName).inlinePolicies, c.policyName);
    case 'CreateRole':
      if (Object.hasOwn(s.roles, c.roleName)) throw new ModelError('EntityAlreadyExists', c.roleName);
      s.roles[c.roleName] = {
        name: c.roleName,
        path: c.path,
        arn: `arn:${ctx.partition}:iam::${ctx.accountId}:role${c.path}${c.roleName}`,
        ...(c.description !== undefined && { description: c.description }),
        maxSessionDuration: c.maxSessionDuration ?? 3600,
        trustPolicy: c.trustPolicy,
        managedPolicyArns: [],
        inlinePolicies: [],
        tags: { ...c.tags },
      };
      return;
    case 'UpdateAssumeRolePolicy':
      role(c.roleName).trustPolicy = c.document;
      return;
    case 'UpdateRole': {
      const r = role(c.roleName);
      if (c.description !== undefined) r.description = c.description;
      if (c.maxSessionDuration !== undefined) r.maxSessionDuration = c.maxSessionDuration;
      return;
    }
    case 'TagRole': {
      const r = role(c.roleName);
      r.tags = { ...r.tags, ...c.tags };
      return;
    }
    case 'AttachRolePolicy':
      return attach(role(c.roleName).managedPolicyArns, c.policyArn);
    case 'DetachRolePolicy':
      return detach(role(c.roleName).managedPolicyArns, c.policyArn);
    case 'PutRolePolicy':
      return put(role(c.roleName).inlinePolicies, c.policyName, c.document);
    case 'DeleteRolePolicy':
      return remove(role(c.roleName).inlinePolicies, c.policyName);
  }
}
