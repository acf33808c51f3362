import { afterEach, describe, expect, it } from 'vitest';
import { AwsCallError } from '../../../src/core/errors.js';
import { READ_TOKEN, auth, buildTestApp, type TestApp } from '../../helpers/fake-http-app.js';
import { sampleResult } from '../../helpers/fake-rollout-service.js';

let t: TestApp;
afterEach(async () => {
  await t?.app.close();
});

async function seed(): Promise<{ older: string; newer: string }> {
  const older = (await t.rollouts.start({}, { trigger: 'cli' })).record.id;
  await t.store.recordAccountResult(older, sampleResult('111111111111', 'updated'));
  await t.store.recordAccountResult(older, sampleResult('222222222222', 'failed'));
  await t.rollouts.finish(older, 'failed');
  const newer = (await t.rollouts.start({ dryRun: true, accounts: ['222222222222'] }, { trigger: 'cli' })).record.id;
  await t.store.recordAccountResult(newer, sampleResult('222222222222', 'compliant'));
  await t.rollouts.finish(newer, 'succeeded');
  return { older, newer };
}

describe('GET /accounts', () => {
  it('answers the latest result of every account, with the rollout it came from', async () => {
    t = await buildTestApp();
    const { older, newer } = await seed();
    const res = await t.app.inject({ method: 'GET', url: '/accounts', headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({ accountId: '111111111111', status: 'updated', rolloutId: older, dryRun: false }),
      expect.objectContaining({ accountId: '222222222222', status: 'compliant', rolloutId: newer, dryRun: true }),
    ]);
  });
});

describe('GET /accounts pages', () => {
  it('pages by account id with limit/after, filters by status, and rejects bad cursors', async () => {
    t = await buildTestApp();
    const { older, newer } = await seed();
    const first = await t.app.inject({ method: 'GET', url: '/accounts?limit=1', headers: auth() });
    expect(first.json()).toEqual({ items: [expect.objectContaining({ accountId: '111111111111', rolloutId: older })], nextCursor: '111111111111' });
    const second = await t.app.inject({ method: 'GET', url: '/accounts?limit=1&after=111111111111', headers: auth() });
    expect(second.json()).toEqual({ items: [expect.objectContaining({ accountId: '222222222222', rolloutId: newer })] });
    const compliant = await t.app.inject({ method: 'GET', url: '/accounts?status=compliant', headers: auth() });
    expect(compliant.json().items.map((a: { accountId: string }) => a.accountId)).toEqual(['222222222222']);
    for (const q of ['limit=0', 'limit=1001', 'after=abc', 'status=great']) {
      const bad = await t.app.inject({ method: 'GET', url: `/accounts?${q}`, headers: auth() });
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json().error.code, q).toBe('REQUEST.INVALID');
    }
  });
});

describe('GET /accounts/:accountId', () => {
  it('answers the latest result and the history, newest first', async () => {
    t = await buildTestApp();
    const { older, newer } = await seed();
    const res = await t.app.inject({ method: 'GET', url: '/accounts/222222222222', headers: auth() });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accountId).toBe('222222222222');
    expect(body.latest).toMatchObject({ rolloutId: newer, status: 'compliant' });
    expect(body.history.map((h: { rolloutId: string }) => h.rolloutId)).toEqual([newer, older]);
    const limited = await t.app.inject({ method: 'GET', url: '/accounts/222222222222?historyLimit=1', headers: auth() });
    expect(limited.json().history).toHaveLength(1);
  });

  it('answers 404 ACCOUNT.NOT_FOUND for an account with no result, 400 for a malformed id', async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/accounts/999999999999', headers: auth() });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('ACCOUNT.NOT_FOUND');
    for (const id of ['12345678901', '1234567890123', '12345678901a', 'abcdefghijkl']) {
      const bad = await t.app.inject({ method: 'GET', url: `/accounts/${id}`, headers: auth() });
      expect(bad.statusCode, id).toBe(400);
      expect(bad.json().error.message, id).toContain('params/accountId');
    }
  });
});

describe('GET /accounts/:accountId/drift', () => {
  it('answers the live dry-run result for the account', async () => {
    t = await buildTestApp();
    t.rollouts.driftResult = sampleResult('444444444444', 'planned', { actions: [{ type: 'CreatePolicyVersion', resource: 'policy/RequireMFAPolicy' }] });
    const res = await t.app.inject({ method: 'GET', url: '/accounts/444444444444/drift', headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accountId: '444444444444', status: 'planned', actions: [{ type: 'CreatePolicyVersion' }] });
    expect(t.rollouts.calls).toEqual([{ method: 'drift', args: ['444444444444'] }]);
  });

  it('is allowed to read-only tokens', async () => {
    t = await buildTestApp();
    t.rollouts.driftResult = sampleResult('444444444444', 'compliant');
    const res = await t.app.inject({ method: 'GET', url: '/accounts/444444444444/drift', headers: auth(READ_TOKEN) });
    expect(res.statusCode).toBe(200);
  });

  it('answers 404 for an account outside the organization and a generic 500 when AWS fails', async () => {
    t = await buildTestApp();
    const missing = await t.app.inject({ method: 'GET', url: '/accounts/555555555555/drift', headers: auth() });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('ACCOUNT.NOT_FOUND');

    t.rollouts.failure = new AwsCallError('AccessDenied', 'ListAccounts', 'User arn:aws:iam::123456789012:user/ops is not authorized', false);
    const failed = await t.app.inject({ method: 'GET', url: '/accounts/555555555555/drift', headers: auth() });
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toEqual({ error: { code: 'INTERNAL', message: 'An unexpected error; details are in the service log.' } });
    expect(failed.body).not.toContain('arn:aws');
    expect(t.logs.text).toContain('arn:aws:iam::123456789012:user/ops');
  });
});
