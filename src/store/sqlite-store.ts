/**
 * The report store on SQLite (better-sqlite3). One file, WAL mode, foreign keys on.
 *
 * Durability: WAL with synchronous=NORMAL. A committed transaction is in the WAL
 * (the OS page cache) when the call returns, so a crash or kill of this process
 * loses nothing; only an OS crash or power loss can drop the last few commits, and
 * the file stays consistent. That is safe here because AWS, not the store, is the
 * truth: an account whose result was lost is re-run by `--resume` and comes back
 * `compliant` (every step reads before it writes). FULL would fsync on every result
 * and block the event loop for each of thousands of accounts.
 *
 * Concurrency: every write is a BEGIN IMMEDIATE transaction, so writers from other
 * processes queue on SQLite's lock (busy_timeout) instead of failing mid-transaction.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DomainError, isDomainError } from '../core/errors.js';
import type { AccountResult, AccountStatus, RolloutRecord, RolloutStatus, RolloutSummary } from '../core/model.js';
import type { ListRolloutsQuery, LockResult, Logger, RolloutPage, RolloutStore, StoredAccountResult, LatestResultsQuery } from '../core/ports.js';
import { latestVersion } from './migrations/migration.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite-migrations.js';
import {
  type AccountResultRow,
  type RolloutRow,
  RESULT_COLUMNS,
  ROLLOUT_COLUMNS,
  accountResultFromRow,
  canonicalTime,
  checkLimit,
  resultValues,
  rolloutFromRow,
  rolloutValues,
  storedResultFromRow,
  liveSummary,
} from './rows.js';

export interface SqliteStoreOptions {
  logger?: Logger;
  /** How long a statement waits for another process's write lock (ms). */
  busyTimeoutMs?: number;
}

type Op = 'open' | 'read' | 'write';

const MEMORY = ':memory:';

const INSERT_ROLLOUT = `INSERT INTO rollouts (${ROLLOUT_COLUMNS.join(', ')}) VALUES (${ROLLOUT_COLUMNS.map(() => '?').join(', ')})`;

const UPSERT_RESULT = `INSERT INTO account_results (rollout_id, rollout_started_at, ${RESULT_COLUMNS.join(', ')})
  VALUES (?, ?, ${RESULT_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (rollout_id, account_id) DO UPDATE SET ${RESULT_COLUMNS.filter((c) => c !== 'account_id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

// An older rollout's result, written late (a retry of an old rollout, a slow writer), must not hide a newer one.
const ADVANCE_LATEST = `INSERT INTO account_latest (account_id, rollout_id, rollout_started_at) VALUES (?, ?, ?)
  ON CONFLICT (account_id) DO UPDATE SET rollout_id = excluded.rollout_id, rollout_started_at = excluded.rollout_started_at
  WHERE (excluded.rollout_started_at, excluded.rollout_id) > (account_latest.rollout_started_at, account_latest.rollout_id)`;

const ROLLOUT_SELECT = `SELECT ${ROLLOUT_COLUMNS.join(', ')} FROM rollouts`;
const RESULT_SELECT = `SELECT a.rollout_id, ${RESULT_COLUMNS.map((c) => `a.${c}`).join(', ')}`;

const LOCK_UPSERT = `INSERT INTO rollout_lock (name, rollout_id, owner, acquired_at, expires_at) VALUES ('rollout', ?, ?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET rollout_id = excluded.rollout_id, owner = excluded.owner,
    acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`;

const count = (status: string): string => `(SELECT count(*) FROM account_results a WHERE a.rollout_id = rollouts.id AND a.status = '${status}')`;

// A rollout found orphaned gets the counts of the results it did record.
const MARK_INTERRUPTED = `UPDATE rollouts SET status = 'interrupted', finished_at = ?,
    compliant = ${count('compliant')}, updated = ${count('updated')}, planned = ${count('planned')},
    failed = ${count('failed')}, unreachable = ${count('unreachable')}, skipped = ${count('skipped')},
    total = max(total, (SELECT count(*) FROM account_results a WHERE a.rollout_id = rollouts.id))
  WHERE status = 'running' AND id NOT IN (SELECT rollout_id FROM rollout_lock WHERE expires_at > ?)
  RETURNING id`;

function errorCode(e: unknown): string {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

export class SqliteStore implements RolloutStore {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    private readonly db: Database.Database,
    // The resolved path, named in every error message.
    readonly location: string,
    private readonly logger?: Logger,
  ) {}

  /**
   * Opens (creating the file and its parent folder if needed) and configures the
   * database. Does not migrate: call `migrate()` (createStore does).
   */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    const location = path === MEMORY ? MEMORY : resolve(path);
    if (location !== MEMORY) {
      try {
        mkdirSync(dirname(location), { recursive: true });
      } catch (e) {
        const code = errorCode(e);
        const kind = code === 'EROFS' ? 'STORE.READ_ONLY' : 'STORE.UNAVAILABLE';
        throw new DomainError(kind, `SQLite store ${location}: cannot create folder ${dirname(location)} (${code || (e as Error).message})`, { path: location }, { cause: e });
      }
    }
    let db: Database.Database;
    try {
      db = new Database(location, { timeout: options.busyTimeoutMs ?? 5000 });
    } catch (e) {
      throw classify(e, 'open', location, 'open the database');
    }
    try {
      // Any statement that reads the header fails here on a file that is not a database.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    } catch (e) {
      db.close();
      throw classify(e, 'open', location, 'open the database');
    }
    return new SqliteStore(db, location, options.logger);
  }

  async migrate(): Promise<void> {
    const applied = this.guard('open', 'migrate the schema', () =>
      this.db
        .transaction(() => {
          this.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
          // SQLite quietly opens a file it may not write read-only, and BEGIN IMMEDIATE in WAL
          // mode does not notice; a write statement does, so a read-only store fails at start-up.
          this.db.prepare('UPDATE schema_migrations SET version = version WHERE 0').run();
          const done = new Set(
            (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
          );
          const newest = Math.max(0, ...done);
          const known = latestVersion(SQLITE_MIGRATIONS);
          if (newest > known) {
            throw new DomainError(
              'STORE.CORRUPT',
              `SQLite store ${this.location} has schema version ${newest}; this version of org-iam-rollout knows up to ${known}`,
              { path: this.location, version: newest, known },
            );
          }
          const pending = SQLITE_MIGRATIONS.filter((m) => !done.has(m.version)).sort((a, b) => a.version - b.version);
          for (const m of pending) {
            this.db.exec(m.sql);
            this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
          }
          return pending.map((m) => m.version);
        })
        .immediate(),
    );
    if (applied.length > 0) this.logger?.info({ store: 'sqlite', path: this.location, versions: applied }, 'store schema migrated');
  }

  async ping(): Promise<void> {
    this.guard('read', 'reach the database', () => this.db.prepare('SELECT 1').get());
  }

  async tryLock(rolloutId: string, owner: string, ttlMs: number): Promise<LockResult> {
    checkLimit('ttlMs', ttlMs, 1);
    return this.guard('write', 'take the rollout lock', () =>
      this.db
        .transaction((): LockResult => {
          const now = Date.now();
          const held = this.stmt("SELECT rollout_id, owner, expires_at FROM rollout_lock WHERE name = 'rollout'").get() as
            | { rollout_id: string; owner: string; expires_at: number }
            | undefined;
          const mine = held?.rollout_id === rolloutId && held.owner === owner;
          if (held && held.expires_at > now && !mine) return { acquired: false, heldBy: held.rollout_id };
          this.stmt(LOCK_UPSERT).run(rolloutId, owner, new Date(now).toISOString(), now + ttlMs);
          return { acquired: true };
        })
        .immediate(),
    );
  }

  async renewLock(rolloutId: string, ttlMs: number): Promise<void> {
    checkLimit('ttlMs', ttlMs, 1);
    const changed = this.guard('write', 'renew the rollout lock', () =>
      this.stmt('UPDATE rollout_lock SET expires_at = ? WHERE rollout_id = ?').run(Date.now() + ttlMs, rolloutId).changes,
    );
    if (changed === 0) {
      const holder = this.guard('read', 'read the rollout lock', () => this.stmt("SELECT rollout_id FROM rollout_lock WHERE name = 'rollout'").get()) as
        | { rollout_id: string }
        | undefined;
      throw lostLease(rolloutId, holder?.rollout_id);
    }
  }

  async releaseLock(rolloutId: string): Promise<void> {
    this.guard('write', 'release the rollout lock', () => this.stmt('DELETE FROM rollout_lock WHERE rollout_id = ?').run(rolloutId));
  }

  async recoverInterrupted(): Promise<string[]> {
    return this.guard('write', 'mark interrupted rollouts', () =>
      this.db
        .transaction(() => {
          const now = Date.now();
          return (this.stmt(MARK_INTERRUPTED).all(new Date(now).toISOString(), now) as { id: string }[]).map((r) => r.id);
        })
        .immediate(),
    );
  }

  async createRollout(record: RolloutRecord): Promise<void> {
    const values = rolloutValues(record, (b) => (b ? 1 : 0));
    this.guard('write', `create rollout ${record.id}`, () => {
      try {
        this.stmt(INSERT_ROLLOUT).run(...values);
      } catch (e) {
        if (errorCode(e) === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new DomainError('STORE.WRITE_FAILED', `SQLite store ${this.location}: rollout ${record.id} already exists`, { rolloutId: record.id });
        }
        throw e;
      }
    });
  }

  async recordAccountResult(rolloutId: string, result: AccountResult): Promise<void> {
    const values = resultValues(result);
    this.guard('write', `record account ${result.accountId} of rollout ${rolloutId}`, () =>
      this.db
        .transaction(() => {
          const rollout = this.stmt('SELECT started_at FROM rollouts WHERE id = ?').get(rolloutId) as { started_at: string } | undefined;
          if (!rollout) throw new DomainError('ROLLOUT.NOT_FOUND', `no rollout ${rolloutId} to record account ${result.accountId} in`, { rolloutId });
          this.stmt(UPSERT_RESULT).run(rolloutId, rollout.started_at, ...values);
          this.stmt(ADVANCE_LATEST).run(result.accountId, rolloutId, rollout.started_at);
        })
        .immediate(),
    );
  }

  async finishRollout(rolloutId: string, status: RolloutStatus, summary: RolloutSummary, finishedAt: string): Promise<void> {
    const at = canonicalTime(finishedAt, 'finishedAt');
    const changed = this.guard('write', `finish rollout ${rolloutId}`, () =>
      this.stmt(
        `UPDATE rollouts SET status = ?, finished_at = ?, total = ?, compliant = ?, updated = ?, planned = ?,
          failed = ?, unreachable = ?, skipped = ? WHERE id = ?`,
      ).run(status, at, summary.total, summary.compliant, summary.updated, summary.planned, summary.failed, summary.unreachable, summary.skipped, rolloutId)
        .changes,
    );
    if (changed === 0) throw new DomainError('ROLLOUT.NOT_FOUND', `no rollout ${rolloutId} to finish`, { rolloutId });
  }

  async getRollout(id: string): Promise<RolloutRecord | null> {
    const row = this.guard('read', `read rollout ${id}`, () => this.stmt(`${ROLLOUT_SELECT} WHERE id = ?`).get(id)) as RolloutRow | undefined;
    return row ? this.withLiveSummary(rolloutFromRow(row)) : null;
  }

  /** A running rollout's summary columns are written when it finishes: count its results so far instead. */
  private withLiveSummary(record: RolloutRecord): RolloutRecord {
    if (record.status !== 'running') return record;
    const rows = this.guard('read', `count the results of rollout ${record.id}`, () =>
      this.stmt('SELECT status, COUNT(*) AS n FROM account_results WHERE rollout_id = ? GROUP BY status').all(record.id),
    ) as { status: string; n: number }[];
    return { ...record, summary: liveSummary(rows) };
  }

  async latestRollout(): Promise<RolloutRecord | null> {
    const row = this.guard('read', 'read the latest rollout', () => this.stmt(`${ROLLOUT_SELECT} ORDER BY started_at DESC, id DESC LIMIT 1`).get()) as
      | RolloutRow
      | undefined;
    return row ? this.withLiveSummary(rolloutFromRow(row)) : null;
  }

  async listRollouts(query: ListRolloutsQuery): Promise<RolloutPage> {
    checkLimit('limit', query.limit, 1);
    const rows = this.guard('read', 'list rollouts', () =>
      query.before === undefined
        ? this.stmt(`${ROLLOUT_SELECT} ORDER BY started_at DESC, id DESC LIMIT ?`).all(query.limit + 1)
        : // An unknown cursor (e.g. pruned, so everything older is gone too) yields an empty page.
          this.stmt(
            `${ROLLOUT_SELECT} WHERE (started_at, id) < (SELECT started_at, id FROM rollouts WHERE id = ?)
             ORDER BY started_at DESC, id DESC LIMIT ?`,
          ).all(query.before, query.limit + 1),
    ) as RolloutRow[];
    const items = rows.slice(0, query.limit).map(rolloutFromRow);
    return rows.length > query.limit ? { items, nextCursor: items[items.length - 1].id } : { items };
  }

  async listAccountResults(rolloutId: string, filter: { status?: AccountStatus } = {}): Promise<AccountResult[]> {
    const rows = this.guard('read', `list account results of rollout ${rolloutId}`, () =>
      filter.status === undefined
        ? this.stmt(`${RESULT_SELECT} FROM account_results a WHERE a.rollout_id = ? ORDER BY a.account_id`).all(rolloutId)
        : this.stmt(`${RESULT_SELECT} FROM account_results a WHERE a.rollout_id = ? AND a.status = ? ORDER BY a.account_id`).all(rolloutId, filter.status),
    ) as AccountResultRow[];
    return rows.map(accountResultFromRow);
  }

  async latestAccountResults(query: LatestResultsQuery = {}): Promise<StoredAccountResult[]> {
    if (query.limit !== undefined) checkLimit('limit', query.limit, 1);
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.after !== undefined) {
      where.push('l.account_id > ?');
      params.push(query.after);
    }
    if (query.status !== undefined) {
      where.push('a.status = ?');
      params.push(query.status);
    }
    params.push(query.limit ?? -1);
    const rows = this.guard('read', 'read the latest account results', () =>
      this.stmt(
        `${RESULT_SELECT}, r.dry_run FROM account_latest l
         JOIN account_results a ON a.rollout_id = l.rollout_id AND a.account_id = l.account_id
         JOIN rollouts r ON r.id = l.rollout_id
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY l.account_id LIMIT ?`,
      ).all(...params),
    ) as AccountResultRow[];
    return rows.map(storedResultFromRow);
  }

  async accountHistory(accountId: string, limit: number): Promise<StoredAccountResult[]> {
    checkLimit('limit', limit, 1);
    const rows = this.guard('read', `read the history of account ${accountId}`, () =>
      this.stmt(
        `${RESULT_SELECT}, r.dry_run FROM account_results a JOIN rollouts r ON r.id = a.rollout_id
         WHERE a.account_id = ? ORDER BY a.rollout_started_at DESC, a.rollout_id DESC LIMIT ?`,
      ).all(accountId, limit),
    ) as AccountResultRow[];
    return rows.map(storedResultFromRow);
  }

  async prune(keep: number): Promise<number> {
    checkLimit('keep', keep, 0);
    // A running rollout is never pruned: its results are still being written.
    return this.guard('write', 'prune old rollouts', () =>
      this.db
        .transaction(
          () =>
            this.stmt(
              `DELETE FROM rollouts WHERE status <> 'running' AND id IN
                (SELECT id FROM rollouts ORDER BY started_at DESC, id DESC LIMIT -1 OFFSET ?)`,
            ).run(keep).changes,
        )
        .immediate(),
    );
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private guard<T>(op: Op, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw classify(e, op, this.location, what);
    }
  }
}

function lostLease(rolloutId: string, heldBy: string | undefined): DomainError {
  const by = heldBy ? `rollout ${heldBy} holds it now` : 'nobody holds it';
  return new DomainError('ROLLOUT.LOCKED', `rollout ${rolloutId} no longer holds the rollout lock (${by})`, { rolloutId, heldBy });
}

// better-sqlite3's `code` is the extended SQLite result code (SQLITE_READONLY_DBMOVED, …).
function classify(e: unknown, op: Op, location: string, what: string): DomainError {
  if (isDomainError(e)) return e;
  const code = errorCode(e);
  const reason = `${code || 'error'}: ${e instanceof Error ? e.message : String(e)}`;
  const where = `SQLite store ${location}`;
  const details = { path: location, sqliteCode: code || undefined };
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new DomainError('STORE.CORRUPT', `${where} is not a valid database (${reason})`, details, { cause: e });
  }
  if (op === 'write') return new DomainError('STORE.WRITE_FAILED', `${where}: cannot ${what} (${reason})`, details, { cause: e });
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    return new DomainError('STORE.READ_ONLY', `${where} is read-only: cannot ${what} (${reason})`, details, { cause: e });
  }
  return new DomainError('STORE.UNAVAILABLE', `${where}: cannot ${what} (${reason})`, details, { cause: e });
}
