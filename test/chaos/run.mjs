#!/usr/bin/env node
/**
 * `npm run chaos`: the long versions of the reliability tests (test/integration/reliability),
 * run over the built CLI and simulator. One JSON line per scenario on stdout; RELIABILITY.md
 * keeps the last figures. Pick scenarios by name: `npm run chaos -- faults-500 sigkill-20`.
 *
 * Every scenario checks its invariants and reports them as counts; `ok` is false (and the
 * exit code 1) when any invariant broke.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const { startSimulator } = await import(join(root, 'dist/simulator/index.js'));
const { createStore } = await import(join(root, 'dist/store/create-store.js'));
const cli = join(root, 'dist/cli/main.js');
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 2 ** 31);

let failed = false;
const emit = (line) => {
  if (line.ok === false) failed = true;
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);

function startCli(args, env) {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', AWS_REGION: 'us-east-1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
  });
  return { child, exited };
}

const simEnv = (sim, storeUrl, extra = {}) => ({
  AWS_ENDPOINT_URL: sim.endpoint,
  AWS_ACCESS_KEY_ID: 'AKIACHAOS0000000001',
  AWS_SECRET_ACCESS_KEY: 'chaos-secret',
  STORE_URL: storeUrl,
  ROLLOUT_FAILURE_TOLERANCE: '100%',
  ...extra,
});

const plainOrg = (n, first = 300000000000) => ({
  managementAccount: { id: '111111111111', name: 'management' },
  ous: [{ name: 'Workloads' }],
  accounts: Array.from({ length: n }, (_, i) => ({ id: String(first + i), name: `acct-${i}`, ou: 'Workloads' })),
});

const reachableIds = (sim) => sim.org.accounts.filter((a) => !a.isManagement && a.state === 'ACTIVE' && !a.missingRole).map((a) => a.id);

/** The same checks as convergenceProblems() in test/integration/reliability/reliability-helpers.ts. */
function problems(sim, id, maxVersions = 1) {
  const d = sim.iam.dump(id);
  const out = [];
  const arn = `arn:aws:iam::${id}:policy/RequireMFAPolicy`;
  const managed = d.policies.filter((p) => p.tags['managed-by'] === 'org-iam-rollout');
  if (managed.length !== 1) out.push('managed policies');
  const policy = d.policies.find((p) => p.name === 'RequireMFAPolicy');
  if (policy) {
    if (policy.versions.filter((v) => v.isDefaultVersion).length !== 1) out.push('default versions');
    if (policy.versions.length > maxVersions) out.push('duplicate versions');
    if (policy.attachmentCount !== 1) out.push('attachments');
  }
  const users = d.groups.filter((g) => g.name === 'Users');
  if (users.length !== 1 || JSON.stringify(users[0].attachedPolicyArns) !== JSON.stringify([arn])) out.push('Users');
  const admins = d.groups.find((g) => g.name === 'Administrators');
  if (!admins || Object.keys(admins.inlinePolicies).join() !== 'AssumeAdminRole') out.push('Administrators');
  const role = d.roles.filter((r) => r.name === 'admin');
  if (role.length !== 1 || JSON.stringify(role[0].attachedPolicyArns) !== JSON.stringify(['arn:aws:iam::aws:policy/AdministratorAccess'])) out.push('admin role');
  return out;
}

const touched = (sim, id) => {
  const d = sim.iam.dump(id);
  return d.policies.some((p) => p.name === 'RequireMFAPolicy') || d.groups.some((g) => g.name === 'Users' || g.name === 'Administrators') || d.roles.some((r) => r.name === 'admin');
};

function countStatuses(rows) {
  const s = { total: 0, compliant: 0, updated: 0, planned: 0, failed: 0, unreachable: 0, skipped: 0 };
  for (const r of rows) {
    s.total++;
    s[r.status]++;
  }
  return s;
}

async function until(check, what, polls = 4000, everyMs = 25) {
  for (let i = 0; i < polls; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await sleep(everyMs);
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function withStore(url, fn) {
  const store = await createStore(url);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------

async function faultsScenario(accounts) {
  const FAULTS = { latencyMs: 5, jitterMs: 30, failureRate: 0.05, dropRate: 0.02, throttle: { rate: 3, burst: 5 }, services: { sts: { throttle: { rate: 30, burst: 10 } } } };
  const dir = mkdtempSync(join(tmpdir(), 'oir-chaos-faults-'));
  const sim = await startSimulator({ port: 0, accounts, seed: SEED % 100000, ...FAULTS });
  const storeUrl = `sqlite:${join(dir, 'rollouts.db')}`;
  const env = simEnv(sim, storeUrl, { ROLLOUT_CONCURRENCY: '25', ROLLOUT_MAX_ATTEMPTS: '10' });
  let spikes = 0;
  const spiking = setInterval(() => {
    spikes++;
    sim.setFaults({ latencyMs: 200 });
    setTimeout(() => sim.setFaults({ latencyMs: FAULTS.latencyMs }), 100).unref();
  }, 1000);
  try {
    const started = performance.now();
    const r = await startCli(['rollout', '--json'], env).exited;
    const wallMs = Math.round(performance.now() - started);
    const report = JSON.parse(r.stdout);
    const stats = sim.stats();
    const reachable = reachableIds(sim);
    const byId = new Map(report.accounts.map((a) => [a.accountId, a]));
    const notUpdated = reachable.filter((id) => byId.get(id)?.status !== 'updated');
    const broken = reachable.filter((id) => problems(sim, id).length > 0);
    const duplicateVersions = reachable.filter((id) => problems(sim, id).includes('duplicate versions')).length;
    const rows = await withStore(storeUrl, (s) => s.listAccountResults(report.id));
    const ids = rows.map((x) => x.accountId);
    const duplicateRows = ids.length - new Set(ids).size;
    const missingRows = sim.org.accounts.filter((a) => !ids.includes(a.id)).length;
    const summaryMatchesRows = JSON.stringify(countStatuses(rows)) === JSON.stringify(report.summary);

    sim.resetStats();
    const again = JSON.parse((await startCli(['rollout', '--json'], env).exited).stdout);
    const secondWrites = sim.stats().totals.writes;
    const secondNotCompliant = again.accounts.filter((a) => reachable.includes(a.accountId) && a.status !== 'compliant').length;
    const ok = notUpdated.length === 0 && broken.length === 0 && duplicateRows === 0 && missingRows === 0 && summaryMatchesRows && secondWrites === 0 && secondNotCompliant === 0;
    return {
      scenario: `faults-${accounts}`,
      ok,
      accounts: report.summary.total,
      reachable: reachable.length,
      converged: reachable.length - broken.length,
      notUpdated: notUpdated.length,
      duplicateVersions,
      resultRows: rows.length,
      duplicateRows,
      missingRows,
      summaryMatchesRows,
      calls: stats.totals.total,
      throttledRatio: Number((stats.totals.throttled / stats.totals.total).toFixed(4)),
      serverErrorRatio: Number((stats.totals.errors / stats.totals.total).toFixed(4)),
      droppedRatio: Number((stats.totals.dropped / stats.totals.total).toFixed(4)),
      latencySpikes: spikes,
      wallMs,
      secondRunWrites: secondWrites,
      secondRunNotCompliant: secondNotCompliant,
    };
  } finally {
    clearInterval(spiking);
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sigkillScenario(runs) {
  const ACCOUNTS = 40;
  const dir = mkdtempSync(join(tmpdir(), 'oir-chaos-kill-'));
  const dbPath = join(dir, 'rollouts.db');
  const storeUrl = `sqlite:${dbPath}`;
  const rowCount = () => {
    try {
      const db = new Database(dbPath, { readonly: true, fileMustExist: true });
      try {
        return db.prepare('SELECT count(*) AS n FROM account_results').get().n;
      } finally {
        db.close();
      }
    } catch {
      return -1;
    }
  };
  const tally = { runs, killedEarly: 0, killedMidRollout: 0, storeOpenedCleanly: 0, integrityOk: 0, lockedUntilLeaseExpired: 0, markedInterrupted: 0, resumedExit0: 0, lostRows: 0, duplicateRows: 0, notConverged: 0, killPoints: [] };
  try {
    for (let i = 0; i < runs; i++) {
      const sim = await startSimulator({ port: 0, org: plainOrg(ACCOUNTS), latencyMs: 30, jitterMs: 10 });
      try {
        const env = simEnv(sim, storeUrl, { ROLLOUT_CONCURRENCY: '3' });
        const base = Math.max(0, rowCount());
        const run = startCli(['rollout', '--json'], env);
        // A third of the kills by time from start (start-up, migration, discovery), the rest after k results.
        if (random() < 1 / 3) {
          const ms = Math.floor(random() * 1500);
          tally.killPoints.push(`${ms}ms`);
          await sleep(ms);
        } else {
          const k = 1 + Math.floor(random() * (ACCOUNTS - 2));
          tally.killPoints.push(`${k}r`);
          await until(() => (rowCount() - base >= k ? true : undefined), `${k} results`);
        }
        run.child.kill('SIGKILL');
        await run.exited;
        const orphan = await withStore(storeUrl, async (s) => {
          const latest = await s.latestRollout();
          return latest?.status === 'running' ? latest : null;
        });
        tally.storeOpenedCleanly++;
        const db = new Database(dbPath);
        if (db.pragma('integrity_check', { simple: true }) === 'ok') tally.integrityOk++;
        let parentIds = [];
        if (orphan) {
          tally.killedMidRollout++;
          const locked = await startCli(['rollout', '--json'], env).exited;
          if (locked.code === 3) tally.lockedUntilLeaseExpired++;
          db.prepare('UPDATE rollout_lock SET expires_at = 0').run();
          db.close();
          const rec = await withStore(storeUrl, async (s) => ({ ids: await s.recoverInterrupted(), record: await s.getRollout(orphan.id), rows: await s.listAccountResults(orphan.id) }));
          if (rec.ids.includes(orphan.id) && rec.record.status === 'interrupted') tally.markedInterrupted++;
          parentIds = rec.rows.map((r) => r.accountId);
        } else {
          tally.killedEarly++;
          db.close();
        }
        const resumed = await startCli(orphan ? ['rollout', '--json', '--resume', orphan.id] : ['rollout', '--json'], env).exited;
        if (resumed.code === 0) tally.resumedExit0++;
        const report = JSON.parse(resumed.stdout);
        const all = [...parentIds, ...report.accounts.map((a) => a.accountId)];
        tally.duplicateRows += all.length - new Set(all).size;
        tally.lostRows += sim.org.accounts.filter((a) => !all.includes(a.id)).length;
        tally.notConverged += reachableIds(sim).filter((id) => problems(sim, id).length > 0).length;
      } finally {
        await sim.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ok =
    tally.storeOpenedCleanly === runs &&
    tally.integrityOk === runs &&
    tally.resumedExit0 === runs &&
    tally.markedInterrupted === tally.killedMidRollout &&
    tally.lockedUntilLeaseExpired === tally.killedMidRollout &&
    tally.lostRows === 0 &&
    tally.duplicateRows === 0 &&
    tally.notConverged === 0;
  return { scenario: `sigkill-${runs}`, ok, ...tally };
}

async function sigtermScenario(runs) {
  const ACCOUNTS = 40;
  const dir = mkdtempSync(join(tmpdir(), 'oir-chaos-term-'));
  const dbPath = join(dir, 'rollouts.db');
  const storeUrl = `sqlite:${dbPath}`;
  const rowCount = () => {
    try {
      const db = new Database(dbPath, { readonly: true, fileMustExist: true });
      try {
        return db.prepare('SELECT count(*) AS n FROM account_results').get().n;
      } finally {
        db.close();
      }
    } catch {
      return -1;
    }
  };
  const tally = { runs, exit1: 0, interrupted: 0, inFlightFinished: 0, halfDone: 0, resumedExit0: 0 };
  try {
    for (let i = 0; i < runs; i++) {
      const sim = await startSimulator({ port: 0, org: plainOrg(ACCOUNTS, 400000000000 + i * 1000), latencyMs: 30, jitterMs: 10 });
      try {
        const env = simEnv(sim, storeUrl, { ROLLOUT_CONCURRENCY: '3' });
        const base = Math.max(0, rowCount());
        const run = startCli(['rollout', '--json'], env);
        const k = 2 + Math.floor(random() * (ACCOUNTS - 10));
        const atSignal = await until(() => {
          const n = rowCount() - base;
          return n >= k ? n : undefined;
        }, 'results');
        run.child.kill('SIGTERM');
        const exit = await run.exited;
        if (exit.code === 1) tally.exit1++;
        const report = JSON.parse(exit.stdout);
        const rows = await withStore(storeUrl, async (s) => {
          if ((await s.getRollout(report.id)).status === 'interrupted') tally.interrupted++;
          return s.listAccountResults(report.id);
        });
        if (rows.length > atSignal) tally.inFlightFinished++;
        const recorded = new Set(rows.filter((r) => r.status === 'updated').map((r) => r.accountId));
        tally.halfDone += reachableIds(sim).filter((id) => touched(sim, id) !== recorded.has(id) || (recorded.has(id) && problems(sim, id).length > 0)).length;
        const resumed = await startCli(['rollout', '--json', '--resume', report.id], env).exited;
        if (resumed.code === 0) tally.resumedExit0++;
      } finally {
        await sim.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ok = tally.exit1 === runs && tally.interrupted === runs && tally.inFlightFinished === runs && tally.halfDone === 0 && tally.resumedExit0 === runs;
  return { scenario: `sigterm-${runs}`, ok, ...tally };
}

async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

async function concurrentScenario(rounds) {
  const probe = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await probe.connect();
  } catch (e) {
    return { scenario: `concurrent-${rounds}`, ok: false, skipped: `no PostgreSQL at ${DATABASE_URL.replace(/\/\/[^@]*@/, '//***@')}: ${e.message}` };
  }
  const schema = `oir_chaos_${randomBytes(4).toString('hex')}`;
  const storeUrl = `${DATABASE_URL}${DATABASE_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const token = 'chaos-token-0123456789abcdef';
  const sim = await startSimulator({ port: 0, org: plainOrg(16), latencyMs: 60 });
  const store = await createStore(storeUrl);
  const env = simEnv(sim, storeUrl, { ROLLOUT_CONCURRENCY: '2', API_TOKENS: `ops=${token}`, HOST: '127.0.0.1' });
  const serves = [];
  const tally = { rounds, triggers: rounds * 4, rollouts: 0, http409: 0, cli3: 0, cliRanAfterWinner: 0, unexpected: 0, overlaps: 0, serveExit0: 0 };
  try {
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const run = startCli(['serve'], { ...env, PORT: String(port) });
      const base = `http://127.0.0.1:${port}`;
      serves.push({ base, run });
      await until(async () => ((await fetch(`${base}/readyz`).catch(() => null))?.ok ? true : undefined), 'serve', 400, 50);
    }
    for (let round = 0; round < rounds; round++) {
      const clis = [startCli(['rollout', '--json'], env), startCli(['rollout', '--json'], env)];
      const answers = await Promise.all(
        serves.map(async (s) => {
          const res = await fetch(`${s.base}/rollouts`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
          return { status: res.status, body: await res.json() };
        }),
      );
      for (const a of answers) {
        if (a.status === 409) tally.http409++;
        else if (a.status !== 202) tally.unexpected++;
      }
      for (const e of await Promise.all(clis.map((c) => c.exited))) {
        if (e.code === 3) tally.cli3++;
        else if (e.code === 0) tally.cliRanAfterWinner++;
        else tally.unexpected++;
      }
      const accepted = answers.find((a) => a.status === 202);
      if (accepted) await until(async () => ((await store.getRollout(accepted.body.id))?.status !== 'running' ? true : undefined), 'rollout', 800, 50);
    }
    const all = (await store.listRollouts({ limit: 10000 })).items.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    tally.rollouts = all.length;
    for (let i = 1; i < all.length; i++) if (!all[i - 1].finishedAt || all[i - 1].finishedAt > all[i].startedAt) tally.overlaps++;
  } finally {
    for (const s of serves) s.run.child.kill('SIGTERM');
    for (const s of serves) if ((await s.run.exited).code === 0) tally.serveExit0++;
    await store.close();
    await sim.close();
    await probe.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await probe.end();
  }
  const ok = tally.overlaps === 0 && tally.unexpected === 0 && tally.http409 === rounds && tally.serveExit0 === 2;
  return { scenario: `concurrent-${rounds}`, ok, ...tally };
}

// ---------------------------------------------------------------------------

const scenarios = {
  'faults-500': () => faultsScenario(500),
  'sigkill-20': () => sigkillScenario(20),
  'sigterm-5': () => sigtermScenario(5),
  'concurrent-20': () => concurrentScenario(20),
};
const wanted = process.argv.slice(2);
for (const name of wanted) if (!(name in scenarios)) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
process.stderr.write(`chaos seed ${SEED} (CHAOS_SEED=${SEED} replays the kill points)\n`);
for (const [name, run] of Object.entries(scenarios)) {
  if (wanted.length && !wanted.includes(name)) continue;
  try {
    emit({ ...(await run()), seed: SEED, at: new Date().toISOString() });
  } catch (e) {
    emit({ scenario: name, ok: false, error: e.stack ?? String(e) });
  }
}
process.exitCode = failed ? 1 : 0;
