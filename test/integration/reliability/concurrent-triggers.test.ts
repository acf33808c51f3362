/**
 * Two `serve` processes and two CLI runs on one PostgreSQL store (its own schema), all
 * triggered at once, round after round: one rollout at a time, the others get 409 or exit
 * code 3. The invariant checked is the lock's: no two recorded rollouts overlap in time,
 * and every trigger either ran the one rollout or was refused as locked — nothing else.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutRecord } from '../../../src/core/model.js';
import type { RolloutStore } from '../../../src/core/ports.js';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';
import { createStore } from '../../../src/store/create-store.js';
import { DATABASE_URL, postgresProblem } from '../../helpers/postgres.js';
import { assertBuilt, convergenceProblems, plainOrg, reachableIds, simEnv, startCli, until, type CliRun } from './reliability-helpers.js';

const ROUNDS = Number(process.env.RELIABILITY_ROUNDS ?? 4);
const TOKEN = 'reliability-token-0123456789';

const problem = await postgresProblem('concurrent-trigger tests');

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

interface Serve {
  base: string;
  run: CliRun;
}

describe.skipIf(problem !== null)('concurrent triggers on one PostgreSQL store', () => {
  const schema = `oir_rel_${randomBytes(4).toString('hex')}`;
  const storeUrl = `${DATABASE_URL}${DATABASE_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  let sim: RunningSimulator;
  let store: RolloutStore;
  const serves: Serve[] = [];
  let env: Record<string, string>;

  const post = async (s: Serve): Promise<{ status: number; body: { id?: string; error?: { code: string; message: string } } }> => {
    const res = await fetch(`${s.base}/rollouts`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
    return { status: res.status, body: (await res.json()) as never };
  };

  beforeAll(async () => {
    assertBuilt();
    // Long enough (≈2 s) that every trigger of a round arrives while the winner still runs.
    sim = await startSimulator({ port: 0, org: plainOrg(16), latencyMs: 60 });
    // Migrate once up front, as a deployment would; the processes then race only on the lock.
    store = await createStore(storeUrl);
    env = simEnv(sim, storeUrl, { ROLLOUT_CONCURRENCY: '2', API_TOKENS: `ops=${TOKEN}`, HOST: '127.0.0.1' });
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const run = startCli(['serve'], { ...env, PORT: String(port) });
      const base = `http://127.0.0.1:${port}`;
      serves.push({ base, run });
      await until(async () => ((await fetch(`${base}/readyz`).catch(() => null))?.ok ? true : undefined), `serve on ${port}`, 400, 50);
    }
  });

  afterAll(async () => {
    for (const s of serves) s.run.child.kill('SIGTERM');
    const exits = await Promise.all(serves.map((s) => s.run.exited));
    await store?.close();
    await sim?.close();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
    expect(exits.map((e) => e.code)).toEqual([0, 0]);
  });

  it(`${ROUNDS} rounds of 2 HTTP + 2 CLI triggers at once: one rollout at a time, the rest refused`, async () => {
    let refusedHttp = 0;
    let refusedCli = 0;
    let won = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const clis = [startCli(['rollout', '--json'], env), startCli(['rollout', '--json'], env)];
      const answers = await Promise.all(serves.map(post));
      // The two HTTP triggers are simultaneous for certain: exactly one gets the lock.
      const accepted = answers.filter((a) => a.status === 202);
      const refused = answers.filter((a) => a.status === 409);
      expect(answers.map((a) => a.status).sort(), JSON.stringify(answers)).toEqual([202, 409]);
      expect(refused[0].body.error?.code).toBe('ROLLOUT.LOCKED');
      expect(refused[0].body.error?.message).toMatch(/another rollout is running/);
      refusedHttp += refused.length;
      won += accepted.length;

      const cliExits = await Promise.all(clis.map((c) => c.exited));
      for (const e of cliExits) {
        // Exit 3 when locked out; a CLI that started after the winner finished runs its own (0).
        expect([0, 3], e.stderr).toContain(e.code);
        if (e.code === 3) {
          refusedCli++;
          expect(e.stderr).toMatch(/another rollout is running/);
          expect(e.stdout).toBe('');
        } else won++;
      }
      const id = accepted[0].body.id!;
      await until(async () => ((await store.getRollout(id))?.status !== 'running' ? true : undefined), `rollout ${id}`, 800, 50);
    }

    const all = (await store.listRollouts({ limit: 1000 })).items;
    expect(all.length).toBe(won);
    expect(all.every((r) => r.status === 'succeeded')).toBe(true);
    expect(overlaps(all)).toEqual([]);
    expect(refusedHttp).toBe(ROUNDS);
    // The CLIs start ~1 s after the HTTP winner and mostly find it still running.
    expect(refusedCli).toBeGreaterThan(0);
    expect(reachableIds(sim).flatMap((a) => convergenceProblems(sim, a))).toEqual([]);
    // Both servers read the same store: B lists what A started, and vice versa.
    const lists = await Promise.all(
      serves.map(async (s) => ((await (await fetch(`${s.base}/rollouts?limit=100`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { items: RolloutRecord[] }).items.map((r) => r.id)),
    );
    expect(lists[0].sort()).toEqual(all.map((r) => r.id).sort());
    expect(lists[1].sort()).toEqual(lists[0]);
  });
});

/** Pairs of rollouts whose [startedAt, finishedAt] intervals overlap. */
function overlaps(rollouts: RolloutRecord[]): string[] {
  const sorted = [...rollouts].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const out: string[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (prev.finishedAt === null || prev.finishedAt > sorted[i].startedAt) out.push(`${prev.id} (${prev.startedAt}–${prev.finishedAt}) overlaps ${sorted[i].id} (${sorted[i].startedAt})`);
  }
  return out;
}
