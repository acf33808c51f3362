/**
 * What a long rollout meets: member credentials that expire part-way through an account,
 * an account whose IAM stops answering, and Organizations throttling during discovery.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { compose } from '../../../src/compose.js';
import { loadConfig } from '../../../src/config.js';
import type { RolloutReport } from '../../../src/core/model.js';
import { startSimulator } from '../../../src/simulator/index.js';
import { startRolloutEnv } from '../../helpers/rollout-env.js';
import { HangingProxy, convergenceProblems, plainOrg, reachableIds } from './reliability-helpers.js';

const run = async (env: { ctx: { rollouts: { start: (r: object, m: { trigger: 'cli' }) => Promise<{ done: Promise<RolloutReport> }> } } }, request = {}) =>
  (await env.ctx.rollouts.start(request, { trigger: 'cli' })).done;

describe('a rollout that outlives its member credentials', () => {
  it('refreshes them and converges every account', async () => {
    // Credentials live 2 s; each account makes ~10 sequential calls of 300 ms, so ~3 s.
    const env = await startRolloutEnv({ org: plainOrg(4), credentialTtlSeconds: 2, latencyMs: 300 }, { ROLLOUT_CONCURRENCY: '4' });
    try {
      const report = await run(env);
      const reachable = reachableIds(env.sim);
      expect(report.accounts.filter((a) => reachable.includes(a.accountId)).map((a) => a.status)).toEqual(reachable.map(() => 'updated'));
      expect(reachable.flatMap((id) => convergenceProblems(env.sim, id))).toEqual([]);
      const stats = env.sim.stats();
      // More AssumeRoles than accounts: each was refreshed before its credentials expired.
      expect(stats.operations['sts:AssumeRole'].ok).toBeGreaterThan(reachable.length);
      expect(stats.errorCodes.ExpiredToken ?? 0).toBe(0);
    } finally {
      await env.close();
    }
  });
});

describe('an account that hangs', () => {
  it('is failed with ROLLOUT.ACCOUNT_TIMEOUT while the others finish around it', async () => {
    const org = plainOrg(8);
    const stuck = org.accounts[0].id;
    const sim = await startSimulator({ port: 0, org });
    const proxy = await new HangingProxy(sim.endpoint, stuck).start();
    const dir = mkdtempSync(join(tmpdir(), 'oir-hang-'));
    cpSync('config', join(dir, 'config'), { recursive: true });
    const config = loadConfig(
      {},
      {
        STORE_URL: `sqlite:${join(dir, 'rollouts.db')}`,
        ROLLOUT_BASELINE: join(dir, 'config', 'baseline.json'),
        ROLLOUT_FAILURE_TOLERANCE: '100%',
        ROLLOUT_CONCURRENCY: '2',
        ROLLOUT_ACCOUNT_TIMEOUT_MS: '1500',
      },
    );
    const ctx = await compose(config, {
      logger: pino({ level: 'silent' }),
      endpoint: proxy.endpoint,
      credentials: { accessKeyId: 'AKIAMANAGEMENTKEY01', secretAccessKey: 'management-secret-value' },
    });
    try {
      const report = await run({ ctx });
      const hung = report.accounts.find((a) => a.accountId === stuck)!;
      expect(proxy.hung).toBeGreaterThan(0);
      expect(hung.status).toBe('failed');
      expect(hung.error?.code).toBe('ROLLOUT.ACCOUNT_TIMEOUT');
      const others = report.accounts.filter((a) => a.accountId !== stuck && reachableIds(sim).includes(a.accountId));
      expect(others.map((a) => a.status)).toEqual(others.map(() => 'updated'));
      // With two slots, the other seven ran in the second slot while the stuck one waited.
      expect(others.filter((a) => a.finishedAt <= hung.finishedAt).length).toBe(others.length);
      expect(others.flatMap((a) => convergenceProblems(sim, a.accountId))).toEqual([]);
      expect(report.status).toBe('failed');
    } finally {
      await ctx.close();
      await proxy.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Organizations throttling during discovery', () => {
  it('is survived: every account is listed and converged', async () => {
    const env = await startRolloutEnv({
      org: plainOrg(45),
      emptyPageEvery: 1,
      scripted: [{ service: 'organizations', operation: 'ListAccounts', code: 'TooManyRequestsException', times: 3 }],
      services: { organizations: { throttle: { rate: 5, burst: 2 } } },
    });
    try {
      const report = await run(env);
      const stats = env.sim.stats();
      expect(stats.operations['organizations:ListAccounts'].throttled).toBeGreaterThanOrEqual(3);
      expect(stats.operations['organizations:ListAccounts'].ok).toBeGreaterThanOrEqual(3); // several pages, some empty
      expect(report.summary.total).toBe(46);
      expect(report.status).toBe('succeeded');
      expect(reachableIds(env.sim).flatMap((id) => convergenceProblems(env.sim, id))).toEqual([]);
    } finally {
      await env.close();
    }
  });
});
