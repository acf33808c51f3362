import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/core/errors.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/fake-http-app.js';
import { sampleResult } from '../../helpers/fake-rollout-service.js';

let t: TestApp;
afterEach(async () => {
  await t?.app.close();
});

async function start(body: Record<string, unknown> = {}): Promise<{ id: string; location: string | undefined }> {
  const res = await t.app.inject({ method: 'POST', url: '/rollouts', headers: auth(), payload: body });
  expect(res.statusCode).toBe(202);
  return { id: res.json().id, location: res.headers.location as string | undefined };
}

describe('POST /rollouts', () => {
  it('starts a rollout with what the body asks and answers 202 with the record and its Location', async () => {
    t = await buildTestApp();
    const res = await t.app.inject({
      method: 'POST',
      url: '/rollouts',
      headers: auth(),
      payload: {
        dryRun: true,
        accounts: ['111111111111', '222222222222'],
        excludeAccounts: ['333333333333'],
        organizationalUnits: ['ou-ab12-cd34ef56', 'r-ab12'],
        concurrency: 7,
        failureTolerance: '10%',
      },
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(res.headers.location).toBe(`/rollouts/${body.id}`);
    expect(body).toMatchObject({ status: 'running', dryRun: true, trigger: 'http', finishedAt: null, summary: { total: 0 } });
    expect(t.rollouts.calls).toEqual([
      {
        method: 'start',
        args: [
          {
            dryRun: true,
            accounts: ['111111111111', '222222222222'],
            excludeAccounts: ['333333333333'],
            organizationalUnits: ['ou-ab12-cd34ef56', 'r-ab12'],
            concurrency: 7,
            failureTolerance: '10%',
          },
          { trigger: 'http', requestedBy: 'http:ops' },
        ],
      },
    ]);
  });

  it('takes a failure tolerance as an integer or a count string', async () => {
    t = await buildTestApp();
    await start({ failureTolerance: 3 });
    await start({ failureTolerance: '4' });
    expect(t.rollouts.calls.map((c) => (c.args[0] as { failureTolerance?: string }).failureTolerance)).toEqual(['3', '4']);
  });

  it('starts with every default when there is no body at all', async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: 'POST', url: '/rollouts', headers: auth() });
    expect(res.statusCode).toBe(202);
    expect(t.rollouts.calls[0].args[0]).toEqual({});
  });

  it('answers 409 ROLLOUT.LOCKED naming the rollout that holds the lock', async () => {
    t = await buildTestApp();
    t.rollouts.lockedBy = '20250101T000000Z-abcdef';
    const res = await t.app.inject({ method: 'POST', url: '/rollouts', headers: auth(), payload: {} });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: { code: 'ROLLOUT.LOCKED', message: expect.stringContaining('20250101T000000Z-abcdef'), heldBy: '20250101T000000Z-abcdef' },
    });
    expect(res.headers.location).toBeUndefined();
  });

  it('answers 409 without heldBy when the service is shutting down', async () => {
    t = await buildTestApp();
    t.rollouts.failure = new DomainError('ROLLOUT.LOCKED', 'the service is shutting down', { heldBy: null });
    const res = await t.app.inject({ method: 'POST', url: '/rollouts', headers: auth(), payload: {} });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: { code: 'ROLLOUT.LOCKED', message: 'the service is shutting down' } });
  });
});

describe('GET /rollouts', () => {
  it('lists newest first and pages with limit and before', async () => {
    t = await buildTestApp();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await start()).id);
    const first = await t.app.inject({ method: 'GET', url: '/rollouts?limit=2', headers: auth() });
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((r: { id: string }) => r.id)).toEqual([ids[4], ids[3]]);
    const cursor = first.json().nextCursor as string;
    expect(cursor).toBe(ids[3]);
    const second = await t.app.inject({ method: 'GET', url: `/rollouts?limit=2&before=${cursor}`, headers: auth() });
    expect(second.json().items.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    const last = await t.app.inject({ method: 'GET', url: `/rollouts?limit=2&before=${ids[1]}`, headers: auth() });
    expect(last.json()).toEqual({ items: [expect.objectContaining({ id: ids[0] })] });
  });

  it('defaults the page size to 20', async () => {
    t = await buildTestApp();
    for (let i = 0; i < 21; i += 1) await start();
    const res = await t.app.inject({ method: 'GET', url: '/rollouts', headers: auth() });
    expect(res.json().items).toHaveLength(20);
    expect(res.json().nextCursor).toEqual(expect.any(String));
  });

  it('rejects a limit out of range, a malformed cursor and unknown query parameters', async () => {
    t = await buildTestApp();
    for (const [url, field] of [
      ['/rollouts?limit=0', 'querystring/limit'],
      ['/rollouts?limit=101', 'querystring/limit'],
      ['/rollouts?limit=ten', 'querystring/limit'],
      ['/rollouts?before=..%2Fetc', 'querystring/before'],
      ['/rollouts?sort=asc', 'querystring'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url, headers: auth() });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code, url).toBe('REQUEST.INVALID');
      expect(res.json().error.message, url).toContain(field);
    }
  });
});

describe('GET /rollouts/:id', () => {
  it('answers the record, and the contract report with ?include=accounts', async () => {
    t = await buildTestApp();
    const { id } = await start({ dryRun: true });
    await t.store.recordAccountResult(id, sampleResult('111111111111', 'planned'));
    await t.store.recordAccountResult(id, sampleResult('222222222222', 'failed', { error: { code: 'AWS.CALL_FAILED', message: 'AccessDenied' } }));

    const plain = await t.app.inject({ method: 'GET', url: `/rollouts/${id}`, headers: auth() });
    expect(plain.statusCode).toBe(200);
    expect(plain.json()).not.toHaveProperty('accounts');

    const report = (await t.app.inject({ method: 'GET', url: `/rollouts/${id}?include=accounts`, headers: auth() })).json();
    for (const key of ['id', 'status', 'dryRun', 'trigger', 'startedAt', 'finishedAt', 'baselineHash', 'summary', 'accounts']) {
      expect(report, key).toHaveProperty(key);
    }
    expect(report.accounts).toHaveLength(2);
    expect(report.accounts[1]).toEqual({
      accountId: '222222222222',
      accountName: 'acct-2222',
      status: 'failed',
      actions: [],
      error: { code: 'AWS.CALL_FAILED', message: 'AccessDenied' },
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:00:01.000Z',
      durationMs: 1000,
      apiCalls: { reads: 3, writes: 0 },
    });
  });

  it('answers 404 ROLLOUT.NOT_FOUND for an unknown id and 400 for a malformed one', async () => {
    t = await buildTestApp();
    const missing = await t.app.inject({ method: 'GET', url: '/rollouts/does-not-exist', headers: auth() });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('ROLLOUT.NOT_FOUND');
    const bad = await t.app.inject({ method: 'GET', url: `/rollouts/${'x'.repeat(65)}`, headers: auth() });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('params/id');
    const badInclude = await t.app.inject({ method: 'GET', url: '/rollouts/abc?include=everything', headers: auth() });
    expect(badInclude.statusCode).toBe(400);
  });
});

describe('GET /rollouts/:id/accounts', () => {
  it('lists per-account results, filtered by status', async () => {
    t = await buildTestApp();
    const { id } = await start();
    await t.store.recordAccountResult(id, sampleResult('111111111111', 'updated'));
    await t.store.recordAccountResult(id, sampleResult('222222222222', 'unreachable'));
    const all = await t.app.inject({ method: 'GET', url: `/rollouts/${id}/accounts`, headers: auth() });
    expect(all.json().items.map((r: { accountId: string }) => r.accountId)).toEqual(['111111111111', '222222222222']);
    const some = await t.app.inject({ method: 'GET', url: `/rollouts/${id}/accounts?status=unreachable`, headers: auth() });
    expect(some.json().items).toEqual([expect.objectContaining({ accountId: '222222222222', status: 'unreachable' })]);
    const bad = await t.app.inject({ method: 'GET', url: `/rollouts/${id}/accounts?status=broken`, headers: auth() });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('querystring/status');
    const missing = await t.app.inject({ method: 'GET', url: '/rollouts/nope/accounts', headers: auth() });
    expect(missing.statusCode).toBe(404);
  });
});

describe('POST /rollouts/:id/cancel', () => {
  it('cancels a running rollout (202) and answers 409 once it is no longer running', async () => {
    t = await buildTestApp();
    const { id } = await start();
    const res = await t.app.inject({ method: 'POST', url: `/rollouts/${id}/cancel`, headers: auth() });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id, status: 'cancelled' });
    const again = await t.app.inject({ method: 'POST', url: `/rollouts/${id}/cancel`, headers: auth() });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('ROLLOUT.NOT_RUNNING');
    expect(t.rollouts.calls.filter((c) => c.method === 'cancel')).toHaveLength(2);
  });

  it('answers 404 for an unknown rollout without asking the service', async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: 'POST', url: '/rollouts/nope/cancel', headers: auth() });
    expect(res.statusCode).toBe(404);
    expect(t.rollouts.calls).toHaveLength(0);
  });
});

describe('POST /rollouts/:id/retry', () => {
  it('starts a new rollout over the failed and unreachable accounts (202 + Location)', async () => {
    t = await buildTestApp();
    const { id } = await start();
    await t.store.recordAccountResult(id, sampleResult('111111111111', 'failed'));
    await t.store.recordAccountResult(id, sampleResult('222222222222', 'unreachable'));
    await t.store.recordAccountResult(id, sampleResult('333333333333', 'updated'));
    await t.rollouts.finish(id, 'failed');

    const res = await t.app.inject({ method: 'POST', url: `/rollouts/${id}/retry`, headers: auth() });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.id).not.toBe(id);
    expect(body).toMatchObject({ parentId: id, trigger: 'retry', requestedBy: 'http:ops', options: { accounts: ['111111111111', '222222222222'] } });
    expect(res.headers.location).toBe(`/rollouts/${body.id}`);
  });

  it('answers 409 ROLLOUT.NOTHING_TO_RETRY when every account succeeded, 404 for an unknown rollout', async () => {
    t = await buildTestApp();
    const { id } = await start();
    await t.store.recordAccountResult(id, sampleResult('111111111111', 'compliant'));
    const res = await t.app.inject({ method: 'POST', url: `/rollouts/${id}/retry`, headers: auth() });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('ROLLOUT.NOTHING_TO_RETRY');
    expect((await t.app.inject({ method: 'POST', url: '/rollouts/nope/retry', headers: auth() })).statusCode).toBe(404);
  });
});
