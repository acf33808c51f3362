/**
 * The planner: pure and deterministic. Order: managed policies, then groups, then
 * roles, so a policy created in this plan exists before anything attaches it.
 * Within a group or role, additions come before removals (no moment with neither the
 * old nor the new permission), unless adding first would break an IAM quota that the
 * removals free up (10 attached policies, the inline-policy size budget).
 */
import type {
  Change,
  DesiredGroup,
  DesiredPolicy,
  DesiredRole,
  DesiredState,
  ObservedGroup,
  ObservedPolicy,
  ObservedPolicyVersion,
  ObservedRole,
  ObservedState,
  PolicyDocument,
} from '../model.js';
import { documentsEqual } from './canonical-document.js';
import { DEFAULT_MAX_SESSION_DURATION, IAM_LIMITS } from './iam-limits.js';
import { MANAGED_BY_TAG } from './managed-by-tag.js';
import { policySize } from './policy-size.js';

export interface PlanOptions {
  /** Extra tags for the policies and roles this plan creates or adopts (managed-by is always set). */
  tags?: Record<string, string>;
}

/** Pure: the ordered changes that make `observed` match `desired`. */
export function plan(desired: DesiredState, observed: ObservedState, opts: PlanOptions = {}): Change[] {
  const changes: Change[] = [];
  for (const p of desired.policies) changes.push(...planPolicy(p, lookup(observed.policies, p.name), opts.tags));
  for (const g of desired.groups) changes.push(...planGroup(g, lookup(observed.groups, g.name)));
  for (const r of desired.roles) changes.push(...planRole(r, lookup(observed.roles, r.name), opts.tags));
  return changes;
}

// IAM names such as "constructor" are valid; never let a prototype property pass for an observed entity.
function lookup<T>(record: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

function managedTags(extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value };
}

function planPolicy(p: DesiredPolicy, o: ObservedPolicy | undefined, extraTags?: Record<string, string>): Change[] {
  if (!o) {
    return [
      {
        type: 'CreatePolicy',
        policyName: p.name,
        path: p.path,
        ...(p.description !== undefined && { description: p.description }),
        document: p.document,
        tags: managedTags(extraTags),
      },
    ];
  }
  const current = o.versions.find((v) => v.versionId === o.defaultVersionId) ?? o.versions.find((v) => v.isDefault);
  if (current && documentsEqual(current.document, p.document)) return [];

  // A new version is always created, even when an older version already holds the document:
  // one predictable path. Room is made first, because IAM refuses a sixth version.
  const deletable = o.versions.filter((v) => v !== current).sort(oldestFirst);
  const excess = Math.max(0, o.versions.length - (IAM_LIMITS.policyVersions - 1));
  const changes: Change[] = deletable.slice(0, excess).map((v) => ({ type: 'DeletePolicyVersion', policyArn: o.arn, versionId: v.versionId }));
  changes.push({ type: 'CreatePolicyVersion', policyArn: o.arn, document: p.document, setAsDefault: true });
  return changes;
}

function oldestFirst(a: ObservedPolicyVersion, b: ObservedPolicyVersion): number {
  const ta = time(a.createDate);
  const tb = time(b.createDate);
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = versionNumber(a.versionId);
  const nb = versionNumber(b.versionId);
  if (na !== nb) return na < nb ? -1 : 1;
  return a.versionId < b.versionId ? -1 : a.versionId > b.versionId ? 1 : 0;
}

function time(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

function versionNumber(versionId: string): number {
  const m = /^v(\d+)$/i.exec(versionId);
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
}

function planGroup(g: DesiredGroup, o: ObservedGroup | undefined): Change[] {
  const changes: Change[] = o ? [] : [{ type: 'CreateGroup', groupName: g.name, path: g.path }];
  const n = g.name;
  changes.push(
    ...planPolicies(g, o, IAM_LIMITS.groupInlineSize, {
      attach: (policyArn) => ({ type: 'AttachGroupPolicy', groupName: n, policyArn }),
      detach: (policyArn) => ({ type: 'DetachGroupPolicy', groupName: n, policyArn }),
      put: (policyName, document) => ({ type: 'PutGroupPolicy', groupName: n, policyName, document }),
      remove: (policyName) => ({ type: 'DeleteGroupPolicy', groupName: n, policyName }),
    }),
  );
  return changes;
}

function planRole(r: DesiredRole, o: ObservedRole | undefined, extraTags?: Record<string, string>): Change[] {
  const changes: Change[] = [];
  if (!o) {
    changes.push({
      type: 'CreateRole',
      roleName: r.name,
      path: r.path,
      ...(r.description !== undefined && { description: r.description }),
      ...(r.maxSessionDuration !== undefined && { maxSessionDuration: r.maxSessionDuration }),
      trustPolicy: r.trustPolicy,
      tags: managedTags(extraTags),
    });
  } else {
    if (!documentsEqual(o.trustPolicy, r.trustPolicy)) {
      changes.push({ type: 'UpdateAssumeRolePolicy', roleName: r.name, document: r.trustPolicy });
    }
    // Only fields the baseline declares are managed; an undeclared description is left as found.
    const descriptionDrift = r.description !== undefined && (o.description ?? '') !== r.description;
    const durationDrift = r.maxSessionDuration !== undefined && (o.maxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION) !== r.maxSessionDuration;
    if (descriptionDrift || durationDrift) {
      changes.push({
        type: 'UpdateRole',
        roleName: r.name,
        ...(descriptionDrift && { description: r.description }),
        ...(durationDrift && { maxSessionDuration: r.maxSessionDuration }),
      });
    }
    if (o.tags?.[MANAGED_BY_TAG.key] !== MANAGED_BY_TAG.value) {
      changes.push({ type: 'TagRole', roleName: r.name, tags: managedTags(extraTags) });
    }
  }
  const n = r.name;
  changes.push(
    ...planPolicies(r, o, IAM_LIMITS.roleInlineSize, {
      attach: (policyArn) => ({ type: 'AttachRolePolicy', roleName: n, policyArn }),
      detach: (policyArn) => ({ type: 'DetachRolePolicy', roleName: n, policyArn }),
      put: (policyName, document) => ({ type: 'PutRolePolicy', roleName: n, policyName, document }),
      remove: (policyName) => ({ type: 'DeleteRolePolicy', roleName: n, policyName }),
    }),
  );
  return changes;
}

interface PolicyHolderOps {
  attach(arn: string): Change;
  detach(arn: string): Change;
  put(name: string, document: PolicyDocument): Change;
  remove(name: string): Change;
}

type Holder = { managedPolicyArns: string[]; inlinePolicies: { name: string; document: PolicyDocument }[] };

function planPolicies(desired: Holder & { exclusive: boolean }, observed: Holder | undefined, inlineLimit: number, ops: PolicyHolderOps): Change[] {
  const attached = new Set(observed?.managedPolicyArns ?? []);
  const present = new Map((observed?.inlinePolicies ?? []).map((p) => [p.name, p.document]));

  const toAttach = desired.managedPolicyArns.filter((arn) => !attached.has(arn));
  const toPut = desired.inlinePolicies.filter((p) => !present.has(p.name) || !documentsEqual(present.get(p.name), p.document));
  let toDetach: string[] = [];
  let toRemove: string[] = [];
  if (desired.exclusive) {
    const wanted = new Set(desired.managedPolicyArns);
    const wantedInline = new Set(desired.inlinePolicies.map((p) => p.name));
    // Sorted, so the plan does not depend on the order observe() listed things in.
    toDetach = [...attached].filter((arn) => !wanted.has(arn)).sort();
    toRemove = [...present.keys()].filter((name) => !wantedInline.has(name)).sort();
  }

  const additions = [...toAttach.map(ops.attach), ...toPut.map((p) => ops.put(p.name, p.document))];
  const removals = [...toDetach.map(ops.detach), ...toRemove.map(ops.remove)];
  const attachQuotaHit = toDetach.length > 0 && attached.size + toAttach.length > IAM_LIMITS.managedPoliciesPerEntity;
  const inlineQuotaHit = toRemove.length > 0 && inlineSizeAfterPuts(desired, present) > inlineLimit;
  return attachQuotaHit || inlineQuotaHit ? [...removals, ...additions] : [...additions, ...removals];
}

function inlineSizeAfterPuts(desired: Holder, present: Map<string, PolicyDocument>): number {
  const after = new Map(present);
  for (const p of desired.inlinePolicies) after.set(p.name, p.document);
  let total = 0;
  for (const doc of after.values()) total += policySize(doc);
  return total;
}
