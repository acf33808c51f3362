import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../../../src/http/app.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/fake-http-app.js';

let t: TestApp;
beforeAll(async () => {
  // A generous limit so that the many rejected bodies here never meet the rate limiter.
  t = await buildTestApp({ writeRateLimit: { max: 1000, timeWindow: 60_000 } });
});
afterAll(async () => {
  await t.app.close();
});

async function post(payload: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: { error: { code: string; message: string } } }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/rollouts',
    headers: { ...auth(), ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: res.statusCode, body: res.json() };
}

const JSON_CT = { 'content-type': 'application/json' };

describe('POST /rollouts body validation', () => {
  it.each([
    ['an unknown field', { dryRun: true, force: true }, 'body has unknown field "force"'],
    ['dryRun as a string', { dryRun: 'yes' }, 'body/dryRun must be boolean'],
    ['concurrency as a numeric string (no coercion)', { concurrency: '5' }, 'body/concurrency must be integer'],
    ['concurrency 0', { concurrency: 0 }, 'body/concurrency must be >= 1'],
    ['concurrency 501', { concurrency: 501 }, 'body/concurrency must be <= 500'],
    ['a fractional concurrency', { concurrency: 2.5 }, 'body/concurrency must be integer'],
    ['an 11-digit account', { accounts: ['12345678901'] }, 'body/accounts/0 must match pattern'],
    ['an account with letters', { accounts: ['12345678901a'] }, 'body/accounts/0 must match pattern'],
    ['accounts as a string', { accounts: '123456789012' }, 'body/accounts must be array'],
    ['a repeated account', { accounts: ['123456789012', '123456789012'] }, 'body/accounts'],
    ['a bad exclusion', { excludeAccounts: [123456789012] }, 'body/excludeAccounts/0 must be string'],
    ['a bad OU id', { organizationalUnits: ['ou-XYZ'] }, 'body/organizationalUnits/0 must match pattern'],
    ['a failure tolerance that is neither count nor percent', { failureTolerance: 'ten' }, 'body/failureTolerance'],
    ['a negative failure tolerance', { failureTolerance: -1 }, 'body/failureTolerance'],
    ['a failure tolerance over 100%', { failureTolerance: '150%' }, 'body/failureTolerance: a percent must be from 0% to 100%'],
    ['a JSON array', [1, 2], 'body must be object'],
    ['JSON null', 'null', 'body must be object'],
  ])('rejects %s with 400 naming the field and the rule', async (_name, payload, message) => {
    const res = await post(payload, JSON_CT);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('REQUEST.INVALID');
    expect(res.body.error.message).toContain(message);
  });

  it('rejects malformed JSON with 400 in the error shape', async () => {
    const res = await post('{"dryRun": tru', JSON_CT);
    expect(res).toEqual({ status: 400, body: { error: { code: 'REQUEST.INVALID', message: 'body is not valid JSON' } } });
  });

  it('rejects a prototype-poisoning body', async () => {
    const res = await post('{"__proto__": {"admin": true}}', JSON_CT);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('REQUEST.INVALID');
  });

  it('rejects an empty body sent as JSON', async () => {
    const res = await post('', JSON_CT);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('REQUEST.INVALID');
  });

  it('rejects a content type other than JSON with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await post('dryRun=true', { 'content-type': type });
      expect(res.status, type).toBe(415);
      expect(res.body.error.code, type).toBe('REQUEST.INVALID');
      expect(res.body.error.message, type).toContain(type);
    }
  });

  it('rejects a body over the limit with 413', async () => {
    const accounts = Array.from({ length: Math.ceil(BODY_LIMIT_BYTES / 15) + 10 }, (_, i) => String(100000000000 + i));
    const res = await post({ accounts }, JSON_CT);
    expect(res.status).toBe(413);
    expect(res.body.error).toEqual({ code: 'REQUEST.INVALID', message: `body is larger than the ${BODY_LIMIT_BYTES} bytes allowed` });
  });

  it('accepts a request naming a few thousand accounts', async () => {
    const accounts = Array.from({ length: 3000 }, (_, i) => String(100000000000 + i));
    const res = await post({ accounts, dryRun: true }, JSON_CT);
    expect(res.status).toBe(202);
  });

  it('started nothing for any rejected request', () => {
    const started = t.rollouts.calls.filter((c) => c.method === 'start');
    expect(started).toHaveLength(1);
    expect((started[0].args[0] as { accounts: string[] }).accounts).toHaveLength(3000);
  });
});

describe('path parameters', () => {
  it.each([
    ['/rollouts/has%20space', 'params/id'],
    ['/rollouts/a.b', 'params/id'],
    ['/accounts/12345678901', 'params/accountId'],
    ['/accounts/1234567890123/drift', 'params/accountId'],
    ['/accounts/abcdefghijkl/drift', 'params/accountId'],
  ])('rejects %s with 400', async (url, field) => {
    const res = await t.app.inject({ method: 'GET', url, headers: auth() });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain(field);
  });
});
