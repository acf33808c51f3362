/**
 * IAM of one account: observe what the baseline declares, apply one change at a time.
 */
import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeleteGroupPolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRolePolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  paginateGetAccountAuthorizationDetails,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  type AttachedPolicy,
  type GroupDetail,
  type IAMClient,
  type ManagedPolicyDetail,
  type PolicyDetail,
  type RoleDetail,
  type Tag,
} from '@aws-sdk/client-iam';
import { DomainError, isDomainError } from '../core/errors.js';
import type { Change, ObservedGroup, ObservedPolicy, ObservedRole, ObservedState, PolicyDocument } from '../core/model.js';
import type { AccountIam, CallCounter, ObserveScope } from '../core/ports.js';
import { decodePolicyDocument, encodePolicyDocument } from './policy-document.js';
import { pause, type RetryPolicy } from './retry.js';
import { withPolicy, type CallBinding } from './sdk-call.js';

/** Brief retries of a NoSuchEntity on an entity this gateway has just created (IAM is eventually consistent). */
export interface ConsistencyTuning {
  attempts: number;
  delayMs: number;
}

export const DEFAULT_CONSISTENCY: ConsistencyTuning = { attempts: 4, delayMs: 250 };

export interface IamGatewayOptions {
  client: IAMClient;
  policy: RetryPolicy;
  calls: CallCounter;
  accountId: string;
  partition: string;
  consistency?: Partial<ConsistencyTuning>;
}

// GetAccountAuthorizationDetails' largest page: small accounts need one call.
const GAAD_PAGE_SIZE = 1000;

export class IamGateway implements AccountIam {
  private readonly client: IAMClient;
  private readonly consistency: ConsistencyTuning;
  private readonly createdPolicyArns = new Set<string>();
  private readonly createdGroups = new Set<string>();
  private readonly createdRoles = new Set<string>();

  constructor(private readonly options: IamGatewayOptions) {
    this.client = options.client;
    this.consistency = { ...DEFAULT_CONSISTENCY, ...options.consistency };
  }

  async observe(scope: ObserveScope, signal?: AbortSignal): Promise<ObservedState> {
    const policyNames = new Set(scope.policyNames);
    const groupNames = new Set(scope.groupNames);
    const roleNames = new Set(scope.roleNames);
    const observed: ObservedState = { policies: {}, groups: {}, roles: {} };
    const binding = this.binding(signal);
    const pages = paginateGetAccountAuthorizationDetails(
      { client: this.client, pageSize: GAAD_PAGE_SIZE, withCommand: (c) => withPolicy(c, this.options.policy, binding) },
      { Filter: ['Group', 'Role', 'LocalManagedPolicy'] },
      { abortSignal: signal },
    );
    for await (const page of pages) {
      for (const g of page.GroupDetailList ?? []) {
        if (g.GroupName && groupNames.has(g.GroupName)) observed.groups[g.GroupName] = toGroup(g);
      }
      for (const r of page.RoleDetailList ?? []) {
        if (r.RoleName && roleNames.has(r.RoleName)) observed.roles[r.RoleName] = toRole(r);
      }
      for (const p of page.Policies ?? []) {
        if (p.PolicyName && policyNames.has(p.PolicyName)) observed.policies[p.PolicyName] = toPolicy(p);
      }
    }
    // GAAD's RoleDetail carries neither Description nor MaxSessionDuration: one GetRole per
    // declared role that exists (the baseline has one), so UpdateRole drift can be seen.
    for (const name of Object.keys(observed.roles)) {
      try {
        const out = await this.client.send(withPolicy(new GetRoleCommand({ RoleName: name }), this.options.policy, binding), { abortSignal: signal });
        observed.roles[name].description = out.Role?.Description ?? undefined;
        observed.roles[name].maxSessionDuration = out.Role?.MaxSessionDuration ?? undefined;
      } catch (e) {
        // Deleted between the two reads: report it absent, the planner recreates it.
        if (isNoSuchEntity(e)) delete observed.roles[name];
        else throw e;
      }
    }
    return observed;
  }

  async apply(change: Change, signal?: AbortSignal): Promise<void> {
    const b = this.binding(signal);
    const p = this.options.policy;
    const o = { abortSignal: signal };
    switch (change.type) {
      case 'CreatePolicy': {
        const out = await this.client.send(
          withPolicy(
            new CreatePolicyCommand({
              PolicyName: change.policyName,
              Path: change.path,
              Description: change.description,
              PolicyDocument: encodePolicyDocument(change.document),
              Tags: toTags(change.tags),
            }),
            p,
            b,
          ),
          o,
        );
        this.createdPolicyArns.add(out.Policy?.Arn ?? this.policyArn(change.path, change.policyName));
        return;
      }
      case 'CreatePolicyVersion':
        await this.client.send(
          withPolicy(new CreatePolicyVersionCommand({ PolicyArn: change.policyArn, PolicyDocument: encodePolicyDocument(change.document), SetAsDefault: true }), p, b),
          o,
        );
        return;
      case 'DeletePolicyVersion':
        await this.client.send(withPolicy(new DeletePolicyVersionCommand({ PolicyArn: change.policyArn, VersionId: change.versionId }), p, b), o);
        return;
      case 'CreateGroup':
        await this.client.send(withPolicy(new CreateGroupCommand({ GroupName: change.groupName, Path: change.path }), p, b), o);
        this.createdGroups.add(change.groupName);
        return;
      case 'AttachGroupPolicy':
        await this.tolerateNew(this.createdGroups.has(change.groupName) || this.createdPolicyArns.has(change.policyArn), signal, () =>
          this.client.send(withPolicy(new AttachGroupPolicyCommand({ GroupName: change.groupName, PolicyArn: change.policyArn }), p, b), o),
        );
        return;
      case 'DetachGroupPolicy':
        await this.client.send(withPolicy(new DetachGroupPolicyCommand({ GroupName: change.groupName, PolicyArn: change.policyArn }), p, b), o);
        return;
      case 'PutGroupPolicy':
        await this.tolerateNew(this.createdGroups.has(change.groupName), signal, () =>
          this.client.send(
            withPolicy(
              new PutGroupPolicyCommand({ GroupName: change.groupName, PolicyName: change.policyName, PolicyDocument: encodePolicyDocument(change.document) }),
              p,
              b,
            ),
            o,
          ),
        );
        return;
      case 'DeleteGroupPolicy':
        await this.client.send(withPolicy(new DeleteGroupPolicyCommand({ GroupName: change.groupName, PolicyName: change.policyName }), p, b), o);
        return;
      case 'CreateRole':
        await this.client.send(
          withPolicy(
            new CreateRoleCommand({
              RoleName: change.roleName,
              Path: change.path,
              Description: change.description,
              MaxSessionDuration: change.maxSessionDuration,
              AssumeRolePolicyDocument: encodePolicyDocument(change.trustPolicy),
              Tags: toTags(change.tags),
            }),
            p,
            b,
          ),
          o,
        );
        this.createdRoles.add(change.roleName);
        return;
      case 'UpdateAssumeRolePolicy':
        await this.tolerateNew(this.createdRoles.has(change.roleName), signal, () =>
          this.client.send(withPolicy(new UpdateAssumeRolePolicyCommand({ RoleName: change.roleName, PolicyDocument: encodePolicyDocument(change.document) }), p, b), o),
        );
        return;
      case 'UpdateRole':
        await this.tolerateNew(this.createdRoles.has(change.roleName), signal, () =>
          this.client.send(
            withPolicy(new UpdateRoleCommand({ RoleName: change.roleName, Description: change.description, MaxSessionDuration: change.maxSessionDuration }), p, b),
            o,
          ),
        );
        return;
      case 'TagRole':
        await this.tolerateNew(this.createdRoles.has(change.roleName), signal, () =>
          this.client.send(withPolicy(new TagRoleCommand({ RoleName: change.roleName, Tags: toTags(change.tags) ?? [] }), p, b), o),
        );
        return;
      case 'AttachRolePolicy':
        await this.tolerateNew(this.createdRoles.has(change.roleName) || this.createdPolicyArns.has(change.policyArn), signal, () =>
          this.client.send(withPolicy(new AttachRolePolicyCommand({ RoleName: change.roleName, PolicyArn: change.policyArn }), p, b), o),
        );
        return;
      case 'DetachRolePolicy':
        await this.client.send(withPolicy(new DetachRolePolicyCommand({ RoleName: change.roleName, PolicyArn: change.policyArn }), p, b), o);
        return;
      case 'PutRolePolicy':
        await this.tolerateNew(this.createdRoles.has(change.roleName), signal, () =>
          this.client.send(
            withPolicy(
              new PutRolePolicyCommand({ RoleName: change.roleName, PolicyName: change.policyName, PolicyDocument: encodePolicyDocument(change.document) }),
              p,
              b,
            ),
            o,
          ),
        );
        return;
      case 'DeleteRolePolicy':
        await this.client.send(withPolicy(new DeleteRolePolicyCommand({ RoleName: change.roleName, PolicyName: change.policyName }), p, b), o);
        return;
      default: {
        const unknown: never = change;
        throw new DomainError('INTERNAL', `unknown change type ${JSON.stringify((unknown as { type?: unknown }).type)}`);
      }
    }
  }

  private binding(signal?: AbortSignal): CallBinding {
    return { service: 'iam', calls: this.options.calls, signal };
  }

  private policyArn(path: string, name: string): string {
    return `arn:${this.options.partition}:iam::${this.options.accountId}:policy${path}${name}`;
  }

  /** Retries a NoSuchEntity briefly when the entity was created by this gateway moments ago. */
  private async tolerateNew(justCreated: boolean, signal: AbortSignal | undefined, send: () => Promise<unknown>): Promise<void> {
    for (let n = 1; ; n++) {
      try {
        await send();
        return;
      } catch (e) {
        if (!justCreated || n >= this.consistency.attempts || !isNoSuchEntity(e)) throw e;
        await pause(this.consistency.delayMs * 2 ** (n - 1), signal);
      }
    }
  }
}

function isNoSuchEntity(e: unknown): boolean {
  if (!isDomainError(e)) return false;
  const code = (e as DomainError).details?.awsCode;
  return code === 'NoSuchEntity' || code === 'NoSuchEntityException';
}

function toTags(tags: Record<string, string>): Tag[] | undefined {
  const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return list.length ? list : undefined;
}

function fromTags(tags: Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

function arns(list: AttachedPolicy[] | undefined): string[] {
  return (list ?? []).flatMap((a) => (a.PolicyArn ? [a.PolicyArn] : []));
}

function inline(list: PolicyDetail[] | undefined, where: string): { name: string; document: PolicyDocument }[] {
  return (list ?? []).flatMap((d) =>
    d.PolicyName && d.PolicyDocument !== undefined ? [{ name: d.PolicyName, document: decodePolicyDocument(d.PolicyDocument, `${where} inline policy ${d.PolicyName}`) }] : [],
  );
}

function toGroup(g: GroupDetail): ObservedGroup {
  const name = g.GroupName as string;
  return {
    name,
    path: g.Path ?? '/',
    arn: g.Arn ?? '',
    managedPolicyArns: arns(g.AttachedManagedPolicies),
    inlinePolicies: inline(g.GroupPolicyList, `group ${name}`),
  };
}

function toRole(r: RoleDetail): ObservedRole {
  const name = r.RoleName as string;
  return {
    name,
    path: r.Path ?? '/',
    arn: r.Arn ?? '',
    trustPolicy: r.AssumeRolePolicyDocument ? decodePolicyDocument(r.AssumeRolePolicyDocument, `role ${name} trust policy`) : {},
    managedPolicyArns: arns(r.AttachedManagedPolicies),
    inlinePolicies: inline(r.RolePolicyList, `role ${name}`),
    tags: fromTags(r.Tags),
  };
}

function toPolicy(p: ManagedPolicyDetail): ObservedPolicy {
  const name = p.PolicyName as string;
  return {
    name,
    path: p.Path ?? '/',
    arn: p.Arn ?? '',
    defaultVersionId: p.DefaultVersionId ?? '',
    versions: (p.PolicyVersionList ?? []).map((v) => ({
      versionId: v.VersionId ?? '',
      isDefault: v.IsDefaultVersion === true,
      document: v.Document !== undefined ? decodePolicyDocument(v.Document, `policy ${name} ${v.VersionId ?? ''}`) : {},
      createDate: v.CreateDate instanceof Date ? v.CreateDate.toISOString() : new Date(0).toISOString(),
    })),
  };
}
