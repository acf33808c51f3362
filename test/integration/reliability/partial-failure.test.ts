/**
 * A failure in the middle of one account: the policy is created, then attaching it is
 * denied (once). The account is `failed` with the changes made and the one that failed
 * listed; the other accounts are untouched by it; the next rollout repairs the account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRolloutEnv, type RolloutEnv } from '../../helpers/rollout-env.js';
import { convergenceProblems, plainOrg, reachableIds } from './reliability-helpers.js';

const org = plainOrg(6);
const victim = org.accounts[2].id;
let env: RolloutEnv;

beforeAll(async () => {
  env = await startRolloutEnv({
    org,
    scripted: [{ account: victim, service: 'iam', operation: 'AttachGroupPolicy', code: 'AccessDenied', status: 403, message: 'not allowed to attach', times: 1 }],
  });
});
afterAll(async () => {
  await env?.close();
});

describe('partial failure inside one account', () => {
  it('marks the account failed, listing the changes applied and the one that failed', async () => {
    const report = await (await env.ctx.rollouts.start({}, { trigger: 'cli' })).done;
    const failed = report.accounts.find((a) => a.accountId === victim)!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({ code: 'AccessDenied', message: expect.stringContaining('not allowed to attach') });
    const types = failed.actions.map((a) => a.type);
    // Created before the attach, in plan order; the attach is last and marked as the failure.
    expect(types).toContain('CreatePolicy');
    expect(types).toContain('CreateGroup');
    expect(types[types.length - 1]).toBe('AttachGroupPolicy');
    expect(failed.actions[failed.actions.length - 1].detail).toMatch(/^FAILED \(AccessDenied\)/);
    expect(failed.actions.slice(0, -1).every((a) => !a.detail?.startsWith('FAILED'))).toBe(true);
    expect(failed.apiCalls.writes).toBe(types.length);

    // What the report says was applied is what the account holds: the policy exists, unattached.
    const dump = env.sim.iam.dump(victim) as { policies: { name: string; attachmentCount: number }[] };
    expect(dump.policies.find((p) => p.name === 'RequireMFAPolicy')?.attachmentCount).toBe(0);
    expect(report.status).toBe('failed');
    for (const id of reachableIds(env.sim).filter((x) => x !== victim)) {
      expect(report.accounts.find((a) => a.accountId === id)?.status).toBe('updated');
    }
    const stored = await env.ctx.store.listAccountResults(report.id, { status: 'failed' });
    expect(stored.map((r) => [r.accountId, r.actions.length])).toEqual([[victim, failed.actions.length]]);
  });

  it('the next rollout repairs it, creating nothing twice', async () => {
    const report = await (await env.ctx.rollouts.start({}, { trigger: 'cli' })).done;
    const repaired = report.accounts.find((a) => a.accountId === victim)!;
    expect(repaired.status).toBe('updated');
    expect(repaired.actions.map((a) => a.type)).not.toContain('CreatePolicy');
    expect(repaired.actions.map((a) => a.type)).toContain('AttachGroupPolicy');
    expect(report.status).toBe('succeeded');
    expect(reachableIds(env.sim).flatMap((id) => convergenceProblems(env.sim, id))).toEqual([]);
    const third = await (await env.ctx.rollouts.start({ accounts: [victim] }, { trigger: 'cli' })).done;
    expect(third.accounts.map((a) => a.status)).toEqual(['compliant']);
  });

  it('retry-failed of the first rollout would have targeted exactly that account', async () => {
    const page = await env.ctx.store.listRollouts({ limit: 10 });
    const first = page.items[page.items.length - 1];
    const retried = await (await env.ctx.rollouts.retry(first.id, { trigger: 'cli' })).done;
    expect(retried.trigger).toBe('retry');
    expect(retried.parentId).toBe(first.id);
    expect(retried.accounts.map((a) => [a.accountId, a.status])).toEqual([[victim, 'compliant']]);
  });
});
