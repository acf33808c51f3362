/**
 * The least-privilege IAM policies under config/iam/ against the AWS operations the code
 * actually calls (scanned from src/aws), so the two never drift apart: every call is
 * allowed, on the baseline's own resources only, and nothing is granted that no code calls.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../../src/core/model.js';
import { evaluateIdentityPolicies, evaluateTrustPolicy } from '../../../src/core/security/policy-evaluator.js';
import { readJson, REPO_ROOT, renderSampleBaseline } from './sample-baseline.js';

const HUB_ACCOUNT = '444455556666';
const MEMBER_ACCOUNT = '111122223333';
const HUB_PRINCIPAL = `arn:aws:iam::${HUB_ACCOUNT}:role/org-iam-rollout`;
const EXTERNAL_ID = 'rollout-external-id-1234';

/** Renders the config/iam placeholders for the sample hub. */
function render(file: string): PolicyDocument {
  const text = JSON.stringify(readJson(`config/iam/${file}`))
    .replaceAll('{{Partition}}', 'aws')
    .replaceAll('{{HubAccountId}}', HUB_ACCOUNT)
    .replaceAll('{{HubPrincipalArn}}', HUB_PRINCIPAL)
    .replaceAll('{{ExternalId}}', EXTERNAL_ID);
  return JSON.parse(text) as PolicyDocument;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const SDK_SERVICE: Record<string, string> = { iam: 'iam', sts: 'sts', organizations: 'organizations' };

/**
 * `service:Operation` for every `new <Op>Command(` and `paginate<Op>(` in src/aws, the
 * service taken from the `@aws-sdk/client-*` package the name is imported from.
 */
function operationsCalledByTheCode(): { operations: Set<string>; unresolved: string[] } {
  const operations = new Set<string>();
  const unresolved: string[] = [];
  for (const file of tsFiles(join(REPO_ROOT, 'src/aws'))) {
    const source = readFileSync(file, 'utf8');
    const serviceOf = new Map<string, string>();
    for (const m of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"]@aws-sdk\/client-([\w-]+)['"]/g)) {
      for (const raw of m[1].split(',')) {
        const name = raw.replace(/^\s*type\s+/, '').split(/\s+as\s+/)[0].trim();
        if (name) serviceOf.set(name, SDK_SERVICE[m[2]] ?? m[2]);
      }
    }
    const uses = [
      ...[...source.matchAll(/new\s+(\w+)Command\s*\(/g)].map((m) => ({ name: `${m[1]}Command`, op: m[1] })),
      ...[...source.matchAll(/\bpaginate(\w+)\s*\(/g)].map((m) => ({ name: `paginate${m[1]}`, op: m[1] })),
    ];
    for (const { name, op } of uses) {
      const service = serviceOf.get(name);
      if (service) operations.add(`${service}:${op}`);
      else unresolved.push(`${relative(REPO_ROOT, file)}: ${name}`);
    }
  }
  // Needs no permission: "No permissions are required to perform this operation" (STS API reference).
  operations.delete('sts:GetCallerIdentity');
  return { operations, unresolved };
}

/**
 * Permissions a call needs besides its own (IAM User Guide, "Permissions required to tag
 * IAM resources": creating a policy or role with tags also needs iam:TagPolicy / iam:TagRole).
 */
const ALSO_NEEDS: Record<string, string[]> = {
  'iam:CreatePolicy': ['iam:TagPolicy'],
  'iam:CreateRole': ['iam:TagRole'],
};

/** The resource type each IAM operation the rollout calls acts on (Service Authorization Reference). */
const IAM_RESOURCE_OF: Record<string, 'account' | 'policy' | 'group' | 'role'> = {
  GetAccountAuthorizationDetails: 'account',
  CreatePolicy: 'policy',
  CreatePolicyVersion: 'policy',
  DeletePolicyVersion: 'policy',
  ListPolicyVersions: 'policy',
  GetPolicy: 'policy',
  GetPolicyVersion: 'policy',
  TagPolicy: 'policy',
  CreateGroup: 'group',
  GetGroup: 'group',
  AttachGroupPolicy: 'group',
  DetachGroupPolicy: 'group',
  PutGroupPolicy: 'group',
  DeleteGroupPolicy: 'group',
  ListAttachedGroupPolicies: 'group',
  ListGroupPolicies: 'group',
  GetGroupPolicy: 'group',
  CreateRole: 'role',
  GetRole: 'role',
  UpdateRole: 'role',
  UpdateAssumeRolePolicy: 'role',
  TagRole: 'role',
  UntagRole: 'role',
  ListRoleTags: 'role',
  AttachRolePolicy: 'role',
  DetachRolePolicy: 'role',
  PutRolePolicy: 'role',
  DeleteRolePolicy: 'role',
  ListAttachedRolePolicies: 'role',
  ListRolePolicies: 'role',
  GetRolePolicy: 'role',
};

function grantedActions(doc: PolicyDocument): string[] {
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Record<string, unknown>[];
  return statements.flatMap((s) => {
    expect(s.Effect).toBe('Allow');
    expect(s.NotAction, 'NotAction grants more than it names').toBeUndefined();
    expect(s.NotResource).toBeUndefined();
    const actions = [s.Action].flat() as string[];
    for (const a of actions) expect(a, 'least privilege: name each action, no wildcards').toMatch(/^[a-z]+:[A-Za-z]+$/);
    return actions;
  });
}

const { operations, unresolved } = operationsCalledByTheCode();
const required = new Set([...operations].flatMap((op) => [op, ...(ALSO_NEEDS[op] ?? [])]));
const hubPolicy = render('hub-policy.json');
const memberPolicy = render('member-role-policy.json');
const memberTrust = render('member-role-trust.json');

const allowedBy = (doc: PolicyDocument, principal: string, action: string, resource: string) =>
  evaluateIdentityPolicies([{ name: 'policy', document: doc }], { principal, action, resource, context: {} }).decision;

describe('config/iam placeholders', () => {
  it('are only {{Partition}}, {{HubAccountId}}, {{HubPrincipalArn}} and {{ExternalId}}', () => {
    expect(JSON.stringify([hubPolicy, memberPolicy, memberTrust])).not.toMatch(/\{\{\s*\w+\s*\}\}/);
  });
});

describe('the code\'s AWS calls', () => {
  it('are found in src/aws, each with its SDK client package', () => {
    expect(unresolved, 'calls whose service could not be told from the imports').toEqual([]);
    expect([...operations].some((op) => op.startsWith('iam:'))).toBe(true);
    expect([...operations].some((op) => op.startsWith('organizations:'))).toBe(true);
    expect(operations.has('sts:AssumeRole')).toBe(true);
  });
});

describe('config/iam/hub-policy.json', () => {
  const hubOps = [...required].filter((op) => !op.startsWith('iam:'));

  it('allows every Organizations and STS call the code makes', () => {
    for (const op of hubOps) {
      const resource = op === 'sts:AssumeRole' ? `arn:aws:iam::${MEMBER_ACCOUNT}:role/OrganizationAccountAccessRole` : '*';
      expect(allowedBy(hubPolicy, HUB_PRINCIPAL, op, resource), op).toBe('allowed');
    }
  });

  it('grants nothing the code never calls', () => {
    expect(grantedActions(hubPolicy).filter((a) => !hubOps.includes(a))).toEqual([]);
  });

  it('lets the hub assume the member role (default or dedicated) and no other role', () => {
    const assume = (role: string) => allowedBy(hubPolicy, HUB_PRINCIPAL, 'sts:AssumeRole', `arn:aws:iam::${MEMBER_ACCOUNT}:role/${role}`);
    expect(assume('OrganizationAccountAccessRole')).toBe('allowed');
    expect(assume('OrgIamRolloutMember')).toBe('allowed');
    expect(assume('admin')).toBe('implicitly denied');
    expect(allowedBy(hubPolicy, HUB_PRINCIPAL, 'iam:CreateRole', `arn:aws:iam::${HUB_ACCOUNT}:role/admin`)).toBe('implicitly denied');
  });
});

describe('config/iam/member-role-policy.json', () => {
  const iamOps = [...required].filter((op) => op.startsWith('iam:'));
  const baseline = renderSampleBaseline({ accountId: MEMBER_ACCOUNT, partition: 'aws' });
  const resourcesOf = {
    account: ['*'],
    policy: baseline.policies.map((p) => p.arn),
    group: baseline.groups.map((g) => `arn:aws:iam::${MEMBER_ACCOUNT}:group${g.path}${g.name}`),
    role: baseline.roles.map((r) => `arn:aws:iam::${MEMBER_ACCOUNT}:role${r.path}${r.name}`),
  };
  const outsiders = {
    policy: `arn:aws:iam::${MEMBER_ACCOUNT}:policy/SomeoneElsesPolicy`,
    group: `arn:aws:iam::${MEMBER_ACCOUNT}:group/Developers`,
    role: `arn:aws:iam::${MEMBER_ACCOUNT}:role/OrganizationAccountAccessRole`,
  };
  const member = `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/OrgIamRolloutMember/org-iam-rollout`;

  it('knows the resource type of every IAM call the code makes', () => {
    expect(iamOps.filter((op) => !(op.slice(4) in IAM_RESOURCE_OF))).toEqual([]);
  });

  it('allows every IAM call the code makes, on each of the default baseline\'s resources', () => {
    for (const op of iamOps) {
      for (const resource of resourcesOf[IAM_RESOURCE_OF[op.slice(4)]]) {
        expect(allowedBy(memberPolicy, member, op, resource), `${op} on ${resource}`).toBe('allowed');
      }
    }
  });

  it('allows them on nothing else', () => {
    for (const op of iamOps) {
      const type = IAM_RESOURCE_OF[op.slice(4)];
      if (type === 'account') continue;
      expect(allowedBy(memberPolicy, member, op, outsiders[type]), `${op} on ${outsiders[type]}`).toBe('implicitly denied');
    }
    expect(allowedBy(memberPolicy, member, 'iam:CreateUser', `arn:aws:iam::${MEMBER_ACCOUNT}:user/mallory`)).toBe('implicitly denied');
    expect(allowedBy(memberPolicy, member, 'iam:AddUserToGroup', resourcesOf.group[0])).toBe('implicitly denied');
    expect(allowedBy(memberPolicy, member, 'iam:CreateAccessKey', `arn:aws:iam::${MEMBER_ACCOUNT}:user/alice`)).toBe('implicitly denied');
  });

  it('grants nothing the code never calls', () => {
    expect(grantedActions(memberPolicy).filter((a) => !iamOps.includes(a))).toEqual([]);
  });
});

describe('config/iam/member-role-trust.json', () => {
  const assume = (principal: string, context: Record<string, string>) =>
    evaluateTrustPolicy(memberTrust, {
      principal,
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${MEMBER_ACCOUNT}:role/OrgIamRolloutMember`,
      context: { 'aws:PrincipalArn': principal, ...context },
    }).decision;

  it('trusts the hub principal presenting the external id', () => {
    expect(assume(HUB_PRINCIPAL, { 'sts:ExternalId': EXTERNAL_ID })).toBe('allowed');
  });

  it('refuses a wrong or missing external id, other principals of the hub account, and other accounts', () => {
    expect(assume(HUB_PRINCIPAL, { 'sts:ExternalId': 'guess' })).toBe('implicitly denied');
    expect(assume(HUB_PRINCIPAL, {})).toBe('implicitly denied');
    expect(assume(`arn:aws:iam::${HUB_ACCOUNT}:user/intern`, { 'sts:ExternalId': EXTERNAL_ID })).toBe('implicitly denied');
    expect(assume(`arn:aws:iam::999999999999:role/org-iam-rollout`, { 'sts:ExternalId': EXTERNAL_ID })).toBe('implicitly denied');
  });
});
