/**
 * Issue 2's "done when", end to end: the composed application (real SDK clients over HTTP)
 * against the simulator, with a real SQLite store.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutReport } from '../../../src/core/model.js';
import { MGMT_ID, smallOrg, startRolloutEnv, type RolloutEnv } from '../../helpers/rollout-env.js';

interface DumpedAccount {
  policies: { name: string; arn: string; defaultVersionId: string; tags: Record<string, string>; versions: { versionId: string; isDefaultVersion: boolean; document: unknown }[] }[];
  groups: { name: string; attachedPolicyArns: string[]; inlinePolicies: Record<string, unknown> }[];
  roles: { name: string; attachedPolicyArns?: string[]; trustPolicy?: unknown; assumeRolePolicyDocument?: unknown; tags: Record<string, string> }[];
}

const org = smallOrg();
const reachable = org.accounts.filter((a) => (a.state ?? 'ACTIVE') === 'ACTIVE' && !a.missingRole).map((a) => a.id);
const unreachableId = org.accounts[11].id;

let env: RolloutEnv;
const run = async (request = {}): Promise<RolloutReport> => (await env.ctx.rollouts.start(request, { trigger: 'cli' })).done;
const writes = (r: RolloutReport) => r.accounts.reduce((n, a) => n + a.apiCalls.writes, 0);
const dump = (id: string) => env.sim.iam.dump(id) as DumpedAccount;

beforeAll(async () => {
  env = await startRolloutEnv({ org });
});
afterAll(async () => {
  await env?.close();
});

describe('rollout against a simulated organization', () => {
  it('plan changes nothing and reports the planned changes per account', async () => {
    env.sim.resetStats();
    const report = await run({ dryRun: true });
    // The role-less account is unreachable even in a dry run, so the rollout is not a success.
    expect(report.status).toBe('failed');
    expect(report.summary.planned).toBe(reachable.length);
    expect(report.summary.unreachable).toBe(1);
    const clean = await run({ dryRun: true, excludeAccounts: [unreachableId] });
    expect(clean.status).toBe('succeeded');
    expect(writes(report)).toBe(0);
    expect(env.sim.stats().totals.writes).toBe(0);
    const planned = report.accounts.find((a) => a.status === 'planned')!;
    expect(planned.actions.map((a) => a.type)).toEqual(expect.arrayContaining(['CreatePolicy', 'CreateGroup', 'AttachGroupPolicy', 'PutGroupPolicy', 'CreateRole', 'AttachRolePolicy']));
  });

  it('converges every reachable ACTIVE member account, skips the rest with reasons, marks the role-less account unreachable', async () => {
    const report = await run();
    const byId = Object.fromEntries(report.accounts.map((a) => [a.accountId, a]));
    for (const id of reachable) expect(byId[id].status, id).toBe('updated');
    expect(byId[org.accounts[9].id]).toMatchObject({ status: 'skipped', reason: 'account is SUSPENDED' });
    expect(byId[org.accounts[10].id]).toMatchObject({ status: 'skipped', reason: 'account is CLOSED' });
    expect(byId[MGMT_ID].status).toBe('skipped');
    expect(byId[MGMT_ID].reason).toMatch(/management account/);
    expect(byId[unreachableId].status).toBe('unreachable');
    expect(byId[unreachableId].error?.code).toBe('AccessDenied');
    expect(report.status).toBe('failed'); // one account was unreachable
    expect(report.summary).toMatchObject({ total: 13, updated: reachable.length, unreachable: 1, skipped: 3 });

    for (const id of reachable) {
      const state = dump(id);
      const policy = state.policies.find((p) => p.name === 'RequireMFAPolicy')!;
      expect(JSON.stringify(policy.versions[0].document)).toContain(`arn:aws:iam::${id}:user/\${aws:username}`);
      expect(policy.tags['managed-by']).toBe('org-iam-rollout');
      const users = state.groups.find((g) => g.name === 'Users')!;
      expect(users.attachedPolicyArns).toEqual([`arn:aws:iam::${id}:policy/RequireMFAPolicy`]);
      const admins = state.groups.find((g) => g.name === 'Administrators')!;
      expect(JSON.stringify(admins.inlinePolicies.AssumeAdminRole)).toContain(`arn:aws:iam::${id}:role/admin`);
      const role = state.roles.find((r) => r.name === 'admin')!;
      expect(JSON.stringify(role)).toContain('arn:aws:iam::aws:policy/AdministratorAccess');
      expect(JSON.stringify(role)).toContain(`arn:aws:iam::${id}:root`);
      expect(role.tags['managed-by']).toBe('org-iam-rollout');
    }
  });

  it('a second rollout makes zero writes, reports every account compliant, in at most 3 calls each', async () => {
    env.sim.resetStats();
    const report = await run();
    expect(writes(report)).toBe(0);
    expect(env.sim.stats().totals.writes).toBe(0);
    const reached = report.accounts.filter((a) => reachable.includes(a.accountId));
    expect(reached.every((a) => a.status === 'compliant')).toBe(true);
    for (const a of reached) expect(a.apiCalls.reads).toBeLessThanOrEqual(3);
  });

  it('a changed document becomes the default version everywhere, never more than 5 versions', async () => {
    const file = join(env.dir, 'config', 'policies', 'require-mfa.json');
    const original = readFileSync(file, 'utf8');
    try {
      for (let i = 1; i <= 6; i++) {
        const doc = JSON.parse(original);
        doc.Statement[0].Sid = `AllowViewAccountInfo${i}`;
        writeFileSync(file, JSON.stringify(doc, null, 2));
        const report = await run({ accounts: reachable.slice(0, 3) });
        expect(report.summary.updated).toBe(3);
        for (const a of report.accounts) expect(a.actions.map((x) => x.type)).toContain('CreatePolicyVersion');
        for (const id of reachable.slice(0, 3)) {
          const policy = dump(id).policies.find((p) => p.name === 'RequireMFAPolicy')!;
          expect(policy.versions.length).toBeLessThanOrEqual(5);
          const def = policy.versions.find((v) => v.isDefaultVersion)!;
          expect((def.document as { Statement: { Sid: string }[] }).Statement[0].Sid).toBe(`AllowViewAccountInfo${i}`);
        }
      }
      const last = await run({ accounts: reachable.slice(0, 3) });
      expect(last.accounts.map((a) => a.status)).toEqual(['compliant', 'compliant', 'compliant']);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('records every account durably and serves the latest status per account', async () => {
    const latest = await env.ctx.store.latestAccountResults();
    expect(latest.map((r) => r.accountId).sort()).toEqual([MGMT_ID, ...org.accounts.map((a) => a.id)].sort());
    const rollouts = await env.ctx.store.listRollouts({ limit: 50 });
    expect(rollouts.items.length).toBeGreaterThanOrEqual(4);
    expect(rollouts.items.every((r) => r.status !== 'running')).toBe(true);
  });

  it('OU and tag filters target the right accounts', async () => {
    const byTag = await run({ dryRun: true, accountTags: { env: 'dev' } });
    const targeted = byTag.accounts.filter((a) => a.status !== 'skipped' || !a.reason?.startsWith('tags do not match'));
    expect(targeted.map((a) => a.accountId)).toEqual(expect.arrayContaining([org.accounts[6].id, org.accounts[7].id]));
    expect(byTag.accounts.find((a) => a.accountId === org.accounts[0].id)?.reason).toMatch(/tags do not match/);
  });

  it('a few named accounts are described, not listed, and an unknown id is reported', async () => {
    env.sim.resetStats();
    const report = await run({ dryRun: true, accounts: [reachable[4], '999999999999'] });
    expect(report.accounts.find((a) => a.accountId === reachable[4])?.status).toBe('compliant');
    expect(report.accounts.find((a) => a.accountId === '999999999999')).toMatchObject({ status: 'skipped', reason: 'not an account of this organization' });
    const ops = env.sim.stats().operations;
    expect(ops['organizations:ListAccounts']).toBeUndefined();
    expect(ops['organizations:DescribeAccount'].total).toBe(2);
  });

  it('drift runs a live dry run of one account and is not recorded', async () => {
    const before = (await env.ctx.store.listRollouts({ limit: 100 })).items.length;
    const result = await env.ctx.rollouts.drift(reachable[5]);
    expect(result.status).toBe('compliant');
    expect((await env.ctx.store.listRollouts({ limit: 100 })).items.length).toBe(before);
    await expect(env.ctx.rollouts.drift('999999999999')).rejects.toMatchObject({ code: 'ACCOUNT.NOT_FOUND' });
  });

  it('never writes a credential to the logs', () => {
    const text = env.logLines.join('\n');
    expect(env.logLines.length).toBeGreaterThan(10);
    expect(text).not.toContain('management-secret-value');
    expect(text).not.toMatch(/"sessionToken":"(?!\[redacted\])/);
    expect(text).not.toMatch(/ASIA[A-Z0-9]{12,}/);
  });
});
