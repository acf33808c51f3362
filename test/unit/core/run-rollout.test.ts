/**
 * Narrow unit tests of the orchestration with in-memory ports (the end-to-end behaviour
 * is proven against the simulator in test/integration). Fakes here, never vi.mock.
 */
import { describe, expect, it } from 'vitest';
import { loadBaseline, renderBaseline } from '../../../src/core/baseline/index.js';
import { AwsCallError, DomainError } from '../../../src/core/errors.js';
import type { AccountResult, Change, DesiredState, ObservedState, OrgAccount, RolloutOptions } from '../../../src/core/model.js';
import type { AccountAccess, AccountIam, OrganizationDirectory } from '../../../src/core/ports.js';
import { noopTelemetry } from '../../../src/core/ports.js';
import { runRollout, type RunRolloutParams } from '../../../src/core/rollout/run-rollout.js';

const MGMT = '000000000001';
const { baseline } = loadBaseline('config/baseline.json');

function observedFrom(desired: DesiredState): ObservedState {
  const o: ObservedState = { policies: {}, groups: {}, roles: {} };
  for (const p of desired.policies) {
    o.policies[p.name] = { name: p.name, path: p.path, arn: p.arn, defaultVersionId: 'v1', versions: [{ versionId: 'v1', isDefault: true, document: p.document, createDate: '2026-01-01T00:00:00Z' }] };
  }
  for (const g of desired.groups) {
    o.groups[g.name] = { name: g.name, path: g.path, arn: `arn:aws:iam::x:group/${g.name}`, managedPolicyArns: [...g.managedPolicyArns], inlinePolicies: g.inlinePolicies.map((i) => ({ ...i })) };
  }
  for (const r of desired.roles) {
    o.roles[r.name] = {
      name: r.name, path: r.path, arn: `arn:aws:iam::x:role/${r.name}`, description: r.description, maxSessionDuration: r.maxSessionDuration,
      trustPolicy: r.trustPolicy, managedPolicyArns: [...r.managedPolicyArns], inlinePolicies: r.inlinePolicies.map((i) => ({ ...i })),
      tags: { 'managed-by': 'org-iam-rollout' },
    };
  }
  return o;
}

function account(i: number, state: OrgAccount['state'] = 'ACTIVE'): OrgAccount {
  return { id: String(100000000000 + i), name: `acct-${i}`, state };
}

interface Behaviour {
  unreachable?: Set<string>;
  compliant?: Set<string>;
  failApplyOn?: Map<string, Change['type']>;
  hang?: Set<string>;
}

function fakes(accounts: OrgAccount[], behaviour: Behaviour = {}) {
  const applied: { accountId: string; change: Change }[] = [];
  let inFlight = 0;
  let peak = 0;
  const directory: OrganizationDirectory = {
    async whoAmI() { return { accountId: MGMT, arn: `arn:aws:iam::${MGMT}:root`, partition: 'aws' }; },
    async managementAccountId() { return MGMT; },
    async *listAccounts() { for (const a of accounts) yield a; },
    async listAccountIdsUnder() { return new Set(accounts.slice(0, 3).map((a) => a.id)); },
    async listAccountTags(id) { return id.endsWith('2') ? { env: 'prod' } : { env: 'dev' }; },
    async describeAccount(id) { return accounts.find((a) => a.id === id) ?? null; },
  };
  const access: AccountAccess = {
    async open(accountId, { calls }) {
      calls.reads++;
      if (behaviour.unreachable?.has(accountId)) throw new DomainError('ROLLOUT.ASSUME_ROLE_FAILED', 'AccessDenied: not authorized', { awsCode: 'AccessDenied' });
      const iam: AccountIam = {
        async observe() {
          inFlight++;
          peak = Math.max(peak, inFlight);
          calls.reads++;
          await new Promise((r) => setTimeout(r, 5));
          if (behaviour.hang?.has(accountId)) await new Promise(() => undefined);
          inFlight--;
          const desired = renderBaseline(baseline, { accountId, partition: 'aws' });
          return behaviour.compliant?.has(accountId) ? observedFrom(desired) : { policies: {}, groups: {}, roles: {} };
        },
        async apply(change) {
          calls.writes++;
          if (behaviour.failApplyOn?.get(accountId) === change.type) throw new AwsCallError('AccessDenied', change.type, 'explicit deny in an SCP', false);
          applied.push({ accountId, change });
        },
      };
      return iam;
    },
  };
  return { directory, access, applied, peak: () => peak };
}

async function run(accounts: OrgAccount[], behaviour: Behaviour, options: Partial<RolloutOptions> = {}, extra: Partial<RunRolloutParams> = {}) {
  const f = fakes(accounts, behaviour);
  const recorded: AccountResult[] = [];
  const outcome = await runRollout(
    { directory: f.directory, access: f.access, logger: silent, clock: { now: () => new Date() }, telemetry: noopTelemetry },
    {
      rolloutId: 'test', baseline, accountTimeoutMs: 2000,
      options: { dryRun: false, concurrency: 4, failureTolerance: '100%', ...options },
      sink: async (r) => { recorded.push(r); },
      ...extra,
    },
  );
  return { ...f, outcome, recorded };
}

const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };

describe('runRollout', () => {
  it('targets ACTIVE member accounts and skips the others with a reason', async () => {
    const accounts = [account(1), account(2, 'SUSPENDED'), account(3, 'CLOSED'), { id: MGMT, name: 'mgmt', state: 'ACTIVE' as const }, account(5)];
    const { outcome, recorded } = await run(accounts, {}, { excludeAccounts: [account(5).id] });
    const byId = Object.fromEntries(recorded.map((r) => [r.accountId, r]));
    expect(byId[account(1).id].status).toBe('updated');
    expect(byId[account(2).id]).toMatchObject({ status: 'skipped', reason: 'account is SUSPENDED' });
    expect(byId[account(3).id]).toMatchObject({ status: 'skipped', reason: 'account is CLOSED' });
    expect(byId[MGMT].status).toBe('skipped');
    expect(byId[MGMT].reason).toMatch(/management account/);
    expect(byId[account(5).id]).toMatchObject({ status: 'skipped', reason: 'excluded' });
    expect(outcome.summary).toMatchObject({ total: 5, updated: 1, skipped: 4 });
    expect(outcome.status).toBe('succeeded');
  });

  it('never has more accounts in flight than the concurrency', async () => {
    const accounts = Array.from({ length: 30 }, (_, i) => account(i));
    const r = await run(accounts, {}, { concurrency: 3 });
    expect(r.peak()).toBeLessThanOrEqual(3);
    expect(r.peak()).toBeGreaterThan(1);
    expect(r.outcome.summary.updated).toBe(30);
  });

  it('records compliant accounts without writes and counts calls including AssumeRole', async () => {
    const accounts = [account(1), account(2)];
    const { recorded, applied } = await run(accounts, { compliant: new Set([account(1).id]) });
    const compliant = recorded.find((r) => r.accountId === account(1).id)!;
    expect(compliant.status).toBe('compliant');
    expect(compliant.apiCalls).toEqual({ reads: 2, writes: 0 });
    expect(applied.filter((a) => a.accountId === account(1).id)).toHaveLength(0);
    const updated = recorded.find((r) => r.accountId === account(2).id)!;
    expect(updated.apiCalls.writes).toBe(updated.actions.length);
  });

  it('a dry run plans and applies nothing', async () => {
    const { recorded, applied, outcome } = await run([account(1)], {}, { dryRun: true });
    expect(applied).toHaveLength(0);
    expect(recorded[0].status).toBe('planned');
    expect(recorded[0].actions.map((a) => a.type)).toContain('CreatePolicy');
    expect(outcome.status).toBe('succeeded');
  });

  it('marks an account whose role cannot be assumed unreachable while the others succeed', async () => {
    const accounts = [account(1), account(2), account(3)];
    const { recorded, outcome } = await run(accounts, { unreachable: new Set([account(2).id]) });
    const r2 = recorded.find((r) => r.accountId === account(2).id)!;
    expect(r2.status).toBe('unreachable');
    expect(r2.error?.code).toBe('AccessDenied');
    expect(recorded.filter((r) => r.status === 'updated')).toHaveLength(2);
    expect(outcome.status).toBe('failed');
  });

  it('lists the changes made and the one that failed when an account fails part-way', async () => {
    const { recorded } = await run([account(1)], { failApplyOn: new Map([[account(1).id, 'AttachGroupPolicy']]) });
    const r = recorded[0];
    expect(r.status).toBe('failed');
    expect(r.error).toEqual({ code: 'AccessDenied', message: 'explicit deny in an SCP' });
    expect(r.actions[0].type).toBe('CreatePolicy');
    const last = r.actions[r.actions.length - 1];
    expect(last.type).toBe('AttachGroupPolicy');
    expect(last.detail).toMatch(/^FAILED \(AccessDenied\)/);
  });

  it('stops starting accounts once the failure tolerance is exceeded', async () => {
    const accounts = Array.from({ length: 10 }, (_, i) => account(i));
    const unreachable = new Set(accounts.slice(0, 3).map((a) => a.id));
    const { outcome, recorded } = await run(accounts, { unreachable }, { concurrency: 1, failureTolerance: '1' });
    expect(outcome.status).toBe('aborted');
    expect(recorded.filter((r) => r.status === 'unreachable')).toHaveLength(2);
    const skipped = recorded.filter((r) => r.status === 'skipped');
    expect(skipped).toHaveLength(8);
    expect(skipped[0].reason).toMatch(/failure tolerance exceeded/);
  });

  it('a percent tolerance is measured against the targeted accounts', async () => {
    const accounts = Array.from({ length: 10 }, (_, i) => account(i));
    const { outcome } = await run(accounts, { unreachable: new Set([accounts[9].id]) }, { concurrency: 2, failureTolerance: '10%' });
    expect(outcome.status).toBe('failed');
    expect(outcome.summary).toMatchObject({ unreachable: 1, updated: 9 });
  });

  it('cancellation skips the accounts that have not started', async () => {
    const accounts = Array.from({ length: 12 }, (_, i) => account(i));
    const cancel = new AbortController();
    const { outcome, recorded } = await run(accounts, {}, { concurrency: 2 }, {
      cancelSignal: cancel.signal,
      onProgress: (_r, s) => { if (s.total === 2) cancel.abort(); },
    });
    expect(outcome.status).toBe('cancelled');
    expect(recorded).toHaveLength(12);
    expect(recorded.filter((r) => r.status === 'skipped' && r.reason === 'cancelled').length).toBeGreaterThanOrEqual(8);
  });

  it('an interrupt leaves unstarted accounts without a result so --resume can run them', async () => {
    const accounts = Array.from({ length: 12 }, (_, i) => account(i));
    const interrupt = new AbortController();
    const { outcome, recorded } = await run(accounts, {}, { concurrency: 2 }, {
      interruptSignal: interrupt.signal,
      onProgress: (_r, s) => { if (s.total === 2) interrupt.abort(); },
    });
    expect(outcome.status).toBe('interrupted');
    expect(recorded.length).toBeLessThan(12);
    expect(recorded.every((r) => r.status === 'updated')).toBe(true);
  });

  it('a hanging account times out without stalling the others', async () => {
    const accounts = [account(1), account(2), account(3)];
    const { recorded } = await run(accounts, { hang: new Set([account(2).id]) }, { concurrency: 2 }, { accountTimeoutMs: 200 });
    const hung = recorded.find((r) => r.accountId === account(2).id)!;
    expect(hung.status).toBe('failed');
    expect(hung.error?.code).toBe('ROLLOUT.ACCOUNT_TIMEOUT');
    expect(recorded.filter((r) => r.status === 'updated')).toHaveLength(2);
  });

  it('a result that cannot be recorded fails the rollout and stops it', async () => {
    const accounts = Array.from({ length: 6 }, (_, i) => account(i));
    let writes = 0;
    const { outcome } = await run(accounts, {}, { concurrency: 1 }, {
      sink: async () => { writes++; if (writes === 2) throw new DomainError('STORE.WRITE_FAILED', 'disk full'); },
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.storeError?.code).toBe('STORE.WRITE_FAILED');
    expect(outcome.results.filter((r) => r.status === 'skipped' && r.reason === 'results could not be recorded').length).toBeGreaterThan(0);
  });

  it('filters by OU and by tag, and reports requested ids that are not in the organization', async () => {
    const accounts = Array.from({ length: 6 }, (_, i) => account(i));
    const byOu = await run(accounts, {}, { organizationalUnits: ['ou-abcd-12345678'] });
    expect(byOu.recorded.map((r) => r.accountId).sort()).toEqual(accounts.slice(0, 3).map((a) => a.id));
    const byTag = await run(accounts, {}, { accountTags: { env: 'prod' } });
    expect(byTag.recorded.filter((r) => r.status === 'updated').map((r) => r.accountId)).toEqual([account(2).id]);
    const missing = await run(accounts, {}, { accounts: [account(1).id, '999999999999'] });
    expect(missing.recorded.find((r) => r.accountId === '999999999999')).toMatchObject({ status: 'skipped', reason: 'not an account of this organization' });
  });
});
