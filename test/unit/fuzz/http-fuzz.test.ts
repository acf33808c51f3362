/**
 * Hostile HTTP input over every route: random paths, parameters, query strings, headers
 * and bodies; huge and deeply nested JSON; wrong content types. Never a 5xx: everything
 * is answered, a rejection with a 4xx in the error shape whose message names the problem.
 * Most cases go through inject (fast); the hostile-transport cases use a real socket.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src/core/errors.js';
import { BODY_LIMIT_BYTES } from '../../../src/http/app.js';
import { READ_TOKEN, WRITE_TOKEN, buildTestApp, type TestApp } from '../../helpers/fake-http-app.js';

let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await buildTestApp({ writeRateLimit: { max: 1_000_000, timeWindow: 60_000 } });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await t.app.close();
});

const ACCOUNT = '123456789012';

// Segments that are valid, near-valid or hostile in a path parameter.
const segment = fc.oneof(
  fc.constantFrom(ACCOUNT, '20250101T000001Z-fake01', 'latest', '', '.', '..', '%', '%00', '%2F', '%E0%A4%A', 'a'.repeat(300), '__proto__', 'constructor', '1e3', '-1', '😀'),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.stringMatching(/^\d{1,14}$/),
);

const routes: fc.Arbitrary<{ method: string; path: string }> = fc.oneof(
  fc.constantFrom(
    { method: 'GET', path: '/rollouts' },
    { method: 'POST', path: '/rollouts' },
    { method: 'GET', path: '/accounts' },
    { method: 'GET', path: '/healthz' },
    { method: 'GET', path: '/readyz' },
    { method: 'GET', path: '/metrics' },
    { method: 'GET', path: '/openapi.json' },
  ),
  fc.tuple(fc.constantFrom('GET', 'GET-accounts', 'POST-cancel', 'POST-retry', 'GET-account', 'GET-history', 'GET-drift'), segment).map(([kind, s]) => {
    switch (kind) {
      case 'GET':
        return { method: 'GET', path: `/rollouts/${s}` };
      case 'GET-accounts':
        return { method: 'GET', path: `/rollouts/${s}/accounts` };
      case 'POST-cancel':
        return { method: 'POST', path: `/rollouts/${s}/cancel` };
      case 'POST-retry':
        return { method: 'POST', path: `/rollouts/${s}/retry` };
      case 'GET-account':
        return { method: 'GET', path: `/accounts/${s}` };
      case 'GET-drift':
        return { method: 'GET', path: `/accounts/${s}/drift` };
      default:
        return { method: 'GET', path: `/accounts/${s}/history` };
    }
  }),
  fc.record({ method: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'GET', 'POST'), path: fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)) }),
);

const queryValue = fc.oneof(fc.constantFrom('', '0', '1', '-1', '100', '101', '1e3', 'NaN', 'abc', 'latest', 'accounts', 'failed', 'nope', '%', '%00', '[]', 'a'.repeat(500)), fc.string({ maxLength: 10 }).map(encodeURIComponent));
const query = fc
  .array(fc.tuple(fc.constantFrom('limit', 'before', 'include', 'status', 'x', '__proto__', 'limit[]', ''), queryValue), { maxLength: 4 })
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));

const authHeader = fc.oneof(
  fc.constant(`Bearer ${WRITE_TOKEN}`),
  fc.constant(`Bearer ${READ_TOKEN}`),
  fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `bearer ${WRITE_TOKEN}`, `Bearer ${WRITE_TOKEN} extra`, `Bearer ${'x'.repeat(5000)}`, 'Bearer \u00ff'),
  fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
);

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/jsonx',
  'json',
  '',
  '*/*',
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        dryRun: fc.oneof(fc.boolean(), fc.jsonValue()),
        accounts: fc.oneof(fc.array(fc.stringMatching(/^\d{12}$/), { maxLength: 3 }), fc.jsonValue()),
        excludeAccounts: fc.array(fc.oneof(fc.stringMatching(/^\d{12}$/), fc.string()), { maxLength: 3 }),
        organizationalUnits: fc.array(fc.oneof(fc.constant('ou-ab12-cd34ef56'), fc.string()), { maxLength: 3 }),
        accountTags: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
        concurrency: fc.oneof(fc.integer({ min: -5, max: 600 }), fc.double(), fc.string()),
        failureTolerance: fc.oneof(fc.constantFrom('10%', '3', '100%', '101%', '-1', 'x'), fc.integer({ min: -2, max: 200 })),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 50 }),
  fc.constantFrom('{', '{"dryRun":true', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', 'null', '[]', '""', '1e999', '\u0000'),
);

function checkAnswer(status: number, text: string, headers: Record<string, unknown>, what: string): void {
  expect(status, `${what} → ${status} ${text.slice(0, 300)}`).toBeLessThan(500);
  // HEAD answers carry headers only.
  if (status >= 400 && !what.startsWith('HEAD ')) {
    expect(String(headers['content-type']), what).toMatch(/^application\/json/);
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } | string; code?: string; message?: string };
    if (typeof parsed.error === 'object') {
      expect(Object.keys(ERROR_CODES), `${what}: ${text}`).toContain(parsed.error.code);
      expect(parsed.error.message, what).toMatch(/\S{3}/);
      expect(parsed.error.message, what).not.toMatch(/\n\s+at /);
    } else {
      // Fastify's router errors, outside the contract's shape (KNOWN BUG below); still a 4xx naming the problem.
      expect(parsed.code, `${what}: ${text}`).toMatch(/^FST_ERR_/);
      expect(parsed.message).toMatch(/\S{3}/);
    }
  }
}

describe('every route under random hostile requests', () => {
  it('never answers 5xx; every rejection is a 4xx error document', async () => {
    await fc.assert(
      fc.asyncProperty(routes, query, authHeader, contentType, body, async (route, qs, authorization, ct, payload) => {
        const headers: Record<string, string> = {};
        if (authorization) headers.authorization = authorization;
        if (ct !== undefined && payload !== undefined) headers['content-type'] = ct;
        const res = await t.app.inject({ method: route.method as 'GET', url: `${route.path}${qs}`, headers, payload });
        checkAnswer(res.statusCode, res.body, res.headers, `${route.method} ${route.path}${qs} [${ct}] ${String(payload).slice(0, 100)}`);
      }),
      { numRuns: 1500, seed: Number(process.env.FUZZ_SEED ?? 7) },
    );
  });

  it('POST /rollouts: random bodies are started (202) or refused (400) naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(body.filter((b) => b !== undefined), async (payload) => {
        const res = await t.app.inject({ method: 'POST', url: '/rollouts', headers: { authorization: `Bearer ${WRITE_TOKEN}`, 'content-type': 'application/json' }, payload });
        checkAnswer(res.statusCode, res.body, res.headers, String(payload));
        expect([202, 400]).toContain(res.statusCode);
        if (res.statusCode === 400) expect(res.json().error.message).toMatch(/body|JSON|Unexpected|field/i);
      }),
      { numRuns: 600, seed: Number(process.env.FUZZ_SEED ?? 11) },
    );
  });
});

describe('hostile transport over a real socket', () => {
  const post = async (payload: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const res = await fetch(`${base}/rollouts`, { method: 'POST', headers: { authorization: `Bearer ${WRITE_TOKEN}`, ...headers }, body: payload });
    const text = await res.text();
    checkAnswer(res.status, text, Object.fromEntries(res.headers), payload.slice(0, 80));
    return { status: res.status, error: (JSON.parse(text) as { error: { code: string; message: string } }).error };
  };

  it('a body over the limit is refused with 413, naming the limit', async () => {
    const huge = JSON.stringify({ accounts: Array.from({ length: 20_000 }, (_, i) => String(100000000000 + i)) });
    expect(huge.length).toBeGreaterThan(BODY_LIMIT_BYTES);
    const res = await post(huge);
    expect(res.status).toBe(413);
    expect(res.error.message).toMatch(/body|large|limit/i);
  });

  it('deeply nested JSON is refused with 400, not a stack overflow', async () => {
    for (const depth of [1000, 20_000]) {
      const res = await post(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`.slice(0, BODY_LIMIT_BYTES - 1));
      expect(res.status).toBe(400);
      expect(res.error.code).toBe('REQUEST.INVALID');
    }
    const arrays = await post(`{"accounts":${'['.repeat(100)}${']'.repeat(100)}}`);
    expect(arrays.status).toBe(400);
    expect(arrays.error.message).toBe('body is nested deeper than 32 levels');
    // Within the depth limit, the schema names the field.
    const shallow = await post(`{"accounts":${'['.repeat(5)}${']'.repeat(5)}}`);
    expect(shallow.status).toBe(400);
    expect(shallow.error.message).toContain('body/accounts');
  });

  // TypeBox's uniqueItems check hashes values recursively: without the parser's depth limit,
  // arrays nested ~5,000 deep inside `accounts` overflowed the stack (a 500).
  it('arrays nested 30,000 deep in a typed field are refused with 400', async () => {
    const res = await fetch(`${base}/rollouts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE_TOKEN}`, 'content-type': 'application/json' },
      body: `{"accounts":${'['.repeat(30_000)}${']'.repeat(30_000)}}`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/nested deeper than/);
  });

  // Fastify's router errors bypass the error handler unless routed through `frameworkErrors`.
  it('a malformed URL escape and an over-long path parameter answer in the contract error shape', async () => {
    for (const path of ['/rollouts/%', `/rollouts/${'x'.repeat(2000)}`]) {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
      expect(res.status).toBeLessThan(500);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('REQUEST.INVALID');
    }
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream'])(
    'content type %s is refused with 415 naming it',
    async (ct) => {
      const res = await post('{"dryRun":true}', { 'content-type': ct });
      expect(res.status).toBe(415);
      expect(res.error.message.toLowerCase()).toContain(ct.split(';')[0]);
    },
  );

  it('an invalid JSON body is refused with 400 saying it is not JSON', async () => {
    for (const payload of ['{', '{"dryRun":tru}', '\u0000', "{'a':1}"]) {
      const res = await post(payload);
      expect(res.status).toBe(400);
      expect(res.error.message).toMatch(/JSON/);
    }
  });

  it('query strings and path parameters out of range are 400 or 404 naming the parameter', async () => {
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
      const text = await res.text();
      checkAnswer(res.status, text, Object.fromEntries(res.headers), path);
      return { status: res.status, message: (JSON.parse(text) as { error?: { message: string } }).error?.message ?? '' };
    };
    expect(await get('/rollouts?limit=0')).toMatchObject({ status: 400, message: expect.stringContaining('limit') });
    expect(await get('/rollouts?limit=abc')).toMatchObject({ status: 400, message: expect.stringContaining('limit') });
    expect(await get('/rollouts/latest/accounts?status=bogus')).toMatchObject({ status: 400, message: expect.stringContaining('status') });
    expect(await get('/accounts/12345')).toMatchObject({ status: 400, message: expect.stringContaining('accountId') });
    expect((await get(`/rollouts/${'x'.repeat(2000)}`)).status).toBeGreaterThanOrEqual(400);
  });
});
