import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import type { DesiredState, PolicyDocument } from '../../../src/core/model.js';
import {
  BROAD_OTHER_PERMISSIONS,
  MFA_EXPECTATIONS,
  checkMfaBaseline,
  identityPoliciesFor,
  requestFor,
  type MfaPolicies,
} from '../../../src/core/security/mfa-expectations.js';
import { renderSampleBaseline, SAMPLE } from './sample-baseline.js';

type Statement = Record<string, unknown>;

/** The sample baseline with RequireMFAPolicy's statements rewritten by `edit`. */
function withRequireMfa(edit: (statements: Statement[]) => Statement[]): DesiredState {
  const desired = structuredClone(renderSampleBaseline());
  const policy = desired.policies.find((p) => p.name === 'RequireMFAPolicy')!;
  policy.document = { ...policy.document, Statement: edit(structuredClone(policy.document.Statement as Statement[])) };
  return desired;
}

function bySid(statements: Statement[], sid: string): Statement {
  const st = statements.find((s) => s.Sid === sid);
  if (!st) throw new Error(`no statement ${sid}`);
  return st;
}

const failing = (desired: DesiredState) =>
  checkMfaBaseline(desired, SAMPLE)
    .filter((r) => !r.ok)
    .map((r) => r.expectation);

/** The expectations iam-simulate says `desired` breaks: the independent answer for the same question. */
async function failingPerIamSimulate(desired: DesiredState): Promise<string[]> {
  const users = desired.groups.find((g) => g.name === 'Users')!;
  const admins = desired.groups.find((g) => g.name === 'Administrators')!;
  const policies: MfaPolicies = {
    users: users.managedPolicyArns.map((arn) => {
      const p = desired.policies.find((x) => x.arn === arn)!;
      return { name: p.name, document: p.document };
    }),
    administrators: admins.inlinePolicies.map((p) => ({ name: p.name, document: p.document })),
    adminTrust: desired.roles.find((r) => r.name === 'admin')!.trustPolicy,
  };
  const ctx = { ...SAMPLE, adminRoleArn: `arn:aws:iam::${SAMPLE.accountId}:role/admin` };
  const out: string[] = [];
  for (const row of MFA_EXPECTATIONS) {
    const request = requestFor(row, ctx);
    const response = await runSimulation(
      {
        request: {
          principal: request.principal,
          action: request.action,
          resource: { resource: request.resource, accountId: SAMPLE.accountId },
          contextVariables: request.context,
        },
        identityPolicies: (row.side === 'trust' ? [BROAD_OTHER_PERMISSIONS] : identityPoliciesFor(row.policies!, policies)).map((p) => ({
          name: p.name,
          policy: p.document as PolicyDocument,
        })),
        resourcePolicy: row.side === 'trust' ? policies.adminTrust : undefined,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors));
    const allowed = response.overallResult === 'Allowed';
    if (allowed !== (row.expect === 'allowed')) out.push(row.expectation);
  }
  return out;
}

describe('checkMfaBaseline', () => {
  it('finds nothing wrong with the default baseline', () => {
    const results = checkMfaBaseline(renderSampleBaseline(), SAMPLE);
    expect(results).toHaveLength(MFA_EXPECTATIONS.length);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.find((r) => r.expectation === 'without MFA a user can enable their own MFA device')).toEqual({
      expectation: 'without MFA a user can enable their own MFA device',
      ok: true,
      expected: 'allowed',
      actual: 'allowed',
    });
    expect(results.find((r) => r.expectation === 'with long-term access keys and no MFA s3:ListAllMyBuckets is denied')).toMatchObject({
      ok: true,
      expected: 'denied',
      actual: 'explicitly denied',
    });
  });

  it('works for another partition and account', () => {
    const ctx = { accountId: '210987654321', partition: 'aws-us-gov' };
    expect(checkMfaBaseline(renderSampleBaseline(ctx), ctx).filter((r) => !r.ok)).toEqual([]);
  });

  describe('names what a modified RequireMFAPolicy breaks (and iam-simulate agrees)', () => {
    it('NotAction without iam:EnableMFADevice locks users out of MFA enrolment', async () => {
      const broken = withRequireMfa((sts) => {
        const deny = bySid(sts, 'DenyAllExceptListedIfNoMFA');
        deny.NotAction = (deny.NotAction as string[]).filter((a) => a !== 'iam:EnableMFADevice');
        return sts;
      });
      const names = failing(broken);
      expect(names).toEqual(['without MFA a user can enable their own MFA device', 'with long-term access keys and no MFA a user can still enable their own MFA device']);
      expect(await failingPerIamSimulate(broken)).toEqual(names);
      expect(checkMfaBaseline(broken, SAMPLE).find((r) => !r.ok)).toMatchObject({ expected: 'allowed', actual: 'explicitly denied' });
    });

    it('Bool instead of BoolIfExists lets long-term access keys skip MFA', async () => {
      const broken = withRequireMfa((sts) => {
        bySid(sts, 'DenyAllExceptListedIfNoMFA').Condition = { Bool: { 'aws:MultiFactorAuthPresent': 'false' } };
        return sts;
      });
      const names = failing(broken);
      expect(names).toEqual(
        expect.arrayContaining([
          'with long-term access keys and no MFA a user cannot create access keys',
          'with long-term access keys and no MFA a user cannot deactivate their MFA device',
          'with long-term access keys and no MFA s3:ListAllMyBuckets is denied',
          'with long-term access keys and no MFA ec2:DescribeInstances is denied',
        ]),
      );
      expect(names.every((n) => n.includes('long-term access keys'))).toBe(true);
      expect(await failingPerIamSimulate(broken)).toEqual(names);
    });

    it('DeactivateMFADevice allowed without MFA', async () => {
      const broken = withRequireMfa((sts) => {
        const deny = bySid(sts, 'DenyAllExceptListedIfNoMFA');
        deny.NotAction = [...(deny.NotAction as string[]), 'iam:DeactivateMFADevice'];
        delete bySid(sts, 'AllowDeactivateOwnMFAOnlyWithMFA').Condition;
        return sts;
      });
      const names = failing(broken);
      expect(names).toEqual([
        'without MFA a user cannot deactivate their own MFA device',
        'without MFA a user cannot deactivate their own MFA device, even with other permissions',
        'with long-term access keys and no MFA a user cannot deactivate their MFA device',
      ]);
      expect(await failingPerIamSimulate(broken)).toEqual(names);
    });

    it('a wildcard Allow without MFA', async () => {
      const broken = withRequireMfa((sts) => [...sts, { Sid: 'AllowEverything', Effect: 'Allow', Action: '*', Resource: '*' }]);
      const names = failing(broken);
      expect(names).toEqual(
        expect.arrayContaining([
          'the Users policy itself grants nothing outside self-service (s3:ListAllMyBuckets)',
          'a user cannot create access keys for another user',
          'a user cannot deactivate another user\'s MFA device',
          'a user outside Administrators cannot assume the admin role',
        ]),
      );
      expect(await failingPerIamSimulate(broken)).toEqual(names);
    });

    it('a Deny scoped to the user\'s own ARN (as some copies of the policy do) leaves other services open without MFA', async () => {
      const broken = withRequireMfa((sts) => {
        bySid(sts, 'DenyAllExceptListedIfNoMFA').Resource = `arn:aws:iam::${SAMPLE.accountId}:user/\${aws:username}`;
        return sts;
      });
      const names = failing(broken);
      expect(names).toContain('with long-term access keys and no MFA s3:ListAllMyBuckets is denied');
      expect(names).toContain('without MFA (console) ec2:DescribeInstances is denied');
      expect(names).not.toContain('without MFA a user can enable their own MFA device');
      expect(await failingPerIamSimulate(broken)).toEqual(names);
    });
  });

  it('names a trust policy that no longer requires MFA, and an Administrators policy without its MFA condition', async () => {
    const desired = structuredClone(renderSampleBaseline());
    const role = desired.roles.find((r) => r.name === 'admin')!;
    delete (role.trustPolicy.Statement as Statement[])[0].Condition;
    const inline = desired.groups.find((g) => g.name === 'Administrators')!.inlinePolicies[0];
    delete (inline.document.Statement as Statement[])[0].Condition;
    const names = failing(desired);
    expect(names).toEqual([
      'the Administrators policy alone requires MFA to assume the admin role (access keys)',
      'the Administrators policy alone requires MFA to assume the admin role (console)',
      'the admin role\'s trust policy refuses sessions without MFA',
      'the admin role\'s trust policy refuses long-term access keys without MFA',
    ]);
    expect(await failingPerIamSimulate(desired)).toEqual(names);
  });

  it('takes the group, policy and role names as parameters', () => {
    const desired = structuredClone(renderSampleBaseline());
    const policy = desired.policies.find((p) => p.name === 'RequireMFAPolicy')!;
    policy.name = 'ForceMFA';
    policy.arn = policy.arn.replace('RequireMFAPolicy', 'ForceMFA');
    const users = desired.groups.find((g) => g.name === 'Users')!;
    users.name = 'Humans';
    users.managedPolicyArns = [policy.arn];
    const defaults = checkMfaBaseline(desired, SAMPLE);
    expect(defaults.every((r) => !r.ok && r.actual === 'cannot evaluate: the baseline has no group Users')).toBe(true);
    expect(checkMfaBaseline(desired, SAMPLE, { usersGroup: 'Humans', mfaPolicy: 'ForceMFA' }).filter((r) => !r.ok)).toEqual([]);
  });

  it('notices an admin role renamed without updating the Administrators policy', () => {
    const desired = structuredClone(renderSampleBaseline());
    desired.roles.find((r) => r.name === 'admin')!.name = 'break-glass';
    expect(new Set(checkMfaBaseline(desired, SAMPLE).map((r) => r.actual))).toEqual(new Set(['cannot evaluate: the baseline has no role admin']));
    const results = checkMfaBaseline(desired, SAMPLE, { adminRole: 'break-glass' }).filter((r) => !r.ok);
    expect(results).toEqual([
      { expectation: 'with MFA (console) an Administrators member can assume the admin role', ok: false, expected: 'allowed', actual: 'implicitly denied' },
      { expectation: 'with an MFA session token an Administrators member can assume the admin role', ok: false, expected: 'allowed', actual: 'implicitly denied' },
    ]);
  });

  it('says so when RequireMFAPolicy is missing or not attached to Users', () => {
    const detached = structuredClone(renderSampleBaseline());
    detached.groups.find((g) => g.name === 'Users')!.managedPolicyArns = [];
    expect(checkMfaBaseline(detached, SAMPLE)[0]).toMatchObject({ ok: false, actual: 'cannot evaluate: RequireMFAPolicy is not attached to group Users' });
    const missing = structuredClone(renderSampleBaseline());
    missing.policies = [];
    expect(checkMfaBaseline(missing, SAMPLE)[0].actual).toBe('cannot evaluate: the baseline has no managed policy RequireMFAPolicy');
  });

  it('reports "cannot evaluate" for what its evaluator does not support, instead of a wrong answer', () => {
    const ip = withRequireMfa((sts) => {
      bySid(sts, 'DenyAllExceptListedIfNoMFA').Condition = {
        BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' },
        NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' },
      };
      return sts;
    });
    const results = checkMfaBaseline(ip, SAMPLE);
    const unsure = results.filter((r) => r.actual.startsWith('cannot evaluate'));
    expect(unsure.length).toBeGreaterThan(0);
    expect(unsure.every((r) => !r.ok)).toBe(true);
    expect(unsure[0].actual).toBe('cannot evaluate: RequireMFAPolicy/DenyAllExceptListedIfNoMFA: unsupported condition operator NotIpAddress');
    // Rows the unsupported condition cannot affect still get an answer.
    expect(results.find((r) => r.expectation === 'a user cannot change another user\'s password')).toMatchObject({ ok: true, actual: 'implicitly denied' });
  });

  it('treats a managed policy the baseline does not define as unknown content', () => {
    const desired = structuredClone(renderSampleBaseline());
    desired.groups.find((g) => g.name === 'Users')!.managedPolicyArns.push('arn:aws:iam::aws:policy/IAMUserChangePassword');
    const results = checkMfaBaseline(desired, SAMPLE);
    expect(results.find((r) => r.expectation === 'with MFA (console) a user can create their own access keys')).toMatchObject({
      ok: false,
      actual: 'cannot evaluate: the content of policy arn:aws:iam::aws:policy/IAMUserChangePassword is unknown',
    });
    // An explicit deny from RequireMFAPolicy stands whatever the unknown policy says.
    expect(results.find((r) => r.expectation === 'with long-term access keys and no MFA s3:ListAllMyBuckets is denied')).toMatchObject({ ok: true });
  });
});
