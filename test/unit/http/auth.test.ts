import { afterEach, describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../../src/http/auth.js';
import { READ_TOKEN, WRITE_TOKEN, auth, buildTestApp, type TestApp } from '../../helpers/fake-http-app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

describe('TokenVerifier', () => {
  const verifier = new TokenVerifier([
    { name: 'ops', token: WRITE_TOKEN, readOnly: false },
    { name: 'dash', token: READ_TOKEN, readOnly: true },
  ]);

  it('names the principal of a known token, read-only flag included', () => {
    expect(verifier.verify(`Bearer ${WRITE_TOKEN}`)).toEqual({ name: 'ops', readOnly: false });
    expect(verifier.verify(`bearer ${READ_TOKEN}`)).toEqual({ name: 'dash', readOnly: true });
  });

  it('rejects a missing header, another scheme, a prefix or an extension of a token', () => {
    const code = (header: string | undefined): string => {
      try {
        verifier.verify(header);
        return 'accepted';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(code(undefined)).toBe('AUTH.MISSING_TOKEN');
    expect(code('   ')).toBe('AUTH.MISSING_TOKEN');
    expect(code(`Basic ${WRITE_TOKEN}`)).toBe('AUTH.INVALID_TOKEN');
    expect(code(`Bearer ${WRITE_TOKEN.slice(0, -1)}`)).toBe('AUTH.INVALID_TOKEN');
    expect(code(`Bearer ${WRITE_TOKEN}x`)).toBe('AUTH.INVALID_TOKEN');
    expect(code(`Bearer ${WRITE_TOKEN} ${READ_TOKEN}`)).toBe('AUTH.INVALID_TOKEN');
  });

  it('keeps no plain token in memory', () => {
    const text = JSON.stringify(verifier) + String(Object.values(verifier));
    expect(text).not.toContain(WRITE_TOKEN);
  });
});

describe('authentication on the routes', () => {
  it('answers 401 with WWW-Authenticate: Bearer when the token is missing', async () => {
    t = await buildTestApp();
    for (const url of ['/rollouts', '/accounts', '/metrics', '/openapi.json', '/docs', '/accounts/123456789012/drift']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.headers['www-authenticate'], url).toMatch(/^Bearer/);
      expect(res.json(), url).toEqual({ error: { code: 'AUTH.MISSING_TOKEN', message: expect.any(String) } });
    }
    const post = await t.app.inject({ method: 'POST', url: '/rollouts', payload: {} });
    expect(post.statusCode).toBe(401);
    expect(t.rollouts.calls).toHaveLength(0);
  });

  it('answers 401 invalid_token for a wrong token', async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/rollouts', headers: auth('not-a-real-token-at-all') });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(res.json().error.code).toBe('AUTH.INVALID_TOKEN');
  });

  it('lets a read-only token read but not write (403)', async () => {
    t = await buildTestApp();
    expect((await t.app.inject({ method: 'GET', url: '/rollouts', headers: auth(READ_TOKEN) })).statusCode).toBe(200);
    for (const url of ['/rollouts', '/rollouts/abc/cancel', '/rollouts/abc/retry']) {
      const res = await t.app.inject({ method: 'POST', url, headers: auth(READ_TOKEN), payload: {} });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.code, url).toBe('AUTH.READ_ONLY_TOKEN');
    }
    expect(t.rollouts.calls).toHaveLength(0);
  });

  it('leaves the probes open', async () => {
    t = await buildTestApp();
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('records the token name, never the token, as requestedBy', async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: 'POST', url: '/rollouts', headers: auth(WRITE_TOKEN), payload: {} });
    expect(res.statusCode).toBe(202);
    expect(res.json().requestedBy).toBe('http:ops');
    expect(t.rollouts.calls[0].args[1]).toEqual({ trigger: 'http', requestedBy: 'http:ops' });
  });

  it('refuses to build without tokens unless told the API is open', async () => {
    await expect(buildTestApp({ env: { API_TOKENS: '' } })).rejects.toMatchObject({ code: 'CONFIG.INVALID' });
    t = await buildTestApp({ env: { API_TOKENS: '' }, insecureNoAuth: true });
    const res = await t.app.inject({ method: 'POST', url: '/rollouts', payload: { dryRun: true } });
    expect(res.statusCode).toBe(202);
    expect(res.json().requestedBy).toBe('http:anonymous');
    expect(t.logs.text).toContain('--insecure-no-auth');
  });

  it('never writes a token to the log, whatever the outcome of the request', async () => {
    t = await buildTestApp();
    t.rollouts.failure = new Error('boom');
    await t.app.inject({ method: 'GET', url: '/rollouts', headers: auth(WRITE_TOKEN) });
    await t.app.inject({ method: 'POST', url: '/rollouts', headers: auth(WRITE_TOKEN), payload: {} });
    await t.app.inject({ method: 'POST', url: '/rollouts', headers: auth(READ_TOKEN), payload: {} });
    await t.app.inject({ method: 'GET', url: '/rollouts', headers: { authorization: `Token ${WRITE_TOKEN}` } });
    await t.app.inject({ method: 'GET', url: '/nowhere', headers: auth(WRITE_TOKEN) });
    await t.app.inject({ method: 'POST', url: '/rollouts', headers: { ...auth(WRITE_TOKEN), 'content-type': 'application/json' }, payload: '{bad' });
    const records = t.logs.records();
    expect(records.length).toBeGreaterThan(10);
    expect(records.some((r) => r.msg === 'request failed')).toBe(true);
    expect(t.logs.text).not.toContain(WRITE_TOKEN);
    expect(t.logs.text).not.toContain(READ_TOKEN);
    expect(t.logs.text).not.toContain(WRITE_TOKEN.slice(0, 12));
  });
});
