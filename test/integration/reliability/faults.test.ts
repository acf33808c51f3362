/**
 * A rollout under throttling (~20 % of calls), random 500/503 (5 %), dropped connections
 * (2 %) and latency spikes still converges every reachable account exactly once: no
 * duplicate or orphaned policy versions, one result row per account, a summary equal to
 * the rows. The CI size; `npm run chaos` runs the same over 500 accounts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutReport } from '../../../src/core/model.js';
import { startRolloutEnv, type RolloutEnv } from '../../helpers/rollout-env.js';
import { convergenceProblems, countStatuses, reachableIds } from './reliability-helpers.js';

const ACCOUNTS = 100;
// Tuned on this simulator so that about a fifth of all calls come back throttled: a small
// per-account IAM bucket (each account makes ~10 IAM calls in a burst) and a hub STS bucket.
const FAULTS = {
  latencyMs: 5,
  jitterMs: 30,
  failureRate: 0.05,
  dropRate: 0.02,
  throttle: { rate: 3, burst: 5 },
  services: { sts: { throttle: { rate: 30, burst: 10 } } },
};

let env: RolloutEnv;
let spikes = 0;

async function rolloutWithSpikes(): Promise<RolloutReport> {
  // Latency spikes: every second, 100 ms of 200 ms latency on every call.
  const timer = setInterval(() => {
    spikes++;
    env.sim.setFaults({ latencyMs: 200 });
    setTimeout(() => env.sim.setFaults({ latencyMs: FAULTS.latencyMs }), 100).unref();
  }, 1000);
  try {
    return await (await env.ctx.rollouts.start({}, { trigger: 'cli' })).done;
  } finally {
    clearInterval(timer);
    env.sim.setFaults({ latencyMs: FAULTS.latencyMs });
  }
}

beforeAll(async () => {
  env = await startRolloutEnv({ accounts: ACCOUNTS, seed: 9, ...FAULTS }, { ROLLOUT_MAX_ATTEMPTS: '10', ROLLOUT_CONCURRENCY: '25', LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await env?.close();
});

describe(`a rollout over ${ACCOUNTS} accounts under throttling, 5xx, drops and latency spikes`, () => {
  let report: RolloutReport;

  it('converges every reachable account, with no duplicate or orphaned policy version', async () => {
    report = await rolloutWithSpikes();
    const stats = env.sim.stats();
    const ratio = stats.totals.throttled / stats.totals.total;
    // The faults really happened, at about the intended rates.
    expect(ratio).toBeGreaterThan(0.12);
    expect(ratio).toBeLessThan(0.35);
    expect(stats.totals.errors / stats.totals.total).toBeGreaterThan(0.02);
    expect(stats.totals.dropped).toBeGreaterThan(0);
    expect(spikes).toBeGreaterThan(0);

    const reachable = reachableIds(env.sim);
    expect(reachable.length).toBeGreaterThan(ACCOUNTS * 0.8);
    const byId = new Map(report.accounts.map((a) => [a.accountId, a]));
    for (const id of reachable) expect(byId.get(id)?.status, `${id}: ${byId.get(id)?.reason}`).toBe('updated');
    expect(reachable.flatMap((id) => convergenceProblems(env.sim, id))).toEqual([]);
    // What is not reachable is accounted for, not lost: role-less accounts unreachable, the rest skipped.
    for (const a of env.sim.org.accounts.filter((x) => !reachable.includes(x.id))) {
      expect(['unreachable', 'skipped'], a.id).toContain(byId.get(a.id)?.status);
    }
  });

  it('records exactly one result row per account, and the summary equals the rows', async () => {
    const rows = await env.ctx.store.listAccountResults(report.id);
    const ids = rows.map((r) => r.accountId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(env.sim.org.accounts.map((a) => a.id).sort());
    const counted = countStatuses(rows);
    expect(report.summary).toEqual(counted);
    const stored = await env.ctx.store.getRollout(report.id);
    expect(stored?.summary).toEqual(counted);
    expect(stored?.status).toBe(counted.unreachable > 0 || counted.failed > 0 ? 'failed' : 'succeeded');
  });

  it('a second rollout under the same faults writes nothing and finds every reachable account compliant', async () => {
    env.sim.resetStats();
    const again = await rolloutWithSpikes();
    expect(env.sim.stats().totals.writes).toBe(0);
    const reachable = new Set(reachableIds(env.sim));
    const reached = again.accounts.filter((a) => reachable.has(a.accountId));
    expect(reached.length).toBe(reachable.size);
    expect(reached.filter((a) => a.status !== 'compliant').map((a) => `${a.accountId}:${a.status}:${a.reason}`)).toEqual([]);
    expect([...reachable].flatMap((id) => convergenceProblems(env.sim, id))).toEqual([]);
  });
});
