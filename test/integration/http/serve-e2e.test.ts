/**
 * `serve` end to end: the composed application (real SDK clients over HTTP to the simulator,
 * a real SQLite store) behind the real HTTP server, driven with fetch over a socket.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../../../src/compose.js';
import { loadConfig } from '../../../src/config.js';
import type { RolloutReport } from '../../../src/core/model.js';
import { createMetrics, METRIC_PREFIX } from '../../../src/http/metrics.js';
import { createLogger } from '../../../src/logger.js';
import { startServer, type RunningServer } from '../../../src/server.js';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';
import { API_TOKENS, LogSink, READ_TOKEN, WRITE_TOKEN } from '../../helpers/fake-http-app.js';
import { MGMT_ID, smallOrg } from '../../helpers/rollout-env.js';

const org = smallOrg();
const reachable = org.accounts.filter((a) => (a.state ?? 'ACTIVE') === 'ACTIVE' && !a.missingRole).map((a) => a.id);
const unreachableId = org.accounts[11].id;

let sim: RunningSimulator;
let server: RunningServer;
let dir: string;
const logs = new LogSink();

const headers = (token = WRITE_TOKEN): Record<string, string> => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

async function call(
  method: string,
  path: string,
  body?: unknown,
  token = WRITE_TOKEN,
): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${server.address}${path}`, {
    method,
    headers: body === undefined ? { authorization: `Bearer ${token}` } : headers(token),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Follows a rollout until it has finished; bounded by a number of polls, not by a clock. */
async function finished(id: string): Promise<RolloutReport> {
  for (let i = 0; i < 600; i += 1) {
    const { json } = await call('GET', `/rollouts/${id}?include=accounts`, undefined, READ_TOKEN);
    if (json.status !== 'running') return json as RolloutReport;
    await sleep(50);
  }
  throw new Error(`rollout ${id} still running after 600 polls`);
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, org });
  dir = mkdtempSync(join(tmpdir(), 'oir-http-'));
  cpSync('config', join(dir, 'config'), { recursive: true });
  const config = loadConfig(
    {},
    {
      STORE_URL: `sqlite:${join(dir, 'rollouts.db')}`,
      ROLLOUT_BASELINE: join(dir, 'config', 'baseline.json'),
      ROLLOUT_FAILURE_TOLERANCE: '100%',
      API_TOKENS,
      HOST: '127.0.0.1',
      PORT: '0',
    },
  );
  const logger = createLogger('info', logs);
  const metrics = createMetrics();
  const ctx = await compose(config, {
    logger,
    telemetry: metrics.telemetry,
    endpoint: sim.endpoint,
    credentials: { accessKeyId: 'AKIAMANAGEMENTKEY01', secretAccessKey: 'management-secret-value' },
  });
  server = await startServer(ctx, { metrics, handleSignals: false, shutdownDeadlineMs: 5000 });
});

afterAll(async () => {
  await server?.close();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('serve against a simulated organization', () => {
  let applied: RolloutReport;

  it('is ready once the store answers', async () => {
    const res = await fetch(`${server.address}/readyz`);
    expect(res.status).toBe(200);
  });

  it('plans with a dry-run started over HTTP and reports it in the contract shape', async () => {
    const started = await call('POST', '/rollouts', { dryRun: true });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/rollouts/${started.json.id}`);
    expect(started.json).toMatchObject({ status: 'running', dryRun: true, trigger: 'http', requestedBy: 'http:ops' });

    const report = await finished(started.json.id);
    expect(report.status).toBe('failed'); // the role-less account is unreachable
    expect(report.summary).toMatchObject({ planned: reachable.length, unreachable: 1 });
    expect(report.accounts.find((a) => a.accountId === reachable[0])).toMatchObject({ status: 'planned', apiCalls: { writes: 0 } });
    expect(sim.stats().totals.writes).toBe(0);
  });

  it('applies, then serves the latest status of every account and one account\'s history', async () => {
    const started = await call('POST', '/rollouts', {});
    applied = await finished(started.json.id);
    expect(applied.summary).toMatchObject({ updated: reachable.length, unreachable: 1 });
    expect(applied.accounts.find((a) => a.accountId === MGMT_ID)?.status).toBe('skipped');

    const accounts = await call('GET', '/accounts', undefined, READ_TOKEN);
    const byId = Object.fromEntries((accounts.json.items as { accountId: string; status: string; rolloutId: string }[]).map((a) => [a.accountId, a]));
    for (const id of reachable) expect(byId[id], id).toMatchObject({ status: 'updated', rolloutId: applied.id });
    expect(byId[unreachableId].status).toBe('unreachable');

    const one = await call('GET', `/accounts/${reachable[0]}`, undefined, READ_TOKEN);
    expect(one.json.latest).toMatchObject({ status: 'updated', dryRun: false });
    expect(one.json.history.map((h: { status: string }) => h.status)).toEqual(['updated', 'planned']);

    const failedOnly = await call('GET', `/rollouts/${applied.id}/accounts?status=unreachable`, undefined, READ_TOKEN);
    expect(failedOnly.json.items.map((a: { accountId: string }) => a.accountId)).toEqual([unreachableId]);
  });

  it('finds no drift in a converged account, live', async () => {
    const drift = await call('GET', `/accounts/${reachable[1]}/drift`, undefined, READ_TOKEN);
    expect(drift.status).toBe(200);
    expect(drift.json).toMatchObject({ accountId: reachable[1], status: 'compliant', actions: [], apiCalls: { writes: 0 } });
    const mgmt = await call('GET', '/accounts/999999999999/drift', undefined, READ_TOKEN);
    expect(mgmt.status).toBe(404);
    expect(mgmt.json.error.code).toBe('ACCOUNT.NOT_FOUND');
  });

  it('retries the unreachable account as a new rollout', async () => {
    const retried = await call('POST', `/rollouts/${applied.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.json).toMatchObject({ parentId: applied.id, trigger: 'retry' });
    const report = await finished(retried.json.id);
    expect(report.accounts.filter((a) => a.status !== 'skipped').map((a) => a.accountId)).toEqual([unreachableId]);
  });

  it('answers 409 naming the running rollout while one holds the lock, and cancels it', async () => {
    sim.setFaults({ latencyMs: 150 });
    try {
      const first = await call('POST', '/rollouts', { dryRun: true });
      expect(first.status).toBe(202);
      const second = await call('POST', '/rollouts', { dryRun: true });
      expect(second.status).toBe(409);
      expect(second.json.error).toMatchObject({ code: 'ROLLOUT.LOCKED', heldBy: first.json.id });
      expect(second.json.error.message).toContain(first.json.id);

      const cancelled = await call('POST', `/rollouts/${first.json.id}/cancel`);
      expect(cancelled.status).toBe(202);
      const report = await finished(first.json.id);
      expect(report.status).toBe('cancelled');
      const again = await call('POST', `/rollouts/${first.json.id}/cancel`);
      expect(again.status).toBe(409);
      expect(again.json.error.code).toBe('ROLLOUT.NOT_RUNNING');
    } finally {
      sim.setFaults({ latencyMs: 0 });
    }
  });

  it('pages the rollout list newest first', async () => {
    const first = await call('GET', '/rollouts?limit=2', undefined, READ_TOKEN);
    expect(first.json.items).toHaveLength(2);
    const next = await call('GET', `/rollouts?limit=10&before=${first.json.nextCursor}`, undefined, READ_TOKEN);
    const ids = [...first.json.items, ...next.json.items].map((r: { id: string }) => r.id);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    const started = [...first.json.items, ...next.json.items].map((r: { startedAt: string }) => r.startedAt);
    expect([...started].sort().reverse()).toEqual(started);
  });

  it('counts what happened in /metrics', async () => {
    const res = await fetch(`${server.address}/metrics`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    const text = await res.text();
    expect(text).toMatch(new RegExp(`${METRIC_PREFIX}rollouts_total\\{status="failed"\\} [1-9]`));
    expect(text).toMatch(new RegExp(`${METRIC_PREFIX}account_results_total\\{status="updated"\\} ${reachable.length}`));
    expect(text).toMatch(new RegExp(`${METRIC_PREFIX}aws_calls_total\\{service="iam",operation="[A-Za-z]+",outcome="ok"\\} [1-9]`));
    expect(text).toContain(`${METRIC_PREFIX}accounts_in_flight 0`);
  });

  it('never logs a token or the management credentials', () => {
    expect(logs.lines.length).toBeGreaterThan(20);
    for (const secret of [WRITE_TOKEN, READ_TOKEN, 'management-secret-value']) expect(logs.text).not.toContain(secret);
  });
});
