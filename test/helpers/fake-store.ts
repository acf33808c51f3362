/**
 * An in-memory RolloutStore for route tests: the port's behaviour, none of a database's.
 * The real adapters are covered by the store's own contract suite.
 */
import { DomainError } from '../../src/core/errors.js';
import type { AccountResult, AccountStatus, RolloutRecord, RolloutStatus, RolloutSummary } from '../../src/core/model.js';
import type { ListRolloutsQuery, LockResult, RolloutPage, RolloutStore, StoredAccountResult, LatestResultsQuery } from '../../src/core/ports.js';

export class FakeStore implements RolloutStore {
  readonly rollouts = new Map<string, RolloutRecord>();
  readonly results = new Map<string, Map<string, AccountResult>>();
  lock: { rolloutId: string; owner: string } | null = null;
  /** When set, every method throws it (a store that is down). */
  failure: Error | null = null;
  closed = false;

  #check(): void {
    if (this.failure) throw this.failure;
  }

  async migrate(): Promise<void> {
    this.#check();
  }
  async ping(): Promise<void> {
    this.#check();
  }
  async tryLock(rolloutId: string, owner: string): Promise<LockResult> {
    this.#check();
    if (this.lock) return { acquired: false, heldBy: this.lock.rolloutId };
    this.lock = { rolloutId, owner };
    return { acquired: true };
  }
  async renewLock(): Promise<void> {
    this.#check();
  }
  async releaseLock(rolloutId: string): Promise<void> {
    this.#check();
    if (this.lock?.rolloutId === rolloutId) this.lock = null;
  }
  async recoverInterrupted(): Promise<string[]> {
    this.#check();
    return [];
  }
  async createRollout(record: RolloutRecord): Promise<void> {
    this.#check();
    this.rollouts.set(record.id, structuredClone(record));
    this.results.set(record.id, new Map());
  }
  async recordAccountResult(rolloutId: string, result: AccountResult): Promise<void> {
    this.#check();
    const rows = this.results.get(rolloutId);
    if (!rows) throw new DomainError('STORE.WRITE_FAILED', `no rollout ${rolloutId}`);
    rows.set(result.accountId, structuredClone(result));
  }
  async finishRollout(rolloutId: string, status: RolloutStatus, summary: RolloutSummary, finishedAt: string): Promise<void> {
    this.#check();
    const r = this.rollouts.get(rolloutId);
    if (r) this.rollouts.set(rolloutId, { ...r, status, summary, finishedAt });
  }
  async getRollout(id: string): Promise<RolloutRecord | null> {
    this.#check();
    const r = this.rollouts.get(id);
    return r ? structuredClone(r) : null;
  }
  #newestFirst(): RolloutRecord[] {
    return [...this.rollouts.values()].sort((a, b) => (a.startedAt === b.startedAt ? b.id.localeCompare(a.id) : b.startedAt.localeCompare(a.startedAt)));
  }
  async latestRollout(): Promise<RolloutRecord | null> {
    this.#check();
    return this.#newestFirst()[0] ?? null;
  }
  async listRollouts(query: ListRolloutsQuery): Promise<RolloutPage> {
    this.#check();
    let all = this.#newestFirst();
    if (query.before) {
      const at = all.findIndex((r) => r.id === query.before);
      all = at < 0 ? [] : all.slice(at + 1);
    }
    const items = all.slice(0, query.limit);
    return all.length > query.limit ? { items, nextCursor: items[items.length - 1].id } : { items };
  }
  async listAccountResults(rolloutId: string, filter?: { status?: AccountStatus }): Promise<AccountResult[]> {
    this.#check();
    const rows = [...(this.results.get(rolloutId)?.values() ?? [])];
    return rows.filter((r) => !filter?.status || r.status === filter.status).sort((a, b) => a.accountId.localeCompare(b.accountId));
  }
  #stored(): StoredAccountResult[] {
    const out: StoredAccountResult[] = [];
    for (const r of this.#newestFirst()) {
      for (const res of this.results.get(r.id)?.values() ?? []) out.push({ ...structuredClone(res), rolloutId: r.id, dryRun: r.dryRun });
    }
    return out;
  }
  async latestAccountResults(query: LatestResultsQuery = {}): Promise<StoredAccountResult[]> {
    this.#check();
    const seen = new Map<string, StoredAccountResult>();
    for (const r of this.#stored()) if (!seen.has(r.accountId)) seen.set(r.accountId, r);
    const all = [...seen.values()]
      .sort((a, b) => a.accountId.localeCompare(b.accountId))
      .filter((r) => (query.after === undefined || r.accountId > query.after) && (query.status === undefined || r.status === query.status));
    return query.limit === undefined ? all : all.slice(0, query.limit);
  }
  async accountHistory(accountId: string, limit: number): Promise<StoredAccountResult[]> {
    this.#check();
    return this.#stored()
      .filter((r) => r.accountId === accountId)
      .slice(0, limit);
  }
  async prune(keep: number): Promise<number> {
    this.#check();
    const drop = this.#newestFirst().slice(keep);
    for (const r of drop) {
      this.rollouts.delete(r.id);
      this.results.delete(r.id);
    }
    return drop.length;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
