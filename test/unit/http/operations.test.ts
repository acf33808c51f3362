import { afterEach, describe, expect, it } from 'vitest';
import { DomainError, ERROR_CODES } from '../../../src/core/errors.js';
import { createMetrics, METRIC_PREFIX } from '../../../src/http/metrics.js';
import { API_TOKENS, READ_TOKEN, auth, buildTestApp, type TestApp } from '../../helpers/fake-http-app.js';

const apps: TestApp[] = [];
async function app(...args: Parameters<typeof buildTestApp>): Promise<TestApp> {
  const t = await buildTestApp(...args);
  apps.push(t);
  return t;
}
afterEach(async () => {
  for (const t of apps.splice(0)) await t.app.close();
});

/** The HTTP routes of shared/CONTRACT.md, in OpenAPI path syntax. */
const CONTRACT_ROUTES: [string, string][] = [
  ['post', '/rollouts'],
  ['get', '/rollouts'],
  ['get', '/rollouts/{id}'],
  ['get', '/rollouts/{id}/accounts'],
  ['post', '/rollouts/{id}/cancel'],
  ['post', '/rollouts/{id}/retry'],
  ['get', '/accounts'],
  ['get', '/accounts/{accountId}'],
  ['get', '/accounts/{accountId}/drift'],
  ['get', '/healthz'],
  ['get', '/readyz'],
  ['get', '/metrics'],
  ['get', '/openapi.json'],
];

describe('probes', () => {
  it('/healthz answers ok without a token', async () => {
    const t = await app();
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers ready while the store pings, 503 STORE.UNAVAILABLE when it does not', async () => {
    const t = await app();
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    t.store.failure = new Error('connect ECONNREFUSED 10.1.2.3:5432 password=hunter2');
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: { code: 'STORE.UNAVAILABLE', message: ERROR_CODES['STORE.UNAVAILABLE'] } });
    expect(res.body).not.toContain('10.1.2.3');
  });

  it('does not log probe requests', async () => {
    const t = await app();
    await t.app.inject({ method: 'GET', url: '/healthz' });
    await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(t.logs.records().filter((r) => r.msg === 'incoming request')).toHaveLength(0);
    await t.app.inject({ method: 'GET', url: '/accounts', headers: auth() });
    expect(t.logs.records().filter((r) => r.msg === 'incoming request')).toHaveLength(1);
  });
});

describe('errors', () => {
  it('answers an unknown route with 404 REQUEST.NOT_FOUND in the error shape', async () => {
    const t = await app();
    const res = await t.app.inject({ method: 'GET', url: '/rollout?x=1', headers: auth() });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'REQUEST.NOT_FOUND', message: 'no route GET /rollout' } });
    const del = await t.app.inject({ method: 'DELETE', url: '/rollouts', headers: auth() });
    expect(del.statusCode).toBe(404);
  });

  it('hides the cause of an unexpected error behind a generic 500 and logs it', async () => {
    const t = await app();
    t.store.failure = new TypeError("Cannot read properties of undefined (reading 'rows') at /srv/app/dist/store/postgres.js:41");
    const res = await t.app.inject({ method: 'GET', url: '/rollouts', headers: auth() });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: ERROR_CODES.INTERNAL } });
    expect(res.body).not.toMatch(/rows|postgres|srv/);
    const logged = t.logs.records().find((r) => r.msg === 'request failed') as { err: { message: string } } | undefined;
    expect(logged?.err.message).toContain('/srv/app/dist/store/postgres.js');
  });

  it('answers STORE.* as 503 with the catalogue text, not the internal message', async () => {
    const t = await app();
    t.store.failure = new DomainError('STORE.WRITE_FAILED', 'INSERT INTO account_results failed: disk I/O error on /var/lib/data');
    const res = await t.app.inject({ method: 'GET', url: '/accounts', headers: auth() });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: { code: 'STORE.WRITE_FAILED', message: ERROR_CODES['STORE.WRITE_FAILED'] } });
  });

  it('answers a 5xx domain error that is not STORE.* as INTERNAL', async () => {
    const t = await app();
    t.rollouts.failure = new DomainError('BASELINE.INVALID', 'policies/require-mfa.json: Statement[2].Action must be a string');
    const res = await t.app.inject({ method: 'POST', url: '/rollouts', headers: auth(), payload: {} });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('INTERNAL');
    expect(res.body).not.toContain('require-mfa');
  });
});

describe('rate limit on write routes', () => {
  const OTHER = 'second-writer-token-000000000';

  it('answers 429 REQUEST.RATE_LIMITED once a token has used its budget on a route; other tokens and reads go on', async () => {
    const t = await app({ writeRateLimit: { max: 2, timeWindow: 60_000 }, env: { API_TOKENS: `${API_TOKENS},ci=${OTHER}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await t.app.inject({ method: 'POST', url: '/rollouts', headers: auth(), payload: { dryRun: true } })).statusCode);
    }
    expect(statuses).toEqual([202, 202, 429]);
    const limited = await t.app.inject({ method: 'POST', url: '/rollouts', headers: auth(), payload: {} });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ error: { code: 'REQUEST.RATE_LIMITED', message: expect.stringContaining('at most 2') } });
    expect(limited.headers['retry-after']).toBeDefined();
    expect(t.rollouts.calls.filter((c) => c.method === 'start')).toHaveLength(2);

    expect((await t.app.inject({ method: 'POST', url: '/rollouts', headers: auth(OTHER), payload: {} })).statusCode).toBe(202);
    expect((await t.app.inject({ method: 'GET', url: '/rollouts', headers: auth() })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/rollouts', headers: auth(READ_TOKEN) })).statusCode).toBe(200);
  });
});

describe('/metrics', () => {
  it('serves the Prometheus text with every metric the service reports', async () => {
    const t = await app();
    t.metrics.telemetry.awsCall('iam', 'CreatePolicyVersion', 'ok');
    t.metrics.telemetry.awsCall('iam', 'GetAccountAuthorizationDetails', 'throttled');
    t.metrics.telemetry.accountStarted();
    t.metrics.telemetry.accountStarted();
    t.metrics.telemetry.accountFinished('updated');
    t.metrics.telemetry.rolloutFinished('succeeded', 42_000);
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: auth(READ_TOKEN) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toContain(`${METRIC_PREFIX}rollouts_total{status="succeeded"} 1`);
    expect(text).toContain(`${METRIC_PREFIX}account_results_total{status="updated"} 1`);
    expect(text).toContain(`${METRIC_PREFIX}aws_calls_total{service="iam",operation="CreatePolicyVersion",outcome="ok"} 1`);
    expect(text).toContain(`${METRIC_PREFIX}aws_throttled_calls_total{service="iam",operation="GetAccountAuthorizationDetails"} 1`);
    expect(text).toContain(`${METRIC_PREFIX}rollout_duration_seconds_bucket{le="60",status="succeeded"} 1`);
    expect(text).toContain(`${METRIC_PREFIX}accounts_in_flight 1`);
    expect(text).toContain(`${METRIC_PREFIX}process_cpu_user_seconds_total`);
  });

  it('keeps one registry per app, so apps in one process do not share counts', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.telemetry.rolloutFinished('failed', 1000);
    expect(await a.registry.getSingleMetricAsString(`${METRIC_PREFIX}rollouts_total`)).toContain('status="failed"} 1');
    expect(await b.registry.getSingleMetricAsString(`${METRIC_PREFIX}rollouts_total`)).not.toContain('status="failed"');
  });

  it('never lets the in-flight gauge go below zero', async () => {
    const m = createMetrics();
    m.telemetry.accountFinished('skipped');
    expect(await m.registry.getSingleMetricAsString(`${METRIC_PREFIX}accounts_in_flight`)).toContain('accounts_in_flight 0');
  });
});

describe('documentation', () => {
  it('/openapi.json lists every route of the contract, with bearer security on all but the probes', async () => {
    const t = await app();
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json', headers: auth() });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown> };
      security: unknown[];
    };
    expect(doc.openapi).toMatch(/^3\./);
    for (const [method, path] of CONTRACT_ROUTES) {
      expect(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    }
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(Object.keys(doc.paths['/rollouts'].post.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '409', '429']));
    // Every field of the start request is optional, so is the body; so is ?limit.
    expect(doc.paths['/rollouts'].post).toMatchObject({ requestBody: { required: false } });
    expect(doc.paths['/rollouts'].get).toMatchObject({ parameters: expect.arrayContaining([expect.objectContaining({ name: 'limit', required: false })]) });
    expect(doc.paths['/metrics'].get.responses['200']).toMatchObject({ content: { 'text/plain': expect.anything() } });
  });

  it('/docs serves the Swagger UI', async () => {
    const t = await app();
    const res = await t.app.inject({ method: 'GET', url: '/docs', headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('swagger-ui');
  });
});
