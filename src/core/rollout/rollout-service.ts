/**
 * The use cases every driver calls (CLI, HTTP, schedule): start, cancel, retry, resume,
 * drift. Owns the one-rollout lock, the lease heartbeat, durable recording and retention.
 */
import { randomBytes } from 'node:crypto';
import { loadBaseline } from '../baseline/index.js';
import { DomainError } from '../errors.js';
import type { AccountResult, RolloutOptions, RolloutRecord, RolloutReport } from '../model.js';
import type { RolloutMeta, RolloutRequest, RolloutService, RolloutStore, StartedRollout } from '../ports.js';
import { emptySummary, summarize } from './report.js';
import { runRollout, type RolloutDeps } from './run-rollout.js';

export interface RolloutSettings {
  baselinePath: string;
  concurrency: number;
  failureTolerance: string;
  accountTimeoutMs: number;
  includeManagementAccount: boolean;
  retention: number;
  /** Identifies this process in the lock (host:pid). */
  owner: string;
  lockTtlMs?: number;
}

interface Running {
  record: RolloutRecord;
  cancel: AbortController;
  interrupt: AbortController;
  hard: AbortController;
  done: Promise<RolloutReport>;
}

/** Sortable and readable: 20261203T183000Z-9f2c1a (fits the 64-character RoleSessionName with its prefix). */
export function newRolloutId(now: Date): string {
  const ts = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${ts}-${randomBytes(3).toString('hex')}`;
}

export class DefaultRolloutService implements RolloutService {
  private readonly active = new Map<string, Running>();
  private closing = false;

  constructor(
    private readonly deps: RolloutDeps & { store: RolloutStore },
    private readonly settings: RolloutSettings,
  ) {}

  running(): string[] {
    return [...this.active.keys()];
  }

  async start(request: RolloutRequest, meta: RolloutMeta, extra: { parentId?: string; alreadyDone?: ReadonlySet<string> } = {}): Promise<StartedRollout> {
    if (this.closing) throw new DomainError('ROLLOUT.LOCKED', 'the service is shutting down', { heldBy: null });
    const options: RolloutOptions = {
      dryRun: request.dryRun ?? false,
      accounts: request.accounts?.length ? [...new Set(request.accounts)] : undefined,
      excludeAccounts: request.excludeAccounts?.length ? [...new Set(request.excludeAccounts)] : undefined,
      organizationalUnits: request.organizationalUnits?.length ? [...new Set(request.organizationalUnits)] : undefined,
      accountTags: request.accountTags && Object.keys(request.accountTags).length ? request.accountTags : undefined,
      concurrency: request.concurrency ?? this.settings.concurrency,
      failureTolerance: request.failureTolerance ?? this.settings.failureTolerance,
      includeManagementAccount: this.settings.includeManagementAccount,
    };
    // Validate before taking the lock: a bad baseline never starts anything.
    const loaded = loadBaseline(this.settings.baselinePath);
    const { store, clock, logger } = this.deps;
    await store.recoverInterrupted();

    const id = newRolloutId(clock.now());
    const ttl = this.settings.lockTtlMs ?? 60_000;
    const lock = await store.tryLock(id, this.settings.owner, ttl);
    if (!lock.acquired) {
      throw new DomainError('ROLLOUT.LOCKED', `another rollout is running: ${lock.heldBy}`, { heldBy: lock.heldBy });
    }

    const record: RolloutRecord = {
      id,
      status: 'running',
      dryRun: options.dryRun,
      trigger: meta.trigger,
      requestedBy: meta.requestedBy,
      options,
      parentId: extra.parentId,
      startedAt: clock.now().toISOString(),
      finishedAt: null,
      baselineHash: loaded.hash,
      summary: emptySummary(),
    };
    try {
      await store.createRollout(record);
    } catch (e) {
      await store.releaseLock(id).catch(() => undefined);
      throw e;
    }

    const running: Running = {
      record,
      cancel: new AbortController(),
      interrupt: new AbortController(),
      hard: new AbortController(),
      done: undefined as unknown as Promise<RolloutReport>,
    };
    this.active.set(id, running);
    const log = logger.child({ rolloutId: id });
    log.info({ trigger: meta.trigger, dryRun: options.dryRun, parentId: extra.parentId }, 'rollout started');

    const heartbeat = setInterval(() => {
      store.renewLock(id, ttl).catch((e) => log.error({ err: (e as Error).message }, 'lock lease could not be renewed'));
    }, Math.max(1000, Math.floor(ttl / 3)));
    heartbeat.unref();

    running.done = (async (): Promise<RolloutReport> => {
      const began = Date.now();
      let final: RolloutRecord = record;
      let results: AccountResult[] = [];
      try {
        const outcome = await runRollout(this.deps, {
          rolloutId: id,
          baseline: loaded.baseline,
          options,
          accountTimeoutMs: this.settings.accountTimeoutMs,
          cancelSignal: running.cancel.signal,
          interruptSignal: running.interrupt.signal,
          hardSignal: running.hard.signal,
          alreadyDone: extra.alreadyDone,
          sink: (result) => store.recordAccountResult(id, result),
          onProgress: meta.onProgress,
        });
        results = outcome.results;
        final = { ...record, status: outcome.status, summary: outcome.summary, finishedAt: clock.now().toISOString() };
      } catch (e) {
        log.error({ err: (e as Error).message, code: (e as DomainError).code }, 'rollout failed');
        final = { ...record, status: 'failed', finishedAt: clock.now().toISOString() };
        final.summary = summarize(results);
      }
      try {
        await store.finishRollout(id, final.status, final.summary, final.finishedAt as string);
      } catch (e) {
        log.error({ err: (e as Error).message }, 'final rollout status could not be recorded');
        if (final.status === 'succeeded') final = { ...final, status: 'failed' };
      } finally {
        clearInterval(heartbeat);
        await store.releaseLock(id).catch(() => undefined);
        this.active.delete(id);
      }
      await store.prune(this.settings.retention).catch((e) => log.warn({ err: (e as Error).message }, 'pruning old rollouts failed'));
      this.deps.telemetry.rolloutFinished(final.status, Date.now() - began);
      log.info({ status: final.status, summary: final.summary }, 'rollout finished');
      return { ...final, accounts: results };
    })();
    return { record, done: running.done };
  }

  async cancel(id: string): Promise<void> {
    const running = this.active.get(id);
    if (running) {
      running.cancel.abort(new DomainError('ROLLOUT.CANCELLED', 'the rollout was cancelled'));
      return;
    }
    const record = await this.deps.store.getRollout(id);
    if (!record) throw new DomainError('ROLLOUT.NOT_FOUND', `no rollout ${id}`);
    if (record.status === 'running') throw new DomainError('ROLLOUT.NOT_RUNNING', `rollout ${id} is running in another process; cancel it there`);
    throw new DomainError('ROLLOUT.NOT_RUNNING', `rollout ${id} is not running (status ${record.status})`);
  }

  async retry(id: string, meta: RolloutMeta): Promise<StartedRollout> {
    const parent = await this.deps.store.getRollout(id);
    if (!parent) throw new DomainError('ROLLOUT.NOT_FOUND', `no rollout ${id}`);
    const failed = [
      ...(await this.deps.store.listAccountResults(id, { status: 'failed' })),
      ...(await this.deps.store.listAccountResults(id, { status: 'unreachable' })),
    ].map((r) => r.accountId);
    if (failed.length === 0) throw new DomainError('ROLLOUT.NOTHING_TO_RETRY', `rollout ${id} has no failed or unreachable accounts`);
    return this.start(
      { ...parent.options, accounts: failed, organizationalUnits: undefined, accountTags: undefined },
      { ...meta, trigger: meta.trigger === 'cli' || meta.trigger === 'http' ? 'retry' : meta.trigger },
      { parentId: id },
    );
  }

  async resume(id: string, meta: RolloutMeta): Promise<StartedRollout> {
    await this.deps.store.recoverInterrupted();
    const parent = await this.deps.store.getRollout(id);
    if (!parent) throw new DomainError('ROLLOUT.NOT_FOUND', `no rollout ${id}`);
    if (parent.status === 'running') throw new DomainError('ROLLOUT.LOCKED', `rollout ${id} is still running`, { heldBy: id });
    const done = new Set((await this.deps.store.listAccountResults(id)).map((r) => r.accountId));
    return this.start(parent.options, { ...meta, trigger: 'resume' }, { parentId: id, alreadyDone: done });
  }

  async drift(accountId: string): Promise<AccountResult> {
    const loaded = loadBaseline(this.settings.baselinePath);
    const outcome = await runRollout(this.deps, {
      rolloutId: `drift-${newRolloutId(this.deps.clock.now())}`,
      baseline: loaded.baseline,
      options: {
        dryRun: true,
        accounts: [accountId],
        concurrency: 1,
        failureTolerance: '100%',
        includeManagementAccount: this.settings.includeManagementAccount,
      },
      accountTimeoutMs: this.settings.accountTimeoutMs,
      sink: async () => undefined,
    });
    const result = outcome.results.find((r) => r.accountId === accountId);
    if (!result || (result.status === 'skipped' && result.reason === 'not an account of this organization')) {
      throw new DomainError('ACCOUNT.NOT_FOUND', `account ${accountId} is not in the organization`);
    }
    return result;
  }

  async shutdown(deadlineMs: number): Promise<void> {
    this.closing = true;
    const all = [...this.active.values()];
    for (const r of all) r.interrupt.abort(new DomainError('ROLLOUT.CANCELLED', 'the service is shutting down'));
    const settled = Promise.allSettled(all.map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      settled.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), deadlineMs);
      }),
    ]);
    clearTimeout(timer);
    if (late) {
      for (const r of all) r.hard.abort(new DomainError('ROLLOUT.CANCELLED', 'shutdown deadline passed'));
      await settled;
    }
  }
}
