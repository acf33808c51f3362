/** In-memory IAM entities of one simulated account. Names are matched case-insensitively, as IAM does. */

export interface Tag {
  key: string;
  value: string;
}

export interface PolicyVersionState {
  versionId: string;
  /** The document exactly as submitted; encoded only on the way out. */
  document: string;
  createDate: string;
}

export interface ManagedPolicyState {
  name: string;
  path: string;
  id: string;
  arn: string;
  description?: string;
  createDate: string;
  updateDate: string;
  defaultVersionId: string;
  /** Oldest first; at most five. */
  versions: PolicyVersionState[];
  nextVersion: number;
  tags: Tag[];
}

export interface InlinePolicy {
  name: string;
  document: string;
}

export interface GroupState {
  name: string;
  path: string;
  id: string;
  arn: string;
  createDate: string;
  /** Canonical ARNs, in attachment order. */
  attached: string[];
  /** Keyed by policy name. */
  inline: Map<string, InlinePolicy>;
  /** Lower-cased user names. */
  members: Set<string>;
}

export interface RoleState {
  name: string;
  path: string;
  id: string;
  arn: string;
  createDate: string;
  trustPolicy: string;
  description?: string;
  maxSessionDuration: number;
  tags: Tag[];
  attached: string[];
  inline: Map<string, InlinePolicy>;
}

export interface MfaDeviceState {
  serialNumber: string;
  enableDate: string;
}

export interface AccessKeyState {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createDate: string;
}

export interface UserState {
  name: string;
  path: string;
  id: string;
  arn: string;
  createDate: string;
  tags: Tag[];
  /** Lower-cased group names. */
  groups: Set<string>;
  loginProfile?: { createDate: string; passwordResetRequired: boolean };
  mfaDevices: MfaDeviceState[];
  accessKeys: AccessKeyState[];
}

/** Who a managed policy is attached to, by lower-cased entity name. */
export interface Attachments {
  groups: Set<string>;
  roles: Set<string>;
  users: Set<string>;
}

export class AccountIam {
  readonly policies = new Map<string, ManagedPolicyState>();
  readonly groups = new Map<string, GroupState>();
  readonly roles = new Map<string, RoleState>();
  readonly users = new Map<string, UserState>();
  /** Keyed by canonical policy ARN, local and AWS-managed alike. */
  readonly attachments = new Map<string, Attachments>();
  /** Bumped on every create so that a re-created entity gets a new id. */
  sequence = 0;

  constructor(readonly accountId: string) {}

  attachmentCount(arn: string): number {
    const a = this.attachments.get(arn);
    return a ? a.groups.size + a.roles.size + a.users.size : 0;
  }

  attachmentsOf(arn: string): Attachments {
    let a = this.attachments.get(arn);
    if (!a) {
      a = { groups: new Set(), roles: new Set(), users: new Set() };
      this.attachments.set(arn, a);
    }
    return a;
  }

  /** Drops the entry once nothing refers to it, so detaching leaves no residue. */
  pruneAttachments(arn: string): void {
    if (this.attachmentCount(arn) === 0) this.attachments.delete(arn);
  }
}

export function nameKey(name: string): string {
  return name.toLowerCase();
}
