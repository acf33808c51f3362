/**
 * The domain model shared by the core, its ports and the adapters.
 * Pure types: nothing here imports infrastructure.
 */

/** A JSON policy document, parsed. */
export type PolicyDocument = Record<string, unknown>;

export type AccountState = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED' | 'PENDING_ACTIVATION';

/** One account of the organization as the directory sees it. */
export interface OrgAccount {
  id: string;
  name: string;
  email?: string;
  /** `State` when the API returns it, else mapped from the legacy `Status`. */
  state: AccountState;
}

// ---------------------------------------------------------------------------
// The baseline: what every account should hold.
// ---------------------------------------------------------------------------

/** An inline policy as declared (document still a template). */
export interface InlinePolicySpec {
  name: string;
  document: PolicyDocument;
  /** Where the document came from, for error messages. */
  source?: string;
}

export interface ManagedPolicySpec {
  name: string;
  path: string;
  description?: string;
  document: PolicyDocument;
  source?: string;
}

export interface GroupSpec {
  name: string;
  path: string;
  /** Baseline policy names or policy ARNs (templates allowed in ARNs). */
  managedPolicies: string[];
  inlinePolicies: InlinePolicySpec[];
  /** When true, managed and inline policies the baseline does not list are removed. */
  exclusive: boolean;
}

export interface RoleSpec {
  name: string;
  path: string;
  description?: string;
  maxSessionDuration?: number;
  trustPolicy: PolicyDocument;
  trustPolicySource?: string;
  managedPolicies: string[];
  inlinePolicies: InlinePolicySpec[];
  exclusive: boolean;
}

export interface Baseline {
  policies: ManagedPolicySpec[];
  groups: GroupSpec[];
  roles: RoleSpec[];
}

/** The context a baseline is rendered for. */
export interface RenderContext {
  accountId: string;
  partition: string;
}

/** The baseline rendered for one account: concrete documents and ARNs. */
export interface DesiredPolicy {
  name: string;
  path: string;
  arn: string;
  description?: string;
  document: PolicyDocument;
}
export interface DesiredGroup {
  name: string;
  path: string;
  managedPolicyArns: string[];
  inlinePolicies: { name: string; document: PolicyDocument }[];
  exclusive: boolean;
}
export interface DesiredRole {
  name: string;
  path: string;
  description?: string;
  maxSessionDuration?: number;
  trustPolicy: PolicyDocument;
  managedPolicyArns: string[];
  inlinePolicies: { name: string; document: PolicyDocument }[];
  exclusive: boolean;
}
export interface DesiredState {
  policies: DesiredPolicy[];
  groups: DesiredGroup[];
  roles: DesiredRole[];
}

// ---------------------------------------------------------------------------
// What an account holds now (documents already decoded and parsed).
// ---------------------------------------------------------------------------

export interface ObservedPolicyVersion {
  versionId: string;
  isDefault: boolean;
  document: PolicyDocument;
  /** ISO-8601; used to pick the oldest version to delete. */
  createDate: string;
}
export interface ObservedPolicy {
  name: string;
  path: string;
  arn: string;
  defaultVersionId: string;
  versions: ObservedPolicyVersion[];
}
export interface ObservedGroup {
  name: string;
  path: string;
  arn: string;
  managedPolicyArns: string[];
  inlinePolicies: { name: string; document: PolicyDocument }[];
}
export interface ObservedRole {
  name: string;
  path: string;
  arn: string;
  description?: string;
  maxSessionDuration?: number;
  trustPolicy: PolicyDocument;
  managedPolicyArns: string[];
  inlinePolicies: { name: string; document: PolicyDocument }[];
  tags: Record<string, string>;
}
/** Keyed by name. Only the names the baseline declares need to be present. */
export interface ObservedState {
  policies: Record<string, ObservedPolicy>;
  groups: Record<string, ObservedGroup>;
  roles: Record<string, ObservedRole>;
}

// ---------------------------------------------------------------------------
// Changes: the planner's output and the IAM gateway's input.
// ---------------------------------------------------------------------------

export type Change =
  | { type: 'CreatePolicy'; policyName: string; path: string; description?: string; document: PolicyDocument; tags: Record<string, string> }
  | { type: 'DeletePolicyVersion'; policyArn: string; versionId: string }
  | { type: 'CreatePolicyVersion'; policyArn: string; document: PolicyDocument; setAsDefault: true }
  | { type: 'CreateGroup'; groupName: string; path: string }
  | { type: 'AttachGroupPolicy'; groupName: string; policyArn: string }
  | { type: 'DetachGroupPolicy'; groupName: string; policyArn: string }
  | { type: 'PutGroupPolicy'; groupName: string; policyName: string; document: PolicyDocument }
  | { type: 'DeleteGroupPolicy'; groupName: string; policyName: string }
  | {
      type: 'CreateRole';
      roleName: string;
      path: string;
      description?: string;
      maxSessionDuration?: number;
      trustPolicy: PolicyDocument;
      tags: Record<string, string>;
    }
  | { type: 'UpdateAssumeRolePolicy'; roleName: string; document: PolicyDocument }
  | { type: 'UpdateRole'; roleName: string; description?: string; maxSessionDuration?: number }
  | { type: 'TagRole'; roleName: string; tags: Record<string, string> }
  | { type: 'AttachRolePolicy'; roleName: string; policyArn: string }
  | { type: 'DetachRolePolicy'; roleName: string; policyArn: string }
  | { type: 'PutRolePolicy'; roleName: string; policyName: string; document: PolicyDocument }
  | { type: 'DeleteRolePolicy'; roleName: string; policyName: string };

export type ChangeType = Change['type'];

// ---------------------------------------------------------------------------
// The report (shape fixed by shared/CONTRACT.md).
// ---------------------------------------------------------------------------

export type AccountStatus = 'compliant' | 'updated' | 'planned' | 'failed' | 'unreachable' | 'skipped';
export type RolloutStatus = 'running' | 'succeeded' | 'failed' | 'aborted' | 'cancelled' | 'interrupted';
export type RolloutTrigger = 'cli' | 'http' | 'schedule' | 'retry' | 'resume';

export interface ReportAction {
  type: ChangeType | string;
  resource: string;
  detail?: string;
}

export interface AccountResult {
  accountId: string;
  accountName: string;
  status: AccountStatus;
  reason?: string;
  actions: ReportAction[];
  error?: { code: string; message: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  apiCalls: { reads: number; writes: number };
}

export interface RolloutSummary {
  total: number;
  compliant: number;
  updated: number;
  planned: number;
  failed: number;
  unreachable: number;
  skipped: number;
}

/** The options a rollout was started with (recorded with it, never credentials). */
export interface RolloutOptions {
  dryRun: boolean;
  accounts?: string[];
  excludeAccounts?: string[];
  organizationalUnits?: string[];
  /** Tag filters: every key must match (value `*` matches any value). */
  accountTags?: Record<string, string>;
  concurrency: number;
  /** A count ("3") or a percent ("10%"). */
  failureTolerance: string;
  includeManagementAccount?: boolean;
}

export interface RolloutRecord {
  id: string;
  status: RolloutStatus;
  dryRun: boolean;
  trigger: RolloutTrigger;
  /** Who asked: "cli:<user>", "http:<token name>", "schedule". */
  requestedBy?: string;
  options: RolloutOptions;
  /** Set for resume/retry rollouts. */
  parentId?: string;
  startedAt: string;
  finishedAt: string | null;
  baselineHash: string;
  summary: RolloutSummary;
}

export interface RolloutReport extends RolloutRecord {
  accounts: AccountResult[];
}
