/**
 * The one behaviour suite every RolloutStore adapter runs against a real database.
 * An adapter's test file supplies a factory that returns a fresh, migrated, empty
 * store plus a few hooks that need dialect-specific SQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountResult, RolloutRecord, RolloutSummary } from '../../src/core/model.js';
import type { RolloutStore } from '../../src/core/ports.js';

export interface StoreFixture {
  /** Fresh, migrated and empty. */
  store: RolloutStore;
  /** An independent store (own connection or pool) on the same database, opened through createStore. */
  openAnother(): Promise<RolloutStore>;
  /** Makes every later account-result write fail inside the database (as a full disk would). */
  breakResultWrites(): Promise<void>;
  /** Records a schema version newer than the code knows in schema_migrations. */
  recordFutureSchemaVersion(version: number): Promise<void>;
}

const BASE = Date.parse('2025-03-01T08:00:00.000Z');
const at = (seconds: number): string => new Date(BASE + seconds * 1000).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ZERO: RolloutSummary = { total: 0, compliant: 0, updated: 0, planned: 0, failed: 0, unreachable: 0, skipped: 0 };

export function rollout(id: string, startedSecond: number, overrides: Partial<RolloutRecord> = {}): RolloutRecord {
  return {
    id,
    status: 'running',
    dryRun: false,
    trigger: 'cli',
    options: { dryRun: false, concurrency: 5, failureTolerance: '10%' },
    startedAt: at(startedSecond),
    finishedAt: null,
    baselineHash: 'sha256:abc',
    summary: { ...ZERO },
    ...overrides,
  };
}

export function result(accountId: string, overrides: Partial<AccountResult> = {}): AccountResult {
  return {
    accountId,
    accountName: `acct-${accountId}`,
    status: 'compliant',
    actions: [],
    startedAt: at(1),
    finishedAt: at(2),
    durationMs: 1000,
    apiCalls: { reads: 4, writes: 0 },
    ...overrides,
  };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<Error & { code: string }> {
  const err = await promise.then(
    () => {
      throw new Error(`expected a rejection with ${code}`);
    },
    (e: unknown) => e as Error & { code: string },
  );
  expect(err.code).toBe(code);
  return err;
}

export function runStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`${name}: RolloutStore contract`, () => {
    const opened: RolloutStore[] = [];

    async function fresh(): Promise<StoreFixture> {
      const fixture = await makeStore();
      opened.push(fixture.store);
      return {
        ...fixture,
        openAnother: async () => {
          const other = await fixture.openAnother();
          opened.push(other);
          return other;
        },
      };
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    describe('rollouts', () => {
      it('round-trips every field of a rollout through create, get and finish', async () => {
        const { store } = await fresh();
        const record = rollout('r-full', 10, {
          dryRun: true,
          trigger: 'retry',
          requestedBy: 'http:ops-team',
          parentId: 'r-parent',
          baselineHash: 'sha256:0123456789abcdef',
          options: {
            dryRun: true,
            accounts: ['111111111111', '222222222222'],
            excludeAccounts: ['333333333333'],
            organizationalUnits: ['ou-abcd-12345678'],
            accountTags: { env: 'prod', team: '*' },
            concurrency: 7,
            failureTolerance: '3',
            includeManagementAccount: true,
          },
          summary: { total: 12, compliant: 1, updated: 2, planned: 3, failed: 4, unreachable: 1, skipped: 1 },
        });
        await store.createRollout(record);
        // While running, the summary is counted from the results recorded so far (none yet).
        const none = { total: 0, compliant: 0, updated: 0, planned: 0, failed: 0, unreachable: 0, skipped: 0 };
        expect(await store.getRollout('r-full')).toStrictEqual({ ...record, summary: none });

        const summary = { total: 12, compliant: 2, updated: 3, planned: 4, failed: 1, unreachable: 1, skipped: 1 };
        await store.finishRollout('r-full', 'failed', summary, at(99));
        expect(await store.getRollout('r-full')).toStrictEqual({ ...record, status: 'failed', summary, finishedAt: at(99) });
      });

      it('a running rollout’s summary counts the results recorded so far', async () => {
        const { store } = await fresh();
        await store.createRollout(rollout('r-live', 1));
        await store.recordAccountResult('r-live', result('111111111111', { status: 'updated' }));
        await store.recordAccountResult('r-live', result('222222222222', { status: 'updated' }));
        await store.recordAccountResult('r-live', result('333333333333', { status: 'unreachable' }));
        const live = await store.getRollout('r-live');
        expect(live?.summary).toEqual({ total: 3, compliant: 0, updated: 2, planned: 0, failed: 0, unreachable: 1, skipped: 0 });
        expect((await store.latestRollout())?.summary.total).toBe(3);
      });

      it('omits optional fields that were not set', async () => {
        const { store } = await fresh();
        const record = rollout('r-min', 1);
        await store.createRollout(record);
        const got = await store.getRollout('r-min');
        expect(got).toStrictEqual(record);
        expect(got).not.toHaveProperty('requestedBy');
        expect(got).not.toHaveProperty('parentId');
      });

      it('returns null for an unknown rollout and for the latest of an empty store', async () => {
        const { store } = await fresh();
        expect(await store.getRollout('nope')).toBeNull();
        expect(await store.latestRollout()).toBeNull();
      });

      it('reads back timestamps in canonical ISO-8601 form', async () => {
        const { store } = await fresh();
        await store.createRollout(rollout('r-tz', 0, { startedAt: '2025-03-01T10:00:00+02:00' }));
        expect((await store.getRollout('r-tz'))?.startedAt).toBe('2025-03-01T08:00:00.000Z');
      });

      it('refuses a second rollout with the same id, a finish of an unknown rollout and a malformed timestamp', async () => {
        const { store } = await fresh();
        await store.createRollout(rollout('r-dup', 1));
        await expectCode(store.createRollout(rollout('r-dup', 2)), 'STORE.WRITE_FAILED');
        await expectCode(store.finishRollout('r-missing', 'succeeded', ZERO, at(3)), 'ROLLOUT.NOT_FOUND');
        await expectCode(store.createRollout(rollout('r-bad-time', 1, { startedAt: 'yesterday' })), 'STORE.WRITE_FAILED');
        expect(await store.getRollout('r-bad-time')).toBeNull();
      });

      it('latestRollout is the newest by start time, ties broken by id', async () => {
        const { store } = await fresh();
        await store.createRollout(rollout('r-b', 5));
        await store.createRollout(rollout('r-c', 1));
        await store.createRollout(rollout('r-a', 5));
        expect((await store.latestRollout())?.id).toBe('r-b');
      });

      it('listRollouts pages newest first and visits every rollout exactly once', async () => {
        const { store } = await fresh();
        const ids: string[] = [];
        for (let i = 0; i < 23; i++) {
          const id = `r${String(i).padStart(3, '0')}`;
          ids.push(id);
          // Three rollouts share a start second, so the id must break the tie.
          await store.createRollout(rollout(id, i >= 10 && i < 13 ? 10 : i));
        }
        const expected = [...ids].sort((a, b) => {
          const sa = Number(a.slice(1)) >= 10 && Number(a.slice(1)) < 13 ? 10 : Number(a.slice(1));
          const sb = Number(b.slice(1)) >= 10 && Number(b.slice(1)) < 13 ? 10 : Number(b.slice(1));
          return sb - sa || (a < b ? 1 : -1);
        });

        const seen: string[] = [];
        const pageSizes: number[] = [];
        let before: string | undefined;
        for (;;) {
          const page = await store.listRollouts({ limit: 5, before });
          pageSizes.push(page.items.length);
          seen.push(...page.items.map((r) => r.id));
          if (!page.nextCursor) break;
          expect(page.nextCursor).toBe(page.items[page.items.length - 1].id);
          before = page.nextCursor;
        }
        expect(pageSizes).toEqual([5, 5, 5, 5, 3]);
        expect(seen).toEqual(expected);

        const exact = await store.listRollouts({ limit: 23 });
        expect(exact.items).toHaveLength(23);
        expect(exact.nextCursor).toBeUndefined();
        expect(await store.listRollouts({ limit: 5, before: 'unknown-or-pruned' })).toEqual({ items: [] });
      });
    });

    describe('account results', () => {
      it('round-trips every field of an account result', async () => {
        const { store } = await fresh();
        await store.createRollout(rollout('r1', 1));
        const failed = result('111111111111', {
          accountName: 'Payments — prod',
          status: 'failed',
          reason: 'IAM refused a change',
          actions: [
            { type: 'CreatePolicy', resource: 'arn:aws:iam::111111111111:policy/RequireMFAPolicy', detail: 'version v1' },
            { type: 'AttachGroupPolicy', resource: 'Users' },
          ],
          error: { code: 'AWS.CALL_FAILED', message: 'LimitExceeded: policy has 5 versions' },
          startedAt: at(3),
          finishedAt: at(7),
          durationMs: 4012,
          apiCalls: { reads: 17, writes: 3 },
        });
        const compliant = result('222222222222');
        await store.recordAccountResult('r1', failed);
        await store.recordAccountResult('r1', compliant);
        expect(await store.listAccountResults('r1')).toStrictEqual([failed, compliant]);
      });

      it('a second write for the same account replaces the first', async () => {
        const { store } = await fresh();
        await store.createRollout(rollout('r1', 1));
        await store.recordAccountResult('r1', result('111111111111', { status: 'failed', error: { code: 'X', message: 'boom' } }));
        const second = result('111111111111', { status: 'updated', actions: [{ type: 'CreateGroup', resource: 'Users' }] });
        await store.recordAccountResult('r1', second);
        expect(await store.listAccountResults('r1')).toStrictEqual([second]);
        expect(await store.latestAccountResults()).toStrictEqual([{ ...second, rolloutId: 'r1', dryRun: false }]);
        expect(await store.accountHistory('111111111111', 10)).toHaveLength(1);
      });

      it('filters a rollout’s results by status', async () => {
        const { store } = await fresh();
        await store.createRollout(rollout('r1', 1));
        await store.createRollout(rollout('r2', 2));
        const statuses = ['compliant', 'failed', 'updated', 'failed', 'unreachable'] as const;
        for (const [i, status] of statuses.entries()) await store.recordAccountResult('r1', result(`10000000000${i}`, { status }));
        await store.recordAccountResult('r2', result('100000000009', { status: 'failed' }));

        const failed = await store.listAccountResults('r1', { status: 'failed' });
        expect(failed.map((r) => r.accountId)).toEqual(['100000000001', '100000000003']);
        expect(await store.listAccountResults('r1', { status: 'planned' })).toEqual([]);
        expect(await store.listAccountResults('r1')).toHaveLength(5);
        expect(await store.listAccountResults('no-such-rollout')).toEqual([]);
      });

      it('refuses a result for an unknown rollout', async () => {
        const { store } = await fresh();
        await expectCode(store.recordAccountResult('r-missing', result('111111111111')), 'ROLLOUT.NOT_FOUND');
        expect(await store.latestAccountResults()).toEqual([]);
      });

      it('latestAccountResults picks the newest rollout’s result per account, whatever the write order', async () => {
        const { store } = await fresh();
        await store.createRollout(rollout('r-old', 1));
        await store.createRollout(rollout('r-new', 50, { dryRun: true, options: { dryRun: true, concurrency: 5, failureTolerance: '10%' } }));
        await store.createRollout(rollout('r-mid', 20));

        // Newest first, then older rollouts' results arrive late: they must not win.
        await store.recordAccountResult('r-new', result('111111111111', { status: 'planned' }));
        await store.recordAccountResult('r-old', result('111111111111', { status: 'failed' }));
        await store.recordAccountResult('r-mid', result('111111111111', { status: 'updated' }));
        // Oldest first: each newer one takes over.
        await store.recordAccountResult('r-old', result('222222222222', { status: 'failed' }));
        await store.recordAccountResult('r-mid', result('222222222222', { status: 'updated' }));
        // Only ever in the old rollout.
        await store.recordAccountResult('r-old', result('333333333333', { status: 'unreachable' }));

        const latest = await store.latestAccountResults();
        expect(latest.map((r) => [r.accountId, r.rolloutId, r.status, r.dryRun])).toEqual([
          ['111111111111', 'r-new', 'planned', true],
          ['222222222222', 'r-mid', 'updated', false],
          ['333333333333', 'r-old', 'unreachable', false],
        ]);
        expect(latest[2]).toStrictEqual({ ...result('333333333333', { status: 'unreachable' }), rolloutId: 'r-old', dryRun: false });

        // Keyset pages by account id, and a status filter.
        const page1 = await store.latestAccountResults({ limit: 2 });
        expect(page1.map((r) => r.accountId)).toEqual(['111111111111', '222222222222']);
        const page2 = await store.latestAccountResults({ limit: 2, after: page1[1].accountId });
        expect(page2.map((r) => r.accountId)).toEqual(['333333333333']);
        expect((await store.latestAccountResults({ status: 'updated' })).map((r) => r.accountId)).toEqual(['222222222222']);
      });

      it('accountHistory lists one account’s results newest first, up to the limit', async () => {
        const { store } = await fresh();
        for (let i = 0; i < 6; i++) await store.createRollout(rollout(`r${i}`, i * 10, { dryRun: i === 4 }));
        // Written out of order on purpose.
        for (const i of [3, 0, 5, 1, 4]) await store.recordAccountResult(`r${i}`, result('111111111111', { durationMs: i }));
        await store.recordAccountResult('r2', result('222222222222'));

        const history = await store.accountHistory('111111111111', 3);
        expect(history.map((r) => [r.rolloutId, r.durationMs, r.dryRun])).toEqual([
          ['r5', 5, false],
          ['r4', 4, true],
          ['r3', 3, false],
        ]);
        expect((await store.accountHistory('111111111111', 100)).map((r) => r.rolloutId)).toEqual(['r5', 'r4', 'r3', 'r1', 'r0']);
        expect(await store.accountHistory('999999999999', 5)).toEqual([]);
      });

      it('a write the database rejects becomes STORE.WRITE_FAILED and is not recorded', async () => {
        const fixture = await fresh();
        await fixture.store.createRollout(rollout('r1', 1));
        await fixture.breakResultWrites();
        const err = await expectCode(fixture.store.recordAccountResult('r1', result('111111111111')), 'STORE.WRITE_FAILED');
        expect(err.message).toContain('111111111111');
        expect(await fixture.store.listAccountResults('r1')).toEqual([]);
        expect(await fixture.store.latestAccountResults()).toEqual([]);
      });
    });

    describe('lock', () => {
      it('gives the lock to one rollout; a second caller learns who holds it', async () => {
        const { store } = await fresh();
        expect(await store.tryLock('r1', 'host-a:1', 60_000)).toEqual({ acquired: true });
        expect(await store.tryLock('r2', 'host-b:2', 60_000)).toEqual({ acquired: false, heldBy: 'r1' });
        // The same rollout from the same owner may take it again; from another owner it may not.
        expect(await store.tryLock('r1', 'host-a:1', 60_000)).toEqual({ acquired: true });
        expect(await store.tryLock('r1', 'host-b:2', 60_000)).toEqual({ acquired: false, heldBy: 'r1' });
      });

      it('an expired lease can be taken over, and the old holder can no longer renew it', async () => {
        const { store } = await fresh();
        expect(await store.tryLock('r1', 'host-a:1', 1)).toEqual({ acquired: true });
        await sleep(30);
        expect(await store.tryLock('r2', 'host-b:2', 60_000)).toEqual({ acquired: true });
        const err = await expectCode(store.renewLock('r1', 60_000), 'ROLLOUT.LOCKED');
        expect((err as unknown as { details: { heldBy: string } }).details.heldBy).toBe('r2');
        expect(await store.tryLock('r3', 'host-c:3', 60_000)).toEqual({ acquired: false, heldBy: 'r2' });
      });

      it('renewing keeps an expiring lease; only the holder renews or releases', async () => {
        const { store } = await fresh();
        expect(await store.tryLock('r1', 'host-a:1', 1)).toEqual({ acquired: true });
        await store.renewLock('r1', 60_000);
        await sleep(30);
        expect(await store.tryLock('r2', 'host-b:2', 60_000)).toEqual({ acquired: false, heldBy: 'r1' });

        await expectCode(store.renewLock('r2', 60_000), 'ROLLOUT.LOCKED');
        await store.releaseLock('r2');
        expect(await store.tryLock('r2', 'host-b:2', 60_000)).toEqual({ acquired: false, heldBy: 'r1' });

        await store.releaseLock('r1');
        expect(await store.tryLock('r2', 'host-b:2', 60_000)).toEqual({ acquired: true });
        await expectCode(store.renewLock('r1', 60_000), 'ROLLOUT.LOCKED');
      });

      it('two stores on one database racing for the lock: exactly one wins, 20 rounds', async () => {
        const fixture = await fresh();
        const a = fixture.store;
        const b = await fixture.openAnother();
        for (let round = 0; round < 20; round++) {
          const [ra, rb] = await Promise.all([a.tryLock(`a-${round}`, 'proc-a', 60_000), b.tryLock(`b-${round}`, 'proc-b', 60_000)]);
          const winners = [ra, rb].filter((r) => r.acquired);
          expect(winners).toHaveLength(1);
          const loser = ra.acquired ? rb : ra;
          expect(loser).toEqual({ acquired: false, heldBy: ra.acquired ? `a-${round}` : `b-${round}` });
          await (ra.acquired ? a.releaseLock(`a-${round}`) : b.releaseLock(`b-${round}`));
        }
      });

      it('recoverInterrupted marks only running rollouts whose lease is gone', async () => {
        const { store } = await fresh();
        await store.createRollout(rollout('r-live', 30));
        await store.createRollout(rollout('r-orphan', 20, { summary: { ...ZERO, total: 5 } }));
        await store.createRollout(rollout('r-expired', 10));
        await store.createRollout(rollout('r-done', 1));
        await store.finishRollout('r-done', 'succeeded', { ...ZERO, total: 1, compliant: 1 }, at(2));
        await store.recordAccountResult('r-orphan', result('111111111111', { status: 'updated' }));
        await store.recordAccountResult('r-orphan', result('222222222222', { status: 'failed' }));

        expect(await store.tryLock('r-expired', 'host-a:1', 1)).toEqual({ acquired: true });
        await sleep(30);
        expect(await store.tryLock('r-live', 'host-b:2', 60_000)).toEqual({ acquired: true });

        expect((await store.recoverInterrupted()).sort()).toEqual(['r-expired', 'r-orphan']);
        const orphan = await store.getRollout('r-orphan');
        expect(orphan?.status).toBe('interrupted');
        expect(orphan?.finishedAt).not.toBeNull();
        expect(orphan?.summary).toEqual({ ...ZERO, total: 5, updated: 1, failed: 1 });
        expect((await store.getRollout('r-expired'))?.status).toBe('interrupted');
        expect(await store.getRollout('r-live')).toMatchObject({ status: 'running', finishedAt: null });
        expect(await store.getRollout('r-done')).toMatchObject({ status: 'succeeded', finishedAt: at(2) });
        expect(await store.recoverInterrupted()).toEqual([]);
      });
    });

    describe('retention and schema', () => {
      it('prune keeps the newest N rollouts with their results and drops the rest', async () => {
        const { store } = await fresh();
        for (let i = 0; i < 5; i++) {
          await store.createRollout(rollout(`r${i}`, i * 10));
          await store.recordAccountResult(`r${i}`, result('111111111111', { durationMs: i }));
          if (i < 3) await store.recordAccountResult(`r${i}`, result(`22222222222${i}`));
          if (i < 4) await store.finishRollout(`r${i}`, 'succeeded', ZERO, at(i * 10 + 5));
        }
        // r4 is still running and newest; r0 is old.
        expect(await store.prune(2)).toBe(3);
        expect((await store.listRollouts({ limit: 10 })).items.map((r) => r.id)).toEqual(['r4', 'r3']);
        expect(await store.listAccountResults('r0')).toEqual([]);
        expect(await store.listAccountResults('r3')).toHaveLength(1);
        expect((await store.latestAccountResults()).map((r) => [r.accountId, r.rolloutId])).toEqual([['111111111111', 'r4']]);
        expect((await store.accountHistory('111111111111', 10)).map((r) => r.rolloutId)).toEqual(['r4', 'r3']);
        expect(await store.prune(2)).toBe(0);
      });

      it('prune never removes a running rollout', async () => {
        const { store } = await fresh();
        await store.createRollout(rollout('r-running', 1));
        await store.createRollout(rollout('r-done', 2));
        await store.finishRollout('r-done', 'succeeded', ZERO, at(3));
        expect(await store.prune(0)).toBe(1);
        expect((await store.listRollouts({ limit: 10 })).items.map((r) => r.id)).toEqual(['r-running']);
      });

      it('migrations are idempotent: migrating again and opening a second store keep the data', async () => {
        const fixture = await fresh();
        await fixture.store.createRollout(rollout('r1', 1));
        await fixture.store.migrate();
        await fixture.store.migrate();
        const again = await fixture.openAnother();
        expect((await again.getRollout('r1'))?.id).toBe('r1');
        await again.ping();
      });

      it('a schema newer than this code is refused as STORE.CORRUPT', async () => {
        const fixture = await fresh();
        await fixture.recordFutureSchemaVersion(9999);
        const err = await expectCode(fixture.openAnother(), 'STORE.CORRUPT');
        expect(err.message).toContain('9999');
      });
    });
  });
}
