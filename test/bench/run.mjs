#!/usr/bin/env node
/**
 * `npm run bench`: the built CLI against the built-in simulator, one JSON line per scenario.
 *
 * idealMs is the lower bound: ceil(accounts / concurrency) × the account's sequential call
 * chain × latency, or, under throttling, total throttled-service calls ÷ the allowed rate,
 * whichever is larger; efficiency = idealMs / wallMs. Scenarios can be picked by name:
 * `npm run bench -- fresh-1000 noop-1000`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const { startSimulator } = await import(join(root, 'dist/simulator/index.js'));
const cli = join(root, 'dist/cli/main.js');
const hook = join(root, 'test/bench/usage-hook.mjs');

function runCli(args, env) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', hook, cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, out, err, wallMs: performance.now() - started }));
  });
}

async function rolloutScenario({ name, sim, dir, concurrency, latencyMs, throttle, extraArgs = [] }) {
  const usageFile = join(dir, `${name}.usage.json`);
  sim.resetStats();
  const r = await runCli(['rollout', '--json', '--concurrency', String(concurrency), '--failure-tolerance', '100%', ...extraArgs], {
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIABENCHMARK000000',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    STORE_URL: `sqlite:${join(dir, 'rollouts.db')}`,
    LOG_LEVEL: 'warn',
    ROLLOUT_MAX_ATTEMPTS: '10',
    BENCH_USAGE_FILE: usageFile,
  });
  if (r.code !== 0 && r.code !== 1) throw new Error(`${name}: CLI exited ${r.code}: ${r.err.slice(-2000)}`);
  const report = JSON.parse(r.out);
  const usage = JSON.parse(readFileSync(usageFile, 'utf8'));
  const reached = report.accounts.filter((a) => a.status !== 'skipped' && a.status !== 'unreachable');
  const calls = reached.reduce((n, a) => n + a.apiCalls.reads + a.apiCalls.writes, 0);
  const writes = reached.reduce((n, a) => n + a.apiCalls.writes, 0);
  const chain = reached.length ? calls / reached.length : 0;
  const stats = sim.stats();
  const attempts = stats.totals.total;
  let idealMs = Math.ceil(reached.length / concurrency) * chain * latencyMs;
  if (throttle) {
    // Every reached account makes one AssumeRole from the hub: that bucket bounds the run.
    const stsCalls = stats.services.sts ? stats.services.sts.total - stats.services.sts.throttled : reached.length;
    idealMs = Math.max(idealMs, ((stsCalls - throttle.burst) / throttle.rate) * 1000);
  }
  return {
    scenario: name,
    accounts: report.summary.total,
    reached: reached.length,
    status: report.status,
    concurrency,
    latencyMs,
    throttle: throttle ?? null,
    wallMs: Math.round(r.wallMs),
    idealMs: Math.round(idealMs),
    efficiency: Number((idealMs / r.wallMs).toFixed(3)),
    callsPerAccount: Number(chain.toFixed(2)),
    writesPerAccount: Number((reached.length ? writes / reached.length : 0).toFixed(2)),
    throttledRatio: Number((attempts ? stats.totals.throttled / attempts : 0).toFixed(4)),
    peakRssMb: Math.round(usage.maxRssKb / 1024),
    cpuMsPerAccount: Number(((usage.userUs + usage.systemUs) / 1000 / Math.max(1, report.summary.total)).toFixed(2)),
  };
}

async function statusApiScenario({ dir, accounts }) {
  const { default: autocannon } = await import('autocannon');
  const port = 18000 + Math.floor(Math.random() * 1000);
  const token = 'bench-token-0123456789abcdef';
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { ...process.env, STORE_URL: `sqlite:${join(dir, 'rollouts.db')}`, API_TOKENS: token, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    const list = await (await fetch(`${base}/accounts`, { headers: { authorization: `Bearer ${token}` } })).json();
    const ids = (list.items ?? list.accounts ?? list).map((a) => a.accountId);
    const results = [];
    for (const [scenario, path, duration] of [
      ['status-api-account', () => `/accounts/${ids[Math.floor(Math.random() * ids.length)]}`, 10],
      ['status-api-list', () => '/accounts', 10],
    ]) {
      const res = await autocannon({
        url: base,
        connections: 50,
        duration,
        headers: { authorization: `Bearer ${token}` },
        requests: [{ setupRequest: (req) => ({ ...req, path: path() }) }],
      });
      results.push({
        scenario,
        accounts,
        connections: 50,
        requestsPerSec: Math.round(res.requests.average),
        p50Ms: res.latency.p50,
        p99Ms: res.latency.p99,
        non2xx: res.non2xx,
        errors: res.errors,
      });
    }
    return results;
  } finally {
    child.kill('SIGTERM');
  }
}

const wanted = new Set(process.argv.slice(2));
const pick = (name) => wanted.size === 0 || wanted.has(name);
const emit = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

for (const size of [1000, 10000]) {
  if (!pick(`fresh-${size}`) && !pick(`noop-${size}`) && !(size === 10000 && pick('status-api'))) continue;
  const dir = mkdtempSync(join(tmpdir(), `oir-bench-${size}-`));
  const sim = await startSimulator({ port: 0, accounts: size, seed: 42, latencyMs: 50, emptyPageEvery: 0 });
  try {
    emit(await rolloutScenario({ name: `fresh-${size}`, sim, dir, concurrency: 50, latencyMs: 50 }));
    if (pick(`noop-${size}`)) emit(await rolloutScenario({ name: `noop-${size}`, sim, dir, concurrency: 50, latencyMs: 50 }));
    if (size === 10000 && pick('status-api')) for (const line of await statusApiScenario({ dir, accounts: size })) emit(line);
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (pick('throttled-1000')) {
  // A no-op rollout whose AssumeRole calls share a hub token bucket well below what
  // concurrency 50 would demand: the rate bounds the run, the AIMD gate should keep retries rare.
  const dir = mkdtempSync(join(tmpdir(), 'oir-bench-throttle-'));
  const throttle = { rate: 40, burst: 10 };
  const sim = await startSimulator({ port: 0, accounts: 1000, seed: 43, latencyMs: 50, emptyPageEvery: 0 });
  try {
    await rolloutScenario({ name: 'setup', sim, dir, concurrency: 50, latencyMs: 50 });
    sim.setFaults({ services: { sts: { throttle } } });
    emit(await rolloutScenario({ name: 'throttled-1000', sim, dir, concurrency: 50, latencyMs: 50, throttle }));
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
