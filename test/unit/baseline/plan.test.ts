import { describe, expect, it } from 'vitest';
import { describeChange, loadBaseline, MANAGED_BY_TAG, plan, policyArn, renderBaseline } from '../../../src/core/baseline/index.js';
import type { DesiredState, ObservedPolicyVersion, ObservedState, PolicyDocument } from '../../../src/core/model.js';
import { applyChanges } from './iam-model.js';

const CTX = { accountId: '123456789012', partition: 'aws' };
const doc = (action: string): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const trust = (account: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
});
const ADMIN_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const READ_ARN = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const P_ARN = policyArn(CTX, '/', 'P');
const empty = (): ObservedState => ({ policies: {}, groups: {}, roles: {} });

function desired(over: Partial<DesiredState> = {}): DesiredState {
  return {
    policies: [{ name: 'P', path: '/', arn: P_ARN, description: 'd', document: doc('s3:GetObject') }],
    groups: [{ name: 'G', path: '/', managedPolicyArns: [P_ARN], inlinePolicies: [{ name: 'I', document: doc('sts:AssumeRole') }], exclusive: false }],
    roles: [
      {
        name: 'R',
        path: '/',
        description: 'admin role',
        maxSessionDuration: 3600,
        trustPolicy: trust('123456789012'),
        managedPolicyArns: [ADMIN_ARN],
        inlinePolicies: [],
        exclusive: false,
      },
    ],
    ...over,
  };
}

const version = (n: number, day: number, isDefault: boolean, action = `a:${n}`): ObservedPolicyVersion => ({
  versionId: `v${n}`,
  isDefault,
  document: doc(action),
  createDate: `2024-01-${String(day).padStart(2, '0')}T00:00:00Z`,
});

describe('plan', () => {
  it('plans the whole seed baseline for a fresh account, policies before the attachments that use them', () => {
    const state = renderBaseline(loadBaseline('config/baseline.json').baseline, CTX);
    const changes = plan(state, empty());
    expect(changes.map((c) => c.type)).toEqual([
      'CreatePolicy',
      'CreateGroup',
      'AttachGroupPolicy',
      'CreateGroup',
      'PutGroupPolicy',
      'CreateRole',
      'AttachRolePolicy',
    ]);
    expect(changes[0]).toMatchObject({ policyName: 'RequireMFAPolicy', tags: { [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value } });
    expect(changes[2]).toEqual({ type: 'AttachGroupPolicy', groupName: 'Users', policyArn: 'arn:aws:iam::123456789012:policy/RequireMFAPolicy' });
    expect(changes[5]).toMatchObject({ type: 'CreateRole', roleName: 'admin', maxSessionDuration: 3600, tags: { 'managed-by': 'org-iam-rollout' } });
    expect(plan(state, applyChanges(empty(), changes, CTX))).toEqual([]);
  });

  it('adds opts.tags to created policies and roles without letting them replace managed-by', () => {
    const changes = plan(desired(), empty(), { tags: { team: 'sec', 'managed-by': 'someone-else' } });
    const created = changes.filter((c) => c.type === 'CreatePolicy' || c.type === 'CreateRole');
    expect(created).toHaveLength(2);
    for (const c of created) expect((c as { tags: Record<string, string> }).tags).toEqual({ team: 'sec', 'managed-by': 'org-iam-rollout' });
  });

  it('returns [] for a compliant account, even when keys come back in another order', () => {
    const d = desired();
    const observed = applyChanges(empty(), plan(d, empty()), CTX);
    const reordered = structuredClone(observed);
    reordered.policies.P.versions[0].document = { Statement: [{ Resource: '*', Action: 's3:GetObject', Effect: 'Allow' }], Version: '2012-10-17' };
    expect(plan(d, observed)).toEqual([]);
    expect(plan(d, reordered)).toEqual([]);
  });

  it('creates a new default version when the default document changed', () => {
    const observed = applyChanges(empty(), plan(desired(), empty()), CTX);
    const d = desired({ policies: [{ ...desired().policies[0], document: doc('s3:PutObject') }] });
    expect(plan(d, observed)).toEqual([{ type: 'CreatePolicyVersion', policyArn: P_ARN, document: doc('s3:PutObject'), setAsDefault: true }]);
  });

  it('creates a new version even when a non-default version already holds the desired document', () => {
    const observed = applyChanges(empty(), plan(desired(), empty()), CTX);
    observed.policies.P = { ...observed.policies.P, defaultVersionId: 'v2', versions: [version(1, 1, false, 's3:GetObject'), version(2, 2, true, 'x:y')] };
    expect(plan(desired(), observed).map((c) => c.type)).toEqual(['CreatePolicyVersion']);
  });

  it('with 5 versions, deletes the oldest non-default version first (by createDate, not by number)', () => {
    const observed = applyChanges(empty(), plan(desired(), empty()), CTX);
    // v1 is the default and the oldest; v4 is older than v2 by date.
    observed.policies.P = {
      ...observed.policies.P,
      defaultVersionId: 'v1',
      versions: [version(1, 1, true), version(2, 5, false), version(3, 6, false), version(4, 3, false), version(5, 7, false)],
    };
    const changes = plan(desired(), observed);
    expect(changes).toEqual([
      { type: 'DeletePolicyVersion', policyArn: P_ARN, versionId: 'v4' },
      { type: 'CreatePolicyVersion', policyArn: P_ARN, document: doc('s3:GetObject'), setAsDefault: true },
    ]);
    const after = applyChanges(observed, changes, CTX);
    expect(after.policies.P.versions).toHaveLength(5);
    expect(plan(desired(), after)).toEqual([]);
  });

  it('breaks createDate ties by the lowest version number', () => {
    const observed = applyChanges(empty(), plan(desired(), empty()), CTX);
    observed.policies.P = {
      ...observed.policies.P,
      defaultVersionId: 'v12',
      versions: [version(12, 1, true), version(10, 2, false), version(9, 2, false), version(11, 2, false), version(13, 3, false)],
    };
    expect(plan(desired(), observed)[0]).toEqual({ type: 'DeletePolicyVersion', policyArn: P_ARN, versionId: 'v9' });
  });

  it('with fewer than 5 versions deletes nothing', () => {
    const observed = applyChanges(empty(), plan(desired(), empty()), CTX);
    observed.policies.P = { ...observed.policies.P, defaultVersionId: 'v4', versions: [1, 2, 3, 4].map((n) => version(n, n, n === 4)) };
    expect(plan(desired(), observed).map((c) => c.type)).toEqual(['CreatePolicyVersion']);
  });

  describe('extra attachments and inline policies', () => {
    const withExtras = (d: DesiredState): ObservedState => {
      const o = applyChanges(empty(), plan(d, empty()), CTX);
      o.groups.G.managedPolicyArns.push(READ_ARN);
      o.groups.G.inlinePolicies.push({ name: 'Extra', document: doc('ec2:*') });
      o.roles.R.managedPolicyArns.push(READ_ARN);
      o.roles.R.inlinePolicies.push({ name: 'Extra', document: doc('ec2:*') });
      return o;
    };

    it('non-exclusive groups and roles leave them alone', () => {
      expect(plan(desired(), withExtras(desired()))).toEqual([]);
    });

    it('exclusive groups and roles detach and delete them', () => {
      const d = desired();
      d.groups[0].exclusive = true;
      d.roles[0].exclusive = true;
      const changes = plan(d, withExtras(d));
      expect(changes).toEqual([
        { type: 'DetachGroupPolicy', groupName: 'G', policyArn: READ_ARN },
        { type: 'DeleteGroupPolicy', groupName: 'G', policyName: 'Extra' },
        { type: 'DetachRolePolicy', roleName: 'R', policyArn: READ_ARN },
        { type: 'DeleteRolePolicy', roleName: 'R', policyName: 'Extra' },
      ]);
      expect(plan(d, applyChanges(withExtras(d), changes, CTX))).toEqual([]);
    });

    it('attaches missing policies and rewrites changed inline policies before removing extras', () => {
      const d = desired();
      d.groups[0].exclusive = true;
      const o = withExtras(d);
      o.groups.G.managedPolicyArns = [READ_ARN];
      o.groups.G.inlinePolicies[0].document = doc('changed:*');
      expect(plan(d, o).filter((c) => 'groupName' in c)).toEqual([
        { type: 'AttachGroupPolicy', groupName: 'G', policyArn: P_ARN },
        { type: 'PutGroupPolicy', groupName: 'G', policyName: 'I', document: doc('sts:AssumeRole') },
        { type: 'DetachGroupPolicy', groupName: 'G', policyArn: READ_ARN },
        { type: 'DeleteGroupPolicy', groupName: 'G', policyName: 'Extra' },
      ]);
    });

    it('detaches first when attaching first would exceed 10 managed policies', () => {
      const d = desired();
      d.groups[0].exclusive = true;
      const o = applyChanges(empty(), plan(d, empty()), CTX);
      o.groups.G.managedPolicyArns = Array.from({ length: 10 }, (_, i) => `arn:aws:iam::aws:policy/Extra${i}`);
      const changes = plan(d, o).filter((c) => 'groupName' in c);
      expect(changes.map((c) => c.type)).toEqual([...Array(10).fill('DetachGroupPolicy'), 'AttachGroupPolicy']);
      expect(plan(d, applyChanges(o, plan(d, o), CTX))).toEqual([]);
    });

    it('deletes first when writing first would exceed the inline size budget of a group', () => {
      const big = (n: number): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: 'x'.repeat(n) }] });
      const d = desired();
      d.groups[0] = { ...d.groups[0], exclusive: true, inlinePolicies: [{ name: 'I', document: big(3000) }] };
      const o = applyChanges(empty(), plan(desired(), empty()), CTX);
      o.groups.G.inlinePolicies = [{ name: 'Old', document: big(3000) }];
      expect(plan(d, o).filter((c) => 'groupName' in c).map((c) => c.type)).toEqual(['DeleteGroupPolicy', 'PutGroupPolicy']);
    });
  });

  describe('roles', () => {
    const observedRole = () => applyChanges(empty(), plan(desired(), empty()), CTX);

    it('updates a drifted trust policy', () => {
      const o = observedRole();
      o.roles.R.trustPolicy = trust('999999999999');
      expect(plan(desired(), o)).toEqual([{ type: 'UpdateAssumeRolePolicy', roleName: 'R', document: trust('123456789012') }]);
    });

    it('updates only the drifted declared fields: description', () => {
      const o = observedRole();
      o.roles.R.description = 'something else';
      expect(plan(desired(), o)).toEqual([{ type: 'UpdateRole', roleName: 'R', description: 'admin role' }]);
    });

    it('updates only the drifted declared fields: max session duration', () => {
      const o = observedRole();
      o.roles.R.maxSessionDuration = 43200;
      expect(plan(desired(), o)).toEqual([{ type: 'UpdateRole', roleName: 'R', maxSessionDuration: 3600 }]);
    });

    it('leaves undeclared description and duration alone', () => {
      const d = desired();
      delete d.roles[0].description;
      delete d.roles[0].maxSessionDuration;
      const o = observedRole();
      o.roles.R.description = 'hand-written';
      o.roles.R.maxSessionDuration = 7200;
      expect(plan(d, o)).toEqual([]);
    });

    it('treats a missing observed max session duration as the IAM default of 3600', () => {
      const o = observedRole();
      delete o.roles.R.maxSessionDuration;
      expect(plan(desired(), o)).toEqual([]);
    });

    it('adopts an existing untagged role with TagRole', () => {
      const o = observedRole();
      o.roles.R.tags = { owner: 'ops' };
      const changes = plan(desired(), o, { tags: { team: 'sec' } });
      expect(changes).toEqual([{ type: 'TagRole', roleName: 'R', tags: { team: 'sec', 'managed-by': 'org-iam-rollout' } }]);
      expect(describeChange(changes[0]).detail).toMatch(/adopt existing role/);
      expect(plan(desired(), applyChanges(o, changes, CTX))).toEqual([]);
    });

    it('orders role drift: trust policy, settings, adoption tag, then attachments', () => {
      const o = observedRole();
      o.roles.R = { ...o.roles.R, trustPolicy: trust('999999999999'), maxSessionDuration: 7200, tags: {}, managedPolicyArns: [] };
      expect(plan(desired(), o).map((c) => c.type)).toEqual(['UpdateAssumeRolePolicy', 'UpdateRole', 'TagRole', 'AttachRolePolicy']);
    });
  });

  it('does not mistake prototype properties for observed entities', () => {
    const d = desired();
    d.groups[0] = { ...d.groups[0], name: 'constructor' };
    expect(plan(d, empty()).filter((c) => c.type === 'CreateGroup')).toEqual([{ type: 'CreateGroup', groupName: 'constructor', path: '/' }]);
  });
});
