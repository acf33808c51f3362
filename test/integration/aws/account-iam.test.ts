import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Change, PolicyDocument } from '../../../src/core/model.js';
import type { CallCounter, ObserveScope } from '../../../src/core/ports.js';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';
import { adapters, member, org45, type Harness } from './helpers.js';

let sim: RunningSimulator;
let h: Harness;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, org: org45() });
  h = adapters(sim.endpoint);
});

afterAll(async () => {
  h?.aws.close();
  await sim?.close();
});

beforeEach(() => {
  sim.resetStats();
  sim.setFaults({ scripted: [] });
});

const counter = (): CallCounter => ({ reads: 0, writes: 0 });
const op = (name: string) => sim.stats().operations[name] ?? { total: 0, ok: 0, errors: 0, throttled: 0, codes: {} as Record<string, number> };

const SCOPE: ObserveScope = { policyNames: ['RequireMFAPolicy'], groupNames: ['Users', 'Administrators'], roleNames: ['admin'] };

const mfaDoc = (v: number): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyAllExceptListedIfNoMFA',
      Effect: 'Deny',
      NotAction: ['iam:ChangePassword', 'iam:GetAccountPasswordPolicy', `iam:ListMFADevices`],
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
    { Sid: `Marker${v}`, Effect: 'Allow', Action: 'iam:GetUser', Resource: 'arn:aws:iam::*:user/${aws:username}' },
  ],
});

const trust = (account: string, extra = false): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'sts:AssumeRole',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': extra ? 'true' : 'true' }, ...(extra ? { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } : {}) },
    },
  ],
});

const assumeAdmin = (account: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${account}:role/admin` }],
});

describe('AccountAccess over the simulator', () => {
  it('assumes the member role once in open(), counted as a read', async () => {
    const calls = counter();
    await h.aws.access.open(member(1), { rolloutId: 'r-open', calls });
    expect(calls).toEqual({ reads: 1, writes: 0 });
    const assume = sim.stats().counters.filter((c) => c.operation === 'AssumeRole');
    expect(assume.reduce((n, c) => n + c.count, 0)).toBe(1);
    expect(assume.every((c) => c.outcome === 'ok')).toBe(true);
  });

  it('reuses the credentials for the same account in the same rollout', async () => {
    const calls = counter();
    const a = await h.aws.access.open(member(2), { rolloutId: 'r-reuse', calls });
    const b = await h.aws.access.open(member(2), { rolloutId: 'r-reuse', calls });
    await a.observe(SCOPE);
    await b.observe(SCOPE);
    expect(op('sts:AssumeRole').total).toBe(1);
    // A new rollout assumes again.
    await h.aws.access.open(member(2), { rolloutId: 'r-reuse-2', calls: counter() });
    expect(op('sts:AssumeRole').total).toBe(2);
  });

  it('turns any rollout id into a session name STS accepts (2–64 of [\\w+=,.@-])', async () => {
    const calls = counter();
    await h.aws.access.open(member(3), { rolloutId: `session/with spaces:${'x'.repeat(80)}`, calls });
    expect(calls).toEqual({ reads: 1, writes: 0 });
    expect(op('sts:AssumeRole').ok).toBe(1);
  });

  it('fails with ROLLOUT.ASSUME_ROLE_FAILED (awsCode AccessDenied) where the role is missing, without retrying', async () => {
    const calls = counter();
    const err = await h.aws.access.open(member(43), { rolloutId: 'r-missing', calls }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ROLLOUT.ASSUME_ROLE_FAILED', details: { awsCode: 'AccessDenied', accountId: member(43) } });
    expect((err as Error).message).toContain(`arn:aws:iam::${member(43)}:role/OrganizationAccountAccessRole`);
    expect(calls).toEqual({ reads: 1, writes: 0 });
    expect(op('sts:AssumeRole').total).toBe(1);
  });

  it('retries a throttled AssumeRole and counts each attempt', async () => {
    sim.setFaults({ scripted: [{ service: 'sts', operation: 'AssumeRole', code: 'Throttling', times: 2 }] });
    const calls = counter();
    await h.aws.access.open(member(4), { rolloutId: 'r-throttle', calls });
    expect(calls.reads).toBe(3);
    expect(op('sts:AssumeRole').total).toBe(3);
  });

  it('uses the caller credentials for the management account, without AssumeRole', async () => {
    const calls = counter();
    const iam = await h.aws.access.open('900000000000', { rolloutId: 'r-mgmt', calls, useCallerCredentials: true });
    const observed = await iam.observe(SCOPE);
    expect(observed).toEqual({ policies: {}, groups: {}, roles: {} });
    expect(op('sts:AssumeRole').total).toBe(0);
    expect(calls).toEqual({ reads: 1, writes: 0 });
  });
});

describe('AccountIam over the simulator', () => {
  it('observes a fresh account with one GetAccountAuthorizationDetails page', async () => {
    const calls = counter();
    const iam = await h.aws.access.open(member(6), { rolloutId: 'r-fresh', calls });
    const observed = await iam.observe(SCOPE);
    expect(observed).toEqual({ policies: {}, groups: {}, roles: {} });
    expect(calls).toEqual({ reads: 2, writes: 0 });
    expect(op('iam:GetAccountAuthorizationDetails').total).toBe(1);
  });

  it('applies every change type, then observes the result', async () => {
    const account = member(7);
    const calls = counter();
    const iam = await h.aws.access.open(account, { rolloutId: 'r-apply', calls });
    const policyArn = `arn:aws:iam::${account}:policy/RequireMFAPolicy`;
    const adminArn = 'arn:aws:iam::aws:policy/AdministratorAccess';
    const readOnlyArn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const changes: Change[] = [
      { type: 'CreatePolicy', policyName: 'RequireMFAPolicy', path: '/', description: 'force MFA', document: mfaDoc(1), tags: { 'managed-by': 'org-iam-rollout' } },
      { type: 'CreateGroup', groupName: 'Users', path: '/' },
      { type: 'AttachGroupPolicy', groupName: 'Users', policyArn },
      { type: 'AttachGroupPolicy', groupName: 'Users', policyArn: readOnlyArn },
      { type: 'CreateGroup', groupName: 'Administrators', path: '/' },
      { type: 'PutGroupPolicy', groupName: 'Administrators', policyName: 'AssumeAdminRole', document: assumeAdmin(account) },
      { type: 'PutGroupPolicy', groupName: 'Administrators', policyName: 'Stray', document: assumeAdmin(account) },
      { type: 'CreateRole', roleName: 'admin', path: '/', description: 'first', maxSessionDuration: 3600, trustPolicy: trust(account), tags: { 'managed-by': 'org-iam-rollout' } },
      { type: 'AttachRolePolicy', roleName: 'admin', policyArn: adminArn },
      { type: 'AttachRolePolicy', roleName: 'admin', policyArn: readOnlyArn },
      { type: 'PutRolePolicy', roleName: 'admin', policyName: 'Extra', document: assumeAdmin(account) },
      { type: 'CreatePolicyVersion', policyArn, document: mfaDoc(2), setAsDefault: true },
      { type: 'DeletePolicyVersion', policyArn, versionId: 'v1' },
      { type: 'UpdateAssumeRolePolicy', roleName: 'admin', document: trust(account, true) },
      { type: 'UpdateRole', roleName: 'admin', description: 'Administrator access with MFA', maxSessionDuration: 7200 },
      { type: 'TagRole', roleName: 'admin', tags: { owner: 'platform' } },
    ];
    for (const c of changes) await iam.apply(c);
    expect(calls).toEqual({ reads: 1, writes: changes.length });

    const observed = await iam.observe(SCOPE);
    expect(observed.policies.RequireMFAPolicy).toMatchObject({ name: 'RequireMFAPolicy', path: '/', arn: policyArn, defaultVersionId: 'v2' });
    expect(observed.policies.RequireMFAPolicy.versions).toEqual([{ versionId: 'v2', isDefault: true, document: mfaDoc(2), createDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
    expect(observed.groups.Users).toMatchObject({ name: 'Users', path: '/', inlinePolicies: [] });
    expect([...observed.groups.Users.managedPolicyArns].sort()).toEqual([policyArn, readOnlyArn].sort());
    expect(observed.groups.Administrators.managedPolicyArns).toEqual([]);
    expect(observed.groups.Administrators.inlinePolicies.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'AssumeAdminRole', document: assumeAdmin(account) },
      { name: 'Stray', document: assumeAdmin(account) },
    ]);
    expect(observed.roles.admin).toMatchObject({
      name: 'admin',
      path: '/',
      arn: `arn:aws:iam::${account}:role/admin`,
      description: 'Administrator access with MFA',
      maxSessionDuration: 7200,
      trustPolicy: trust(account, true),
      inlinePolicies: [{ name: 'Extra', document: assumeAdmin(account) }],
      tags: { 'managed-by': 'org-iam-rollout', owner: 'platform' },
    });
    expect([...observed.roles.admin.managedPolicyArns].sort()).toEqual([adminArn, readOnlyArn].sort());

    const removals: Change[] = [
      { type: 'DetachGroupPolicy', groupName: 'Users', policyArn: readOnlyArn },
      { type: 'DeleteGroupPolicy', groupName: 'Administrators', policyName: 'Stray' },
      { type: 'DetachRolePolicy', roleName: 'admin', policyArn: readOnlyArn },
      { type: 'DeleteRolePolicy', roleName: 'admin', policyName: 'Extra' },
    ];
    for (const c of removals) await iam.apply(c);
    const after = await iam.observe(SCOPE);
    expect(after.groups.Users.managedPolicyArns).toEqual([policyArn]);
    expect(after.groups.Administrators.inlinePolicies.map((p) => p.name)).toEqual(['AssumeAdminRole']);
    expect(after.roles.admin.managedPolicyArns).toEqual([adminArn]);
    expect(after.roles.admin.inlinePolicies).toEqual([]);
    // Only what the scope names is reported.
    const narrow = await iam.observe({ policyNames: [], groupNames: ['Users'], roleNames: [] });
    expect(Object.keys(narrow.groups)).toEqual(['Users']);
    expect(narrow.policies).toEqual({});
    expect(narrow.roles).toEqual({});
  });

  it('observes an unchanged account in ≤ 2 calls (3 with AssumeRole)', async () => {
    const account = member(8);
    const setup = await h.aws.access.open(account, { rolloutId: 'r-setup', calls: counter() });
    await setup.apply({ type: 'CreatePolicy', policyName: 'RequireMFAPolicy', path: '/', document: mfaDoc(1), tags: {} });
    await setup.apply({ type: 'CreateGroup', groupName: 'Users', path: '/' });
    await setup.apply({ type: 'AttachGroupPolicy', groupName: 'Users', policyArn: `arn:aws:iam::${account}:policy/RequireMFAPolicy` });
    await setup.apply({ type: 'CreateGroup', groupName: 'Administrators', path: '/' });
    await setup.apply({ type: 'PutGroupPolicy', groupName: 'Administrators', policyName: 'AssumeAdminRole', document: assumeAdmin(account) });
    await setup.apply({ type: 'CreateRole', roleName: 'admin', path: '/', maxSessionDuration: 3600, trustPolicy: trust(account), tags: {} });
    await setup.apply({ type: 'AttachRolePolicy', roleName: 'admin', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });

    sim.resetStats();
    const calls = counter();
    const iam = await h.aws.access.open(account, { rolloutId: 'r-unchanged', calls });
    const afterOpen = { ...calls };
    const observed = await iam.observe(SCOPE);
    expect(Object.keys(observed.groups).sort()).toEqual(['Administrators', 'Users']);
    expect(observed.roles.admin.maxSessionDuration).toBe(3600);
    expect(calls.reads - afterOpen.reads).toBeLessThanOrEqual(2);
    expect(calls).toEqual({ reads: 3, writes: 0 });
    expect(sim.stats().totals.total).toBe(3);
  });

  it('does not retry LimitExceeded on the sixth policy version (the SDK would, as throttling)', async () => {
    const account = member(9);
    const calls = counter();
    const iam = await h.aws.access.open(account, { rolloutId: 'r-limit', calls });
    const policyArn = `arn:aws:iam::${account}:policy/RequireMFAPolicy`;
    await iam.apply({ type: 'CreatePolicy', policyName: 'RequireMFAPolicy', path: '/', document: mfaDoc(1), tags: {} });
    for (let v = 2; v <= 5; v++) await iam.apply({ type: 'CreatePolicyVersion', policyArn, document: mfaDoc(v), setAsDefault: true });
    sim.resetStats();
    const before = { ...calls };
    const err = await iam.apply({ type: 'CreatePolicyVersion', policyArn, document: mfaDoc(6), setAsDefault: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AWS.CALL_FAILED', awsCode: 'LimitExceeded', operation: 'CreatePolicyVersion', retryable: false });
    expect(op('iam:CreatePolicyVersion').total).toBe(1);
    expect(calls.writes - before.writes).toBe(1);
    expect(h.throttled).not.toContain('iam');
  });

  it('retries Throttling and server failures, then succeeds; every attempt counted and reported', async () => {
    const account = member(10);
    const calls = counter();
    const iam = await h.aws.access.open(account, { rolloutId: 'r-retry', calls });
    sim.setFaults({
      scripted: [
        { service: 'iam', operation: 'GetAccountAuthorizationDetails', code: 'Throttling', times: 2 },
        { service: 'iam', operation: 'CreateGroup', code: 'ServiceFailure', status: 500, times: 1 },
      ],
    });
    const throttledBefore = h.throttled.length;
    const telemetryBefore = h.telemetry.length;
    expect(await iam.observe(SCOPE)).toEqual({ policies: {}, groups: {}, roles: {} });
    await iam.apply({ type: 'CreateGroup', groupName: 'Users', path: '/' });
    expect(op('iam:GetAccountAuthorizationDetails').total).toBe(3);
    expect(op('iam:CreateGroup').total).toBe(2);
    expect(calls).toEqual({ reads: 4, writes: 2 });
    expect(h.throttled.length - throttledBefore).toBe(2);
    expect(h.telemetry.slice(telemetryBefore)).toEqual([
      ['iam', 'GetAccountAuthorizationDetails', 'throttled'],
      ['iam', 'GetAccountAuthorizationDetails', 'throttled'],
      ['iam', 'GetAccountAuthorizationDetails', 'ok'],
      ['iam', 'CreateGroup', 'error'],
      ['iam', 'CreateGroup', 'ok'],
    ]);
    const retries = h.logLines().filter((l) => l.msg === 'retrying AWS call' && l.operation === 'GetAccountAuthorizationDetails');
    expect(retries.length).toBeGreaterThanOrEqual(2);
  });

  it('gives up after maxAttempts (5) on persistent throttling', async () => {
    const iam = await h.aws.access.open(member(11), { rolloutId: 'r-giveup', calls: counter() });
    sim.setFaults({ scripted: [{ service: 'iam', operation: 'GetAccountAuthorizationDetails', code: 'Throttling' }] });
    const err = await iam.observe(SCOPE).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AWS.CALL_FAILED', awsCode: 'Throttling', retryable: true });
    expect(op('iam:GetAccountAuthorizationDetails').total).toBe(5);
  });

  it('retries a NoSuchEntity on attaching a policy it has just created (eventual consistency), not otherwise', async () => {
    const account = member(12);
    const calls = counter();
    const iam = await h.aws.access.open(account, { rolloutId: 'r-consistency', calls });
    await iam.apply({ type: 'CreateGroup', groupName: 'Users', path: '/' });
    await iam.apply({ type: 'CreatePolicy', policyName: 'RequireMFAPolicy', path: '/', document: mfaDoc(1), tags: {} });
    sim.setFaults({ scripted: [{ service: 'iam', operation: 'AttachGroupPolicy', code: 'NoSuchEntity', status: 404, times: 1 }] });
    await iam.apply({ type: 'AttachGroupPolicy', groupName: 'Users', policyArn: `arn:aws:iam::${account}:policy/RequireMFAPolicy` });
    expect(op('iam:AttachGroupPolicy').total).toBe(2);

    // Neither the group nor the policy created by this gateway: NoSuchEntity is final.
    const later = await h.aws.access.open(account, { rolloutId: 'r-consistency', calls });
    sim.resetStats();
    const err = await later.apply({ type: 'AttachGroupPolicy', groupName: 'Users', policyArn: `arn:aws:iam::${account}:policy/Nope` }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AWS.CALL_FAILED', awsCode: 'NoSuchEntity' });
    expect(op('iam:AttachGroupPolicy').total).toBe(1);
  });

  it('translates IAM errors with their AWS code', async () => {
    const iam = await h.aws.access.open(member(13), { rolloutId: 'r-errors', calls: counter() });
    await iam.apply({ type: 'CreateGroup', groupName: 'Users', path: '/' });
    const dup = await iam.apply({ type: 'CreateGroup', groupName: 'Users', path: '/' }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 'AWS.CALL_FAILED', awsCode: 'EntityAlreadyExists', operation: 'CreateGroup', retryable: false });
    const bad = await iam
      .apply({ type: 'PutGroupPolicy', groupName: 'Users', policyName: 'Bad', document: { Version: '2012-10-17', Statement: 'nope' } })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'AWS.CALL_FAILED', awsCode: 'MalformedPolicyDocument' });
  });
});
