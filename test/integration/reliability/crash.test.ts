/**
 * The built CLI killed with SIGKILL at random points of a rollout: the store opens cleanly
 * after each kill, the rollout is marked interrupted once its lease has expired, `--resume`
 * converges the rest, and no account's result row is lost or written twice. SIGTERM drains:
 * accounts in flight finish and are recorded, the rollout ends `interrupted`, exit code 1.
 *
 * The lease is 60 s (RolloutSettings.lockTtlMs, not configurable from the CLI); instead of
 * waiting, the test expires it in the SQLite file, as the passing of time would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutReport } from '../../../src/core/model.js';
import type { RolloutStore } from '../../../src/core/ports.js';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';
import { createStore } from '../../../src/store/create-store.js';
import { assertBuilt, convergenceProblems, countStatuses, plainOrg, reachableIds, runCli, simEnv, startCli, touched, until } from './reliability-helpers.js';

const ACCOUNTS = 30;
const SIM = { latencyMs: 30, jitterMs: 10 };
const CLI_ENV = { ROLLOUT_CONCURRENCY: '3' };

let dir: string;
let dbPath: string;
let storeUrl: string;

// A seeded PRNG (mulberry32): the kill points are random but a failing run can be replayed.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function resultRows(): number {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM account_results').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return -1; // not created or not migrated yet
  }
}

function expireLease(): number {
  const db = new Database(dbPath);
  try {
    return db.prepare('UPDATE rollout_lock SET expires_at = 0').run().changes;
  } finally {
    db.close();
  }
}

function integrity(): string {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

async function withStore<T>(fn: (store: RolloutStore) => Promise<T>): Promise<T> {
  const store = await createStore(storeUrl);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'oir-crash-'));
  dbPath = join(dir, 'rollouts.db');
  storeUrl = `sqlite:${dbPath}`;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL at random points, then --resume', () => {
  const random = prng(Number(process.env.CHAOS_SEED ?? 20261203));
  // Early (by time: start-up, migration, discovery) and mid-rollout (after k results).
  const points: ({ afterResults: number } | { afterMs: number })[] = [
    { afterResults: 1 + Math.floor(random() * 8) },
    { afterResults: 10 + Math.floor(random() * 15) },
    { afterMs: 50 + Math.floor(random() * 1200) },
  ];

  for (const [i, point] of points.entries()) {
    it(`run ${i + 1}: killed ${'afterResults' in point ? `after ${point.afterResults} results` : `${point.afterMs} ms after start`}`, async () => {
      const sim: RunningSimulator = await startSimulator({ port: 0, org: plainOrg(ACCOUNTS), ...SIM });
      try {
        const env = simEnv(sim, storeUrl, CLI_ENV);
        const base = Math.max(0, resultRows());
        const run = startCli(['rollout', '--json'], env);
        if ('afterResults' in point) {
          const k = point.afterResults;
          await until(() => (resultRows() - base >= k ? true : undefined), `${k} results`);
        }
        else await new Promise((r) => setTimeout(r, point.afterMs));
        run.child.kill('SIGKILL');
        const exit = await run.exited;
        expect(exit.signal).toBe('SIGKILL');

        // The store opens (migrations included) and is intact after the kill.
        expect(integrity()).toBe('ok');
        const orphan = await withStore(async (s) => {
          const latest = await s.latestRollout();
          return latest && latest.status === 'running' ? latest : null;
        });

        let parentRows: string[] = [];
        if (orphan) {
          if (i === 0) {
            // The dead process's lease still holds the lock until it expires.
            const locked = await runCli(['rollout', '--json'], env);
            expect(locked.code, locked.stderr).toBe(3);
            expect(locked.stderr).toContain(orphan.id);
          }
          expect(expireLease()).toBe(1);
          const recovered = await withStore(async (s) => {
            const ids = await s.recoverInterrupted();
            const record = await s.getRollout(orphan.id);
            const rows = await s.listAccountResults(orphan.id);
            return { ids, record, rows };
          });
          expect(recovered.ids).toEqual([orphan.id]);
          expect(recovered.record?.status).toBe('interrupted');
          expect(recovered.record?.summary).toEqual(countStatuses(recovered.rows));
          parentRows = recovered.rows.map((r) => r.accountId);
          expect(new Set(parentRows).size).toBe(parentRows.length);
          // Every account that holds a result was really finished, so it is not run again.
          for (const r of recovered.rows.filter((x) => x.status === 'updated')) expect(convergenceProblems(sim, r.accountId)).toEqual([]);
        }

        const resumed = orphan ? await runCli(['rollout', '--json', '--resume', orphan.id], env) : await runCli(['rollout', '--json'], env);
        expect(resumed.code, resumed.stderr).toBe(0);
        const report = JSON.parse(resumed.stdout) as RolloutReport;
        if (orphan) {
          expect(report.trigger).toBe('resume');
          expect(report.parentId).toBe(orphan.id);
        }
        const resumedIds = report.accounts.map((a) => a.accountId);
        // No account lost, none recorded twice: the parent's rows and the resume's rows partition the organization.
        expect(resumedIds.filter((id) => parentRows.includes(id))).toEqual([]);
        expect([...parentRows, ...resumedIds].sort()).toEqual(sim.org.accounts.map((a) => a.id).sort());
        const storedRows = await withStore((s) => s.listAccountResults(report.id));
        expect(storedRows.map((r) => r.accountId).sort()).toEqual([...resumedIds].sort());
        expect(reachableIds(sim).flatMap((id) => convergenceProblems(sim, id))).toEqual([]);
      } finally {
        await sim.close();
      }
    });
  }
});

describe('SIGTERM drains', () => {
  it('lets accounts in flight finish and record, ends interrupted with exit code 1, and resumes from there', async () => {
    const sim = await startSimulator({ port: 0, org: plainOrg(ACCOUNTS, 400000000000), ...SIM });
    try {
      const env = simEnv(sim, storeUrl, CLI_ENV);
      const base = resultRows();
      const run = startCli(['rollout', '--json'], env);
      const atSignal = await until(() => {
        const n = resultRows() - base;
        return n >= 4 ? n : undefined;
      }, 'four results');
      run.child.kill('SIGTERM');
      const exit = await run.exited;
      expect(exit.code, exit.stderr).toBe(1);
      const report = JSON.parse(exit.stdout) as RolloutReport;
      expect(report.status).toBe('interrupted');

      const rows = await withStore(async (s) => {
        expect((await s.getRollout(report.id))?.status).toBe('interrupted');
        return s.listAccountResults(report.id);
      });
      // Accounts in flight at the signal finished and were recorded after it.
      expect(rows.length).toBeGreaterThan(atSignal);
      expect(rows.length).toBeLessThan(ACCOUNTS + 1);
      expect(rows.filter((r) => r.status !== 'updated' && r.status !== 'skipped')).toEqual([]);
      // Nothing half-done: exactly the recorded accounts were touched in AWS, each fully converged.
      const recorded = new Set(rows.filter((r) => r.status === 'updated').map((r) => r.accountId));
      const changed = reachableIds(sim).filter((id) => touched(sim, id));
      expect(changed.sort()).toEqual([...recorded].sort());
      expect(changed.flatMap((id) => convergenceProblems(sim, id))).toEqual([]);

      // The lock was released on the way out: resume needs no lease expiry.
      const resumed = await runCli(['rollout', '--json', '--resume', report.id], env);
      expect(resumed.code, resumed.stderr).toBe(0);
      const resumedReport = JSON.parse(resumed.stdout) as RolloutReport;
      expect(resumedReport.summary.total + rows.length).toBe(ACCOUNTS + 1);
      expect(reachableIds(sim).flatMap((id) => convergenceProblems(sim, id))).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
