/**
 * The force-MFA promise as a table of requests and the answers IAM must give, checked
 * against a rendered baseline. One table serves `validate --check-mfa` (with the
 * evaluator in ./policy-evaluator.ts) and the tests (which also run it through an
 * independent evaluator), so the runtime check and the proof cannot drift apart.
 *
 * The promise: without MFA a user can only sign in, change their own password, read the
 * password policy, and create, enable and list their own MFA device; with MFA everything
 * their other permissions allow works, creating their own access keys included. Nobody
 * touches another user's credentials or MFA through this policy; deactivating one's own
 * MFA device needs MFA; long-term access keys without MFA are denied. Administrators get
 * admin rights only by assuming the admin role, which needs MFA.
 */
import type { DesiredGroup, DesiredState, PolicyDocument } from '../model.js';
import {
  evaluateIdentityPolicies,
  evaluateTrustPolicy,
  type AuthorizationRequest,
  type ContextValue,
  type EvaluationResult,
  type NamedPolicy,
} from './policy-evaluator.js';

/** How the caller authenticated, which decides `aws:MultiFactorAuthPresent`. */
export type MfaSession =
  /** Console sign-in without MFA: the key is present and false. */
  | 'console-without-mfa'
  /** Console sign-in with MFA: present and true. */
  | 'console-with-mfa'
  /** Long-term access keys: the key is absent. */
  | 'access-keys'
  /** GetSessionToken called with an MFA code: present and true. */
  | 'session-token-with-mfa'
  /** GetSessionToken called without an MFA code: present and false. */
  | 'session-token-without-mfa';

/**
 * Whose identity policies apply. `broad` adds an AdministratorAccess-like policy standing
 * for the users' other permissions, so that a denial can only come from the baseline.
 */
export type MfaPolicySet = 'users' | 'users+broad' | 'administrators' | 'administrators-only';

/** The caller: a member of Users, a member of Administrators (and Users), or a user of another account. */
export type MfaCaller = 'user' | 'administrator' | 'other-account-user';

export type ExpectedDecision = 'allowed' | 'explicitly denied' | 'implicitly denied';

export interface MfaExpectation {
  /** What the promise says, reported by name when it breaks. */
  expectation: string;
  /** `identity`: the caller's identity policies; `trust`: the admin role's trust policy. */
  side: 'identity' | 'trust';
  /** Identity side only. */
  policies?: MfaPolicySet;
  caller: MfaCaller;
  session: MfaSession;
  action: string;
  /** An ARN template: `{{Partition}}`, `{{AccountId}}`, `{{AdminRoleArn}}`; or `*`. */
  resource: string;
  expect: ExpectedDecision;
}

/** The sample users of the table. */
export const MFA_USERS = { user: 'alice', other: 'bob', administrator: 'carol', outsider: 'mallory' } as const;

const SELF = `arn:{{Partition}}:iam::{{AccountId}}:user/${MFA_USERS.user}`;
const OTHER = `arn:{{Partition}}:iam::{{AccountId}}:user/${MFA_USERS.other}`;
const mfaDevice = (name: string): string => `arn:{{Partition}}:iam::{{AccountId}}:mfa/${name}`;
const ADMIN_ROLE = '{{AdminRoleArn}}';
const OTHER_ROLE = 'arn:{{Partition}}:iam::{{AccountId}}:role/SomeOtherRole';

function id(
  session: MfaSession,
  policies: MfaPolicySet,
  action: string,
  resource: string,
  expect: ExpectedDecision,
  expectation: string,
  caller: MfaCaller = policies.startsWith('administrators') ? 'administrator' : 'user',
): MfaExpectation {
  return { expectation, side: 'identity', policies, caller, session, action, resource, expect };
}

function trust(session: MfaSession, caller: MfaCaller, expect: ExpectedDecision, expectation: string): MfaExpectation {
  return { expectation, side: 'trust', caller, session, action: 'sts:AssumeRole', resource: ADMIN_ROLE, expect };
}

/** The one table. Names are stable: scripts may grep `validate --check-mfa` output for them. */
export const MFA_EXPECTATIONS: readonly MfaExpectation[] = Object.freeze([
  // Enrolment: what a user can do before they have MFA.
  id('console-without-mfa', 'users', 'iam:ChangePassword', SELF, 'allowed', 'without MFA a user can change their own (temporary) password'),
  id('console-without-mfa', 'users', 'iam:GetAccountPasswordPolicy', '*', 'allowed', 'without MFA a user can read the account password policy'),
  id('console-without-mfa', 'users', 'iam:GetUser', SELF, 'allowed', 'without MFA a user can read their own user (the console needs it to sign in)'),
  id('console-without-mfa', 'users', 'iam:CreateVirtualMFADevice', mfaDevice(MFA_USERS.user), 'allowed', 'without MFA a user can create a virtual MFA device named after themselves'),
  id('console-without-mfa', 'users', 'iam:CreateVirtualMFADevice', mfaDevice('alice-phone'), 'allowed', 'without MFA a user can create a virtual MFA device with any name'),
  id('console-without-mfa', 'users', 'iam:EnableMFADevice', SELF, 'allowed', 'without MFA a user can enable their own MFA device'),
  id('console-without-mfa', 'users', 'iam:ListMFADevices', SELF, 'allowed', 'without MFA a user can list their own MFA devices'),
  id('console-without-mfa', 'users', 'iam:ListVirtualMFADevices', '*', 'allowed', 'without MFA a user can list virtual MFA devices'),
  id('console-without-mfa', 'users', 'iam:ResyncMFADevice', SELF, 'allowed', 'without MFA a user can resynchronise their own MFA device'),
  id('console-without-mfa', 'users', 'iam:GetMFADevice', SELF, 'allowed', 'without MFA a user can read their own MFA device (security keys)'),
  id('access-keys', 'users', 'iam:EnableMFADevice', SELF, 'allowed', 'with long-term access keys and no MFA a user can still enable their own MFA device'),
  id('access-keys', 'users+broad', 'sts:GetSessionToken', '*', 'allowed', 'with long-term access keys a user can call GetSessionToken to start an MFA session'),

  // Without MFA everything else is denied, whatever the user's other permissions allow.
  id('console-without-mfa', 'users+broad', 'iam:CreateAccessKey', SELF, 'explicitly denied', 'without MFA (console) a user cannot create their own access keys'),
  id('access-keys', 'users+broad', 'iam:CreateAccessKey', SELF, 'explicitly denied', 'with long-term access keys and no MFA a user cannot create access keys'),
  id('console-without-mfa', 'users+broad', 'iam:ListAccessKeys', SELF, 'explicitly denied', 'without MFA a user cannot list their access keys'),
  id('console-without-mfa', 'users+broad', 'iam:DeleteAccessKey', SELF, 'explicitly denied', 'without MFA a user cannot delete their access keys'),
  id('console-without-mfa', 'users', 'iam:DeactivateMFADevice', SELF, 'explicitly denied', 'without MFA a user cannot deactivate their own MFA device'),
  id('console-without-mfa', 'users+broad', 'iam:DeactivateMFADevice', SELF, 'explicitly denied', 'without MFA a user cannot deactivate their own MFA device, even with other permissions'),
  id('access-keys', 'users+broad', 'iam:DeactivateMFADevice', SELF, 'explicitly denied', 'with long-term access keys and no MFA a user cannot deactivate their MFA device'),
  id('console-without-mfa', 'users+broad', 'iam:AttachUserPolicy', SELF, 'explicitly denied', 'without MFA a user cannot grant themselves permissions'),
  id('console-without-mfa', 'users+broad', 'iam:GetLoginProfile', SELF, 'explicitly denied', 'without MFA a user cannot read their login profile (nothing beyond the listed self-service)'),
  id('console-without-mfa', 'users+broad', 's3:ListAllMyBuckets', '*', 'explicitly denied', 'without MFA (console) s3:ListAllMyBuckets is denied'),
  id('access-keys', 'users+broad', 's3:ListAllMyBuckets', '*', 'explicitly denied', 'with long-term access keys and no MFA s3:ListAllMyBuckets is denied'),
  id('session-token-without-mfa', 'users+broad', 's3:ListAllMyBuckets', '*', 'explicitly denied', 'a session token obtained without MFA does not count as MFA'),
  id('console-without-mfa', 'users+broad', 'ec2:DescribeInstances', '*', 'explicitly denied', 'without MFA (console) ec2:DescribeInstances is denied'),
  id('access-keys', 'users+broad', 'ec2:DescribeInstances', '*', 'explicitly denied', 'with long-term access keys and no MFA ec2:DescribeInstances is denied'),
  id('console-without-mfa', 'users+broad', 'sts:AssumeRole', ADMIN_ROLE, 'explicitly denied', 'without MFA a user cannot assume roles, even with other permissions'),

  // With MFA: self-service works, and the rest is up to the user's other permissions.
  id('console-with-mfa', 'users', 'iam:CreateAccessKey', SELF, 'allowed', 'with MFA (console) a user can create their own access keys'),
  id('session-token-with-mfa', 'users', 'iam:CreateAccessKey', SELF, 'allowed', 'with an MFA session token a user can create their own access keys'),
  id('console-with-mfa', 'users', 'iam:ListAccessKeys', SELF, 'allowed', 'with MFA a user can list their own access keys'),
  id('console-with-mfa', 'users', 'iam:DeleteAccessKey', SELF, 'allowed', 'with MFA a user can delete their own access keys'),
  id('console-with-mfa', 'users', 'iam:DeactivateMFADevice', SELF, 'allowed', 'with MFA a user can deactivate their own MFA device'),
  id('console-with-mfa', 'users+broad', 's3:ListAllMyBuckets', '*', 'allowed', 'with MFA (console) the user\'s other permissions work (s3:ListAllMyBuckets)'),
  id('session-token-with-mfa', 'users+broad', 's3:ListAllMyBuckets', '*', 'allowed', 'with an MFA session token the user\'s other permissions work (s3:ListAllMyBuckets)'),
  id('console-with-mfa', 'users+broad', 'ec2:DescribeInstances', '*', 'allowed', 'with MFA the user\'s other permissions work (ec2:DescribeInstances)'),
  id('console-with-mfa', 'users', 's3:ListAllMyBuckets', '*', 'implicitly denied', 'the Users policy itself grants nothing outside self-service (s3:ListAllMyBuckets)'),
  id('console-with-mfa', 'users', 'ec2:DescribeInstances', '*', 'implicitly denied', 'the Users policy itself grants nothing outside self-service (ec2:DescribeInstances)'),
  id('console-with-mfa', 'users', 'iam:AttachUserPolicy', SELF, 'implicitly denied', 'the Users policy does not let a user grant themselves permissions'),

  // Nobody touches another user's credentials or MFA through this policy.
  id('console-with-mfa', 'users', 'iam:ChangePassword', OTHER, 'implicitly denied', 'a user cannot change another user\'s password'),
  id('console-with-mfa', 'users', 'iam:UpdateLoginProfile', OTHER, 'implicitly denied', 'a user cannot reset another user\'s console password'),
  id('console-with-mfa', 'users', 'iam:CreateAccessKey', OTHER, 'implicitly denied', 'a user cannot create access keys for another user'),
  id('console-with-mfa', 'users', 'iam:ListAccessKeys', OTHER, 'implicitly denied', 'a user cannot list another user\'s access keys'),
  id('console-with-mfa', 'users', 'iam:UpdateAccessKey', OTHER, 'implicitly denied', 'a user cannot change another user\'s access keys'),
  id('console-with-mfa', 'users', 'iam:DeleteAccessKey', OTHER, 'implicitly denied', 'a user cannot delete another user\'s access keys'),
  id('console-without-mfa', 'users', 'iam:EnableMFADevice', OTHER, 'implicitly denied', 'without MFA a user cannot enable an MFA device for another user'),
  id('console-with-mfa', 'users', 'iam:EnableMFADevice', OTHER, 'implicitly denied', 'a user cannot enable an MFA device for another user'),
  id('console-with-mfa', 'users', 'iam:DeactivateMFADevice', OTHER, 'implicitly denied', 'a user cannot deactivate another user\'s MFA device'),
  id('console-with-mfa', 'users', 'iam:ResyncMFADevice', OTHER, 'implicitly denied', 'a user cannot resynchronise another user\'s MFA device'),
  id('console-without-mfa', 'users', 'iam:ListMFADevices', OTHER, 'implicitly denied', 'a user cannot list another user\'s MFA devices'),
  id('console-with-mfa', 'users', 'iam:DeleteVirtualMFADevice', mfaDevice(MFA_USERS.other), 'implicitly denied', 'a user cannot delete another user\'s virtual MFA device'),

  // Administrators: admin rights only through the admin role, and only with MFA (identity side).
  id('console-with-mfa', 'administrators', 'sts:AssumeRole', ADMIN_ROLE, 'allowed', 'with MFA (console) an Administrators member can assume the admin role'),
  id('session-token-with-mfa', 'administrators', 'sts:AssumeRole', ADMIN_ROLE, 'allowed', 'with an MFA session token an Administrators member can assume the admin role'),
  id('console-without-mfa', 'administrators', 'sts:AssumeRole', ADMIN_ROLE, 'explicitly denied', 'without MFA an Administrators member cannot assume the admin role'),
  id('access-keys', 'administrators', 'sts:AssumeRole', ADMIN_ROLE, 'explicitly denied', 'with long-term access keys and no MFA an Administrators member cannot assume the admin role'),
  id('access-keys', 'administrators-only', 'sts:AssumeRole', ADMIN_ROLE, 'implicitly denied', 'the Administrators policy alone requires MFA to assume the admin role (access keys)'),
  id('console-without-mfa', 'administrators-only', 'sts:AssumeRole', ADMIN_ROLE, 'implicitly denied', 'the Administrators policy alone requires MFA to assume the admin role (console)'),
  id('console-with-mfa', 'administrators', 'sts:AssumeRole', OTHER_ROLE, 'implicitly denied', 'the Administrators policy allows assuming the admin role only'),
  id('console-with-mfa', 'administrators', 's3:ListAllMyBuckets', '*', 'implicitly denied', 'Administrators members get no admin rights without assuming the admin role'),
  id('console-with-mfa', 'users', 'sts:AssumeRole', ADMIN_ROLE, 'implicitly denied', 'a user outside Administrators cannot assume the admin role'),

  // The admin role's trust policy: this account only, MFA required.
  trust('console-with-mfa', 'administrator', 'allowed', 'the admin role trusts principals of its own account that signed in with MFA'),
  trust('session-token-with-mfa', 'administrator', 'allowed', 'the admin role trusts principals of its own account with an MFA session token'),
  trust('console-without-mfa', 'administrator', 'implicitly denied', 'the admin role\'s trust policy refuses sessions without MFA'),
  trust('access-keys', 'administrator', 'implicitly denied', 'the admin role\'s trust policy refuses long-term access keys without MFA'),
  trust('console-with-mfa', 'other-account-user', 'implicitly denied', 'the admin role does not trust other accounts'),
]);

// ---------------------------------------------------------------------------
// Turning the table into concrete requests
// ---------------------------------------------------------------------------

export interface MfaRequestContext {
  accountId: string;
  partition: string;
  /** The admin role's ARN (its path included). */
  adminRoleArn: string;
}

/** Another account for the "other account" rows, never equal to the sample account. */
export function otherAccountId(accountId: string): string {
  return accountId === '999999999999' ? '888888888888' : '999999999999';
}

function sessionContext(session: MfaSession): Record<string, ContextValue> {
  switch (session) {
    case 'console-without-mfa':
    case 'session-token-without-mfa':
      return { 'aws:MultiFactorAuthPresent': 'false' };
    case 'console-with-mfa':
    case 'session-token-with-mfa':
      return { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '120' };
    case 'access-keys':
      return {};
  }
}

/** The concrete request a row stands for: principal, action, resource and context keys. */
export function requestFor(row: MfaExpectation, ctx: MfaRequestContext): AuthorizationRequest {
  const account = row.caller === 'other-account-user' ? otherAccountId(ctx.accountId) : ctx.accountId;
  const userName = row.caller === 'user' ? MFA_USERS.user : row.caller === 'administrator' ? MFA_USERS.administrator : MFA_USERS.outsider;
  const principal = `arn:${ctx.partition}:iam::${account}:user/${userName}`;
  const resource = row.resource
    .replaceAll('{{AdminRoleArn}}', ctx.adminRoleArn)
    .replaceAll('{{Partition}}', ctx.partition)
    .replaceAll('{{AccountId}}', ctx.accountId);
  return {
    principal,
    action: row.action,
    resource,
    context: {
      'aws:username': userName,
      'aws:PrincipalArn': principal,
      'aws:PrincipalAccount': account,
      'aws:PrincipalType': 'User',
      ...sessionContext(row.session),
    },
  };
}

/** Stands for the users' other permissions (AdministratorAccess-like) in the `users+broad` rows. */
export const BROAD_OTHER_PERMISSIONS: NamedPolicy = Object.freeze({
  name: 'OtherPermissions',
  document: { Version: '2012-10-17', Statement: [{ Sid: 'EverythingElse', Effect: 'Allow', Action: '*', Resource: '*' }] },
});

/** The documents the table is checked against. */
export interface MfaPolicies {
  /** Every policy attached to the Users group (a null document: content unknown). */
  users: NamedPolicy[];
  /** Every policy attached to the Administrators group. */
  administrators: NamedPolicy[];
  adminTrust: PolicyDocument;
}

/** The identity policies of a policy set. */
export function identityPoliciesFor(set: MfaPolicySet, policies: MfaPolicies): NamedPolicy[] {
  switch (set) {
    case 'users':
      return policies.users;
    case 'users+broad':
      return [...policies.users, BROAD_OTHER_PERMISSIONS];
    case 'administrators':
      // Every human user is in Users, administrators included.
      return [...policies.users, ...policies.administrators];
    case 'administrators-only':
      return policies.administrators;
  }
}

/** Evaluates one row with this package's evaluator. */
export function evaluateExpectation(row: MfaExpectation, policies: MfaPolicies, ctx: MfaRequestContext): EvaluationResult {
  const request = requestFor(row, ctx);
  if (row.side === 'trust') return evaluateTrustPolicy(policies.adminTrust, request, 'admin-trust');
  return evaluateIdentityPolicies(identityPoliciesFor(row.policies ?? 'users', policies), request);
}

// ---------------------------------------------------------------------------
// checkMfaBaseline: the runtime side of `validate --check-mfa`
// ---------------------------------------------------------------------------

export interface MfaBaselineNames {
  /** The group every human user is in. */
  usersGroup: string;
  /** The force-MFA managed policy, attached to usersGroup. */
  mfaPolicy: string;
  administratorsGroup: string;
  adminRole: string;
}

export const DEFAULT_MFA_NAMES: Readonly<MfaBaselineNames> = Object.freeze({
  usersGroup: 'Users',
  mfaPolicy: 'RequireMFAPolicy',
  administratorsGroup: 'Administrators',
  adminRole: 'admin',
});

export interface MfaCheckResult {
  expectation: string;
  ok: boolean;
  expected: 'allowed' | 'denied';
  /** `allowed`, `explicitly denied`, `implicitly denied`, or `cannot evaluate: <why>`. */
  actual: string;
}

function groupPolicies(desired: DesiredState, group: DesiredGroup): NamedPolicy[] {
  const byArn = new Map(desired.policies.map((p) => [p.arn, p]));
  return [
    ...group.managedPolicyArns.map((arn) => {
      const p = byArn.get(arn);
      // A policy the baseline does not define (an AWS-managed one, say) could allow or deny anything.
      return p ? { name: p.name, document: p.document } : { name: arn, document: null };
    }),
    ...group.inlinePolicies.map((p) => ({ name: `${group.name}/${p.name}`, document: p.document })),
  ];
}

/** Locates the documents by name; a string says what is missing. */
function locate(desired: DesiredState, ctx: { accountId: string; partition: string }, names: MfaBaselineNames): { policies: MfaPolicies; adminRoleArn: string } | string {
  const users = desired.groups.find((g) => g.name === names.usersGroup);
  if (!users) return `the baseline has no group ${names.usersGroup}`;
  const mfa = desired.policies.find((p) => p.name === names.mfaPolicy);
  if (!mfa) return `the baseline has no managed policy ${names.mfaPolicy}`;
  if (!users.managedPolicyArns.includes(mfa.arn)) return `${names.mfaPolicy} is not attached to group ${names.usersGroup}`;
  const admins = desired.groups.find((g) => g.name === names.administratorsGroup);
  if (!admins) return `the baseline has no group ${names.administratorsGroup}`;
  const role = desired.roles.find((r) => r.name === names.adminRole);
  if (!role) return `the baseline has no role ${names.adminRole}`;
  return {
    policies: { users: groupPolicies(desired, users), administrators: groupPolicies(desired, admins), adminTrust: role.trustPolicy },
    adminRoleArn: `arn:${ctx.partition}:iam::${ctx.accountId}:role${role.path}${role.name}`,
  };
}

/**
 * Checks a baseline rendered for one account against every row of MFA_EXPECTATIONS and
 * names each the baseline breaks (for example a RequireMFAPolicy that locks users out of
 * MFA enrolment, or lets them skip MFA). A row the evaluator cannot judge is not ok, with
 * `actual` saying why.
 */
export function checkMfaBaseline(
  desired: DesiredState,
  ctx: { accountId: string; partition: string },
  names: Partial<MfaBaselineNames> = {},
): MfaCheckResult[] {
  const found = locate(desired, ctx, { ...DEFAULT_MFA_NAMES, ...names });
  return MFA_EXPECTATIONS.map((row) => {
    const expected = row.expect === 'allowed' ? 'allowed' : 'denied';
    if (typeof found === 'string') return { expectation: row.expectation, ok: false, expected, actual: `cannot evaluate: ${found}` };
    const result = evaluateExpectation(row, found.policies, { ...ctx, adminRoleArn: found.adminRoleArn });
    const actual = result.decision === 'cannot evaluate' ? `cannot evaluate: ${result.reason}` : result.decision;
    const ok = expected === 'allowed' ? result.decision === 'allowed' : result.decision === 'explicitly denied' || result.decision === 'implicitly denied';
    return { expectation: row.expectation, ok, expected, actual };
  });
}
