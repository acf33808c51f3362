/**
 * The benchmark's smoke run inside `npm test`: about 200 accounts through the real SDK
 * against the simulator. It asserts call counts and writes — never times (those are
 * `npm run bench`'s, in BENCHMARKS.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutReport } from '../../../src/core/model.js';
import { startRolloutEnv, type RolloutEnv } from '../../helpers/rollout-env.js';

let env: RolloutEnv;
const run = async (): Promise<RolloutReport> => (await env.ctx.rollouts.start({ concurrency: 25 }, { trigger: 'cli' })).done;

beforeAll(async () => {
  env = await startRolloutEnv({ accounts: 200, seed: 11, latencyMs: 2 });
});
afterAll(async () => {
  await env?.close();
});

describe('smoke: 200 accounts', () => {
  let first: RolloutReport;

  it('a fresh apply costs the observe calls plus one call per change, and assumes each role once', async () => {
    env.sim.resetStats();
    first = await run();
    const reached = first.accounts.filter((a) => a.status === 'updated');
    const unreachable = first.accounts.filter((a) => a.status === 'unreachable');
    expect(reached.length).toBeGreaterThan(180);
    expect(first.summary.failed).toBe(0);
    for (const a of reached) {
      // AssumeRole + one GetAccountAuthorizationDetails page; a fresh account has no role to GetRole.
      expect(a.apiCalls.reads).toBe(2);
      expect(a.apiCalls.writes).toBe(a.actions.length);
    }
    const stats = env.sim.stats();
    const assumeRoles = stats.operations['sts:AssumeRole'];
    expect(assumeRoles.total).toBe(reached.length + unreachable.length);
    // Everything the report counts is everything the simulator saw, plus the hub's own discovery calls.
    const reported = first.accounts.reduce((n, a) => n + a.apiCalls.reads + a.apiCalls.writes, 0);
    const hub = (stats.services.organizations?.total ?? 0) + (stats.operations['sts:GetCallerIdentity']?.total ?? 0);
    expect(stats.totals.total).toBe(reported + hub);
  });

  it('a no-op rollout costs at most 3 calls per account and writes nothing', async () => {
    env.sim.resetStats();
    const second = await run();
    expect(env.sim.stats().totals.writes).toBe(0);
    const compliant = second.accounts.filter((a) => a.status === 'compliant');
    expect(compliant.length).toBe(first.summary.updated);
    for (const a of compliant) {
      expect(a.apiCalls.reads).toBeLessThanOrEqual(3);
      expect(a.apiCalls.writes).toBe(0);
    }
  });
});
