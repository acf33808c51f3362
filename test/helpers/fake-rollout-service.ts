/**
 * A RolloutService for route tests: records what it was asked, writes records to the
 * given store, and never finishes a rollout unless told to (finish()).
 */
import { DomainError } from '../../src/core/errors.js';
import type { AccountResult, RolloutRecord, RolloutReport, RolloutStatus } from '../../src/core/model.js';
import type { RolloutMeta, RolloutRequest, RolloutService, RolloutStore, StartedRollout } from '../../src/core/ports.js';

export const EMPTY_SUMMARY = { total: 0, compliant: 0, updated: 0, planned: 0, failed: 0, unreachable: 0, skipped: 0 };

export function sampleResult(accountId: string, status: AccountResult['status'] = 'compliant', extra: Partial<AccountResult> = {}): AccountResult {
  return {
    accountId,
    accountName: `acct-${accountId.slice(-4)}`,
    status,
    actions: status === 'updated' ? [{ type: 'CreateGroup', resource: 'group/Users' }] : [],
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:01.000Z',
    durationMs: 1000,
    apiCalls: { reads: 3, writes: status === 'updated' ? 1 : 0 },
    ...extra,
  };
}

export class FakeRolloutService implements RolloutService {
  readonly calls: { method: string; args: unknown[] }[] = [];
  /** When set, start() and retry() throw ROLLOUT.LOCKED naming it. */
  lockedBy: string | null = null;
  /** When set, every method throws it. */
  failure: Error | null = null;
  driftResult: AccountResult | null = null;
  shutdownDeadlines: number[] = [];
  readonly #active = new Map<string, (report: RolloutReport) => void>();
  #seq = 0;

  constructor(private readonly store: RolloutStore) {}

  #check(): void {
    if (this.failure) throw this.failure;
  }

  async #begin(request: RolloutRequest, meta: RolloutMeta, parentId?: string): Promise<StartedRollout> {
    if (this.lockedBy) throw new DomainError('ROLLOUT.LOCKED', `another rollout is running: ${this.lockedBy}`, { heldBy: this.lockedBy });
    this.#seq += 1;
    const record: RolloutRecord = {
      id: `20250101T00000${this.#seq}Z-fake${String(this.#seq).padStart(2, '0')}`,
      status: 'running',
      dryRun: request.dryRun ?? false,
      trigger: meta.trigger,
      requestedBy: meta.requestedBy,
      options: {
        dryRun: request.dryRun ?? false,
        accounts: request.accounts,
        excludeAccounts: request.excludeAccounts,
        organizationalUnits: request.organizationalUnits,
        accountTags: request.accountTags,
        concurrency: request.concurrency ?? 25,
        failureTolerance: request.failureTolerance ?? '10%',
      },
      parentId,
      startedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, this.#seq)).toISOString(),
      finishedAt: null,
      baselineHash: 'sha256:fake',
      summary: { ...EMPTY_SUMMARY },
    };
    await this.store.createRollout(record);
    const done = new Promise<RolloutReport>((resolve) => this.#active.set(record.id, resolve));
    return { record, done };
  }

  async start(request: RolloutRequest, meta: RolloutMeta): Promise<StartedRollout> {
    this.calls.push({ method: 'start', args: [request, meta] });
    this.#check();
    return this.#begin(request, meta);
  }

  /** Ends a running rollout with the given status. */
  async finish(id: string, status: RolloutStatus): Promise<void> {
    const resolve = this.#active.get(id);
    this.#active.delete(id);
    await this.store.finishRollout(id, status, { ...EMPTY_SUMMARY }, '2025-01-01T01:00:00.000Z');
    const record = (await this.store.getRollout(id)) as RolloutRecord;
    resolve?.({ ...record, accounts: await this.store.listAccountResults(id) });
  }

  async cancel(id: string): Promise<void> {
    this.calls.push({ method: 'cancel', args: [id] });
    this.#check();
    if (!this.#active.has(id)) throw new DomainError('ROLLOUT.NOT_RUNNING', `rollout ${id} is not running`);
    await this.finish(id, 'cancelled');
  }

  async retry(id: string, meta: RolloutMeta): Promise<StartedRollout> {
    this.calls.push({ method: 'retry', args: [id, meta] });
    this.#check();
    const parent = await this.store.getRollout(id);
    if (!parent) throw new DomainError('ROLLOUT.NOT_FOUND', `no rollout ${id}`);
    const results = await this.store.listAccountResults(id);
    const accounts = results.filter((r) => r.status === 'failed' || r.status === 'unreachable').map((r) => r.accountId);
    if (accounts.length === 0) throw new DomainError('ROLLOUT.NOTHING_TO_RETRY', `rollout ${id} has no failed or unreachable accounts`);
    return this.#begin({ ...parent.options, accounts }, meta, id);
  }

  async resume(id: string, meta: RolloutMeta): Promise<StartedRollout> {
    this.calls.push({ method: 'resume', args: [id, meta] });
    this.#check();
    throw new DomainError('ROLLOUT.NOTHING_TO_RESUME', `rollout ${id} has nothing to resume`);
  }

  async drift(accountId: string): Promise<AccountResult> {
    this.calls.push({ method: 'drift', args: [accountId] });
    this.#check();
    if (!this.driftResult || this.driftResult.accountId !== accountId) {
      throw new DomainError('ACCOUNT.NOT_FOUND', `account ${accountId} is not in the organization`);
    }
    return this.driftResult;
  }

  running(): string[] {
    return [...this.#active.keys()];
  }

  async shutdown(deadlineMs: number): Promise<void> {
    this.shutdownDeadlines.push(deadlineMs);
    for (const id of [...this.#active.keys()]) await this.finish(id, 'interrupted');
  }
}
