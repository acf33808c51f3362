import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppContext } from '../../../src/compose.js';
import type { Config } from '../../../src/config.js';
import { createMetrics, METRIC_PREFIX } from '../../../src/http/metrics.js';
import { createLogger } from '../../../src/logger.js';
import { startServer, type RunningServer, type StartServerOptions } from '../../../src/server.js';
import { LogSink, READ_TOKEN, WRITE_TOKEN, testConfig } from '../../helpers/fake-http-app.js';
import { FakeRolloutService } from '../../helpers/fake-rollout-service.js';
import { FakeStore } from '../../helpers/fake-store.js';

interface Harness {
  ctx: AppContext & { closedCount: number };
  store: FakeStore;
  rollouts: FakeRolloutService;
  logs: LogSink;
}

function harness(config: Readonly<Config>): Harness {
  const store = new FakeStore();
  const rollouts = new FakeRolloutService(store);
  const logs = new LogSink();
  const ctx = {
    config,
    logger: createLogger('info', logs),
    store,
    rollouts,
    telemetry: createMetrics().telemetry,
    closedCount: 0,
    async close() {
      ctx.closedCount += 1;
      await store.close();
    },
  };
  return { ctx, store, rollouts, logs };
}

const running: RunningServer[] = [];
async function start(h: Harness, options: StartServerOptions = {}): Promise<RunningServer> {
  const server = await startServer(h.ctx, { handleSignals: false, ...options });
  running.push(server);
  return server;
}
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
});

const local = (env: Record<string, string> = {}): Readonly<Config> => testConfig({ HOST: '127.0.0.1', PORT: '0', ...env });
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

describe('serve over a real socket', () => {
  it('answers the API over HTTP: probes open, rollouts behind a token, Location followable', async () => {
    const h = harness(local());
    const server = await start(h);
    expect(server.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(`${server.address}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const anonymous = await fetch(`${server.address}/rollouts`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const created = await fetch(`${server.address}/rollouts`, {
      method: 'POST',
      headers: { ...bearer(WRITE_TOKEN), 'content-type': 'application/json' },
      body: JSON.stringify({ dryRun: true, accounts: ['111111111111'] }),
    });
    expect(created.status).toBe(202);
    const location = created.headers.get('location');
    expect(location).toMatch(/^\/rollouts\//);

    const followed = await fetch(`${server.address}${location}?include=accounts`, { headers: bearer(READ_TOKEN) });
    expect(followed.status).toBe(200);
    expect(await followed.json()).toMatchObject({ status: 'running', dryRun: true, trigger: 'http', requestedBy: 'http:ops', accounts: [] });

    const metrics = await fetch(`${server.address}/metrics`, { headers: bearer(READ_TOKEN) });
    expect(await metrics.text()).toContain(`${METRIC_PREFIX}accounts_in_flight`);
    expect(h.logs.text).not.toContain(WRITE_TOKEN);
    expect(h.logs.text).not.toContain(READ_TOKEN);
  });

  it('closes in order: stops listening, shuts the rollouts down within the deadline, closes the store — once', async () => {
    const h = harness(local());
    const server = await start(h, { shutdownDeadlineMs: 1234 });
    const { id } = (
      await (
        await fetch(`${server.address}/rollouts`, { method: 'POST', headers: bearer(WRITE_TOKEN) })
      ).json()
    ) as { id: string };
    expect(h.rollouts.running()).toEqual([id]);

    await Promise.all([server.close(), server.close()]);
    await server.closed;
    expect(h.rollouts.shutdownDeadlines).toEqual([1234]);
    expect((await h.store.getRollout(id))?.status).toBe('interrupted');
    expect(h.ctx.closedCount).toBe(1);
    expect(h.store.closed).toBe(true);
    await expect(fetch(`${server.address}/healthz`)).rejects.toThrow();
  });

  it('closes gracefully on SIGTERM', async () => {
    const h = harness(local());
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      const server = await start(h, { handleSignals: true, shutdownDeadlineMs: 500 });
      process.emit('SIGTERM', 'SIGTERM');
      await server.closed;
      expect(h.rollouts.shutdownDeadlines).toEqual([500]);
      expect(h.store.closed).toBe(true);
      await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
      expect(h.logs.records().some((r) => r.signal === 'SIGTERM')).toBe(true);
    } finally {
      exit.mockRestore();
    }
  });

  it('runs the configured schedule and stops it on close', async () => {
    const h = harness(local({ ROLLOUT_SCHEDULE: '0 4 * * *' }));
    await start(h);
    const active = h.logs.records().find((r) => r.msg === 'rollout schedule active');
    expect(active).toMatchObject({ schedule: '0 4 * * *', nextRun: expect.any(String) });
  });
});

describe('serve refuses to start', () => {
  it('without a token', async () => {
    const h = harness(local({ API_TOKENS: '' }));
    await expect(start(h)).rejects.toMatchObject({ code: 'CONFIG.INVALID', message: expect.stringContaining('API_TOKENS') });
  });

  it('with --insecure-no-auth on an address that is not loopback', async () => {
    const h = harness(local({ API_TOKENS: '', HOST: '0.0.0.0' }));
    await expect(start(h, { insecureNoAuth: true })).rejects.toMatchObject({ code: 'CONFIG.INVALID', message: expect.stringContaining('loopback') });
  });

  it('with an invalid schedule, before listening', async () => {
    const h = harness(local({ ROLLOUT_SCHEDULE: 'every night' }));
    await expect(start(h)).rejects.toMatchObject({ code: 'CONFIG.INVALID', message: expect.stringContaining('ROLLOUT_SCHEDULE') });
  });

  it('when the port is taken, with CONFIG.INVALID naming it', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const h = harness(local({ PORT: String(port) }));
      await expect(start(h)).rejects.toMatchObject({ code: 'CONFIG.INVALID', message: expect.stringContaining(`:${port}`) });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('serve --insecure-no-auth on loopback', () => {
  it('opens every route and warns in the log', async () => {
    const h = harness(local({ API_TOKENS: '' }));
    const server = await start(h, { insecureNoAuth: true });
    const res = await fetch(`${server.address}/rollouts`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { requestedBy: string }).requestedBy).toBe('http:anonymous');
    expect(h.logs.records().some((r) => r.level === 40 && String(r.msg).includes('--insecure-no-auth'))).toBe(true);
  });
});
