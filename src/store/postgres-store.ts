/**
 * The report store on PostgreSQL (node-postgres Pool), inside one schema
 * (`public` unless `?schema=NAME` or the `schema` option names another; created
 * if missing). Every object is schema-qualified, so a connection pooler's
 * search_path does not matter. Leases use the database clock (now()), so hosts
 * with skewed clocks still agree on expiry.
 */
import pg from 'pg';
import { DomainError, isDomainError } from '../core/errors.js';
import type { AccountResult, AccountStatus, RolloutRecord, RolloutStatus, RolloutSummary } from '../core/model.js';
import type { ListRolloutsQuery, LockResult, Logger, RolloutPage, RolloutStore, StoredAccountResult, LatestResultsQuery } from '../core/ports.js';
import { latestVersion } from './migrations/migration.js';
import { postgresMigrations } from './migrations/postgres-migrations.js';
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
import { checkSchemaName, parseStoreUrl } from './store-url.js';

export interface PostgresStoreOptions {
  /** Wins over the URL's `?schema=`. */
  schema?: string;
  logger?: Logger;
  poolSize?: number;
  connectionTimeoutMs?: number;
}

type Op = 'open' | 'read' | 'write';

// SQLSTATE classes and socket errors that mean "the server cannot be reached or will not let us in".
const UNREACHABLE_SOCKET = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

function errorCode(e: unknown): string {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

function isUnreachable(code: string, message: string): boolean {
  return (
    UNREACHABLE_SOCKET.has(code) ||
    code.startsWith('08') || // connection exception
    code.startsWith('28') || // invalid authorization
    code === '3D000' || // database does not exist
    code === '53300' || // too many connections
    code.startsWith('57P') || // server shutting down / starting up
    /timeout exceeded when trying to connect|Connection terminated/i.test(message)
  );
}

// `host:port/database`, never user or password.
function describeServer(connectionString: string): string {
  try {
    const u = new URL(connectionString);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    return `${host}:${u.port || '5432'}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return 'the configured server';
  }
}

export class PostgresStore implements RolloutStore {
  private closed = false;
  private readonly s: string;
  private readonly sql: ReturnType<typeof statements>;

  private constructor(
    private readonly pool: pg.Pool,
    // Server and schema, named in every error message.
    readonly location: string,
    readonly schema: string,
    private readonly logger?: Logger,
  ) {
    this.s = `"${schema}"`;
    this.sql = statements(this.s);
  }

  /** Creates the pool; nothing connects until the first call (createStore migrates at once). */
  static open(url: string, options: PostgresStoreOptions = {}): PostgresStore {
    const parsed = parseStoreUrl(url);
    if (parsed.kind !== 'postgres') throw new TypeError('PostgresStore.open needs a postgres:// URL');
    const schema = checkSchemaName(options.schema ?? parsed.schema ?? 'public');
    const pool = new pg.Pool({
      connectionString: parsed.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      idleTimeoutMillis: 30_000,
      application_name: 'org-iam-rollout',
    });
    const location = `PostgreSQL store ${describeServer(parsed.connectionString)} (schema ${schema})`;
    // An idle client dropped by the server emits on the pool; without a listener that would crash the process.
    pool.on('error', (e) => options.logger?.warn({ store: 'postgres', code: errorCode(e) || undefined, err: e.message }, 'idle store connection lost'));
    return new PostgresStore(pool, location, schema, options.logger);
  }

  async migrate(): Promise<void> {
    const migrations = postgresMigrations(this.s);
    const known = latestVersion(migrations);
    const applied = await this.tx('open', 'migrate the schema', async (c) => {
      // Serialises concurrent start-ups per schema; released with the transaction.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', ['org-iam-rollout:migrate', this.schema]);
      const exists = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
      // Only when missing: CREATE SCHEMA IF NOT EXISTS still demands the CREATE privilege on the database.
      if (exists.rowCount === 0) await c.query(`CREATE SCHEMA ${this.s}`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${this.s}.schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = new Set((await c.query<{ version: number }>(`SELECT version FROM ${this.s}.schema_migrations`)).rows.map((r) => r.version));
      const newest = Math.max(0, ...done);
      if (newest > known) {
        throw new DomainError('STORE.CORRUPT', `${this.location} has schema version ${newest}; this version of org-iam-rollout knows up to ${known}`, {
          schema: this.schema,
          version: newest,
          known,
        });
      }
      const pending = migrations.filter((m) => !done.has(m.version)).sort((a, b) => a.version - b.version);
      for (const m of pending) {
        await c.query(m.sql);
        await c.query(`INSERT INTO ${this.s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      }
      return pending.map((m) => m.version);
    });
    if (applied.length > 0) this.logger?.info({ store: 'postgres', schema: this.schema, versions: applied }, 'store schema migrated');
  }

  async ping(): Promise<void> {
    await this.q('read', 'reach the database', 'SELECT 1');
  }

  async tryLock(rolloutId: string, owner: string, ttlMs: number): Promise<LockResult> {
    checkLimit('ttlMs', ttlMs, 1);
    // The upsert is the compare-and-set; a holder that released between it and the
    // read of the holder is simply retried.
    for (let attempt = 0; attempt < 5; attempt++) {
      const taken = await this.q('write', 'take the rollout lock', this.sql.takeLock, [rolloutId, owner, ttlMs]);
      if (taken.rowCount === 1) return { acquired: true };
      const holder = await this.q<{ rollout_id: string }>('read', 'read the rollout lock', this.sql.lockHolder);
      if (holder.rows[0]) return { acquired: false, heldBy: holder.rows[0].rollout_id };
    }
    throw new DomainError('STORE.WRITE_FAILED', `${this.location}: the rollout lock kept changing hands; try again`);
  }

  async renewLock(rolloutId: string, ttlMs: number): Promise<void> {
    checkLimit('ttlMs', ttlMs, 1);
    const renewed = await this.q('write', 'renew the rollout lock', this.sql.renewLock, [rolloutId, ttlMs]);
    if (renewed.rowCount === 0) {
      const holder = await this.q<{ rollout_id: string }>('read', 'read the rollout lock', this.sql.lockHolder);
      const heldBy = holder.rows[0]?.rollout_id;
      const by = heldBy ? `rollout ${heldBy} holds it now` : 'nobody holds it';
      throw new DomainError('ROLLOUT.LOCKED', `rollout ${rolloutId} no longer holds the rollout lock (${by})`, { rolloutId, heldBy });
    }
  }

  async releaseLock(rolloutId: string): Promise<void> {
    await this.q('write', 'release the rollout lock', `DELETE FROM ${this.s}.rollout_lock WHERE rollout_id = $1`, [rolloutId]);
  }

  async recoverInterrupted(): Promise<string[]> {
    const r = await this.q<{ id: string }>('write', 'mark interrupted rollouts', this.sql.markInterrupted);
    return r.rows.map((row) => row.id);
  }

  async createRollout(record: RolloutRecord): Promise<void> {
    const values = rolloutValues(record, (b) => b);
    try {
      await this.q('write', `create rollout ${record.id}`, this.sql.insertRollout, values);
    } catch (e) {
      if (errorCode((e as { cause?: unknown }).cause) === '23505') {
        throw new DomainError('STORE.WRITE_FAILED', `${this.location}: rollout ${record.id} already exists`, { rolloutId: record.id });
      }
      throw e;
    }
  }

  async recordAccountResult(rolloutId: string, result: AccountResult): Promise<void> {
    const written = await this.q<{ n: number }>('write', `record account ${result.accountId} of rollout ${rolloutId}`, this.sql.recordResult, [
      rolloutId,
      ...resultValues(result),
    ]);
    if (written.rows[0]?.n !== 1) {
      throw new DomainError('ROLLOUT.NOT_FOUND', `no rollout ${rolloutId} to record account ${result.accountId} in`, { rolloutId });
    }
  }

  async finishRollout(rolloutId: string, status: RolloutStatus, summary: RolloutSummary, finishedAt: string): Promise<void> {
    const at = canonicalTime(finishedAt, 'finishedAt');
    const r = await this.q('write', `finish rollout ${rolloutId}`, this.sql.finishRollout, [
      rolloutId,
      status,
      at,
      summary.total,
      summary.compliant,
      summary.updated,
      summary.planned,
      summary.failed,
      summary.unreachable,
      summary.skipped,
    ]);
    if (r.rowCount === 0) throw new DomainError('ROLLOUT.NOT_FOUND', `no rollout ${rolloutId} to finish`, { rolloutId });
  }

  async getRollout(id: string): Promise<RolloutRecord | null> {
    const r = await this.q<RolloutRow>('read', `read rollout ${id}`, `${this.sql.selectRollout} WHERE id = $1`, [id]);
    return r.rows[0] ? this.withLiveSummary(rolloutFromRow(r.rows[0])) : null;
  }

  /** A running rollout's summary columns are written when it finishes: count its results so far instead. */
  private async withLiveSummary(record: RolloutRecord): Promise<RolloutRecord> {
    if (record.status !== 'running') return record;
    const r = await this.q<{ status: string; n: string | number }>(
      'read',
      `count the results of rollout ${record.id}`,
      `SELECT status, COUNT(*) AS n FROM ${this.s}.account_results WHERE rollout_id = $1 GROUP BY status`,
      [record.id],
    );
    return { ...record, summary: liveSummary(r.rows.map((x) => ({ status: x.status, n: Number(x.n) }))) };
  }

  async latestRollout(): Promise<RolloutRecord | null> {
    const r = await this.q<RolloutRow>('read', 'read the latest rollout', `${this.sql.selectRollout} ORDER BY started_at DESC, id DESC LIMIT 1`);
    return r.rows[0] ? this.withLiveSummary(rolloutFromRow(r.rows[0])) : null;
  }

  async listRollouts(query: ListRolloutsQuery): Promise<RolloutPage> {
    checkLimit('limit', query.limit, 1);
    const r =
      query.before === undefined
        ? await this.q<RolloutRow>('read', 'list rollouts', `${this.sql.selectRollout} ORDER BY started_at DESC, id DESC LIMIT $1`, [query.limit + 1])
        : // An unknown cursor (e.g. pruned, so everything older is gone too) yields an empty page.
          await this.q<RolloutRow>(
            'read',
            'list rollouts',
            `${this.sql.selectRollout} WHERE (started_at, id) < (SELECT started_at, id FROM ${this.s}.rollouts WHERE id = $1)
             ORDER BY started_at DESC, id DESC LIMIT $2`,
            [query.before, query.limit + 1],
          );
    const items = r.rows.slice(0, query.limit).map(rolloutFromRow);
    return r.rows.length > query.limit ? { items, nextCursor: items[items.length - 1].id } : { items };
  }

  async listAccountResults(rolloutId: string, filter: { status?: AccountStatus } = {}): Promise<AccountResult[]> {
    const what = `list account results of rollout ${rolloutId}`;
    const r =
      filter.status === undefined
        ? await this.q<AccountResultRow>('read', what, `${this.sql.selectResult} FROM ${this.s}.account_results a WHERE a.rollout_id = $1 ORDER BY a.account_id`, [
            rolloutId,
          ])
        : await this.q<AccountResultRow>(
            'read',
            what,
            `${this.sql.selectResult} FROM ${this.s}.account_results a WHERE a.rollout_id = $1 AND a.status = $2 ORDER BY a.account_id`,
            [rolloutId, filter.status],
          );
    return r.rows.map(accountResultFromRow);
  }

  async latestAccountResults(query: LatestResultsQuery = {}): Promise<StoredAccountResult[]> {
    if (query.limit !== undefined) checkLimit('limit', query.limit, 1);
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.after !== undefined) {
      params.push(query.after);
      where.push(`l.account_id > $${params.length}`);
    }
    if (query.status !== undefined) {
      params.push(query.status);
      where.push(`a.status = $${params.length}`);
    }
    let limit = '';
    if (query.limit !== undefined) {
      params.push(query.limit);
      limit = `LIMIT $${params.length}`;
    }
    const r = await this.q<AccountResultRow>(
      'read',
      'read the latest account results',
      `${this.sql.selectResult}, r.dry_run FROM ${this.s}.account_latest l
       JOIN ${this.s}.account_results a ON a.rollout_id = l.rollout_id AND a.account_id = l.account_id
       JOIN ${this.s}.rollouts r ON r.id = l.rollout_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY l.account_id ${limit}`,
      params,
    );
    return r.rows.map(storedResultFromRow);
  }

  async accountHistory(accountId: string, limit: number): Promise<StoredAccountResult[]> {
    checkLimit('limit', limit, 1);
    const r = await this.q<AccountResultRow>(
      'read',
      `read the history of account ${accountId}`,
      `${this.sql.selectResult}, r.dry_run FROM ${this.s}.account_results a JOIN ${this.s}.rollouts r ON r.id = a.rollout_id
       WHERE a.account_id = $1 ORDER BY a.rollout_started_at DESC, a.rollout_id DESC LIMIT $2`,
      [accountId, limit],
    );
    return r.rows.map(storedResultFromRow);
  }

  async prune(keep: number): Promise<number> {
    checkLimit('keep', keep, 0);
    // A running rollout is never pruned: its results are still being written.
    const r = await this.q(
      'write',
      'prune old rollouts',
      `DELETE FROM ${this.s}.rollouts WHERE status <> 'running' AND id IN
        (SELECT id FROM ${this.s}.rollouts ORDER BY started_at DESC, id DESC OFFSET $1)`,
      [keep],
    );
    return r.rowCount ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async q<R extends pg.QueryResultRow = pg.QueryResultRow>(op: Op, what: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (e) {
      throw this.classify(e, op, what);
    }
  }

  private async tx<T>(op: Op, what: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw this.classify(e, op, what);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw this.classify(e, op, what);
    } finally {
      client.release(broken);
    }
  }

  // The cause keeps the original error for logs; the message never carries the URL.
  private classify(e: unknown, op: Op, what: string): DomainError {
    if (isDomainError(e)) return e;
    if (this.closed) return new DomainError('STORE.UNAVAILABLE', `${this.location}: cannot ${what} (the store is closed)`, undefined, { cause: e });
    const code = errorCode(e);
    const message = e instanceof Error ? e.message : String(e);
    const reason = code ? `${code}: ${message}` : message;
    const details = { schema: this.schema, pgCode: code || undefined };
    if (op === 'write') return new DomainError('STORE.WRITE_FAILED', `${this.location}: cannot ${what} (${reason})`, details, { cause: e });
    if (code === '25006') return new DomainError('STORE.READ_ONLY', `${this.location} is read-only: cannot ${what} (${reason})`, details, { cause: e });
    if (isUnreachable(code, message)) {
      return new DomainError('STORE.UNAVAILABLE', `${this.location}: cannot connect (${reason})`, details, { cause: e });
    }
    return new DomainError('STORE.UNAVAILABLE', `${this.location}: cannot ${what} (${reason})`, details, { cause: e });
  }
}

// The SQL that depends on the schema, built once per store.
function statements(s: string) {
  const resultSets = RESULT_COLUMNS.filter((c) => c !== 'account_id')
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ');
  const count = (status: string): string => `(SELECT count(*) FROM ${s}.account_results a WHERE a.rollout_id = r.id AND a.status = '${status}')`;
  return {
    selectRollout: `SELECT ${ROLLOUT_COLUMNS.join(', ')} FROM ${s}.rollouts`,
    selectResult: `SELECT a.rollout_id, ${RESULT_COLUMNS.map((c) => `a.${c}`).join(', ')}`,
    insertRollout: `INSERT INTO ${s}.rollouts (${ROLLOUT_COLUMNS.join(', ')}) VALUES (${ROLLOUT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
    finishRollout: `UPDATE ${s}.rollouts SET status = $2, finished_at = $3, total = $4, compliant = $5, updated = $6, planned = $7,
      failed = $8, unreachable = $9, skipped = $10 WHERE id = $1`,
    takeLock: `INSERT INTO ${s}.rollout_lock AS l (name, rollout_id, owner, acquired_at, expires_at)
      VALUES ('rollout', $1, $2, now(), now() + make_interval(secs => $3::double precision / 1000))
      ON CONFLICT (name) DO UPDATE SET rollout_id = EXCLUDED.rollout_id, owner = EXCLUDED.owner,
        acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at
      WHERE l.expires_at <= now() OR (l.rollout_id = EXCLUDED.rollout_id AND l.owner = EXCLUDED.owner)
      RETURNING rollout_id`,
    lockHolder: `SELECT rollout_id FROM ${s}.rollout_lock WHERE name = 'rollout'`,
    renewLock: `UPDATE ${s}.rollout_lock SET expires_at = now() + make_interval(secs => $2::double precision / 1000) WHERE rollout_id = $1`,
    // A rollout found orphaned gets the counts of the results it did record.
    markInterrupted: `UPDATE ${s}.rollouts r SET status = 'interrupted', finished_at = now(),
        compliant = ${count('compliant')}, updated = ${count('updated')}, planned = ${count('planned')},
        failed = ${count('failed')}, unreachable = ${count('unreachable')}, skipped = ${count('skipped')},
        total = GREATEST(r.total, (SELECT count(*) FROM ${s}.account_results a WHERE a.rollout_id = r.id))
      WHERE r.status = 'running'
        AND NOT EXISTS (SELECT 1 FROM ${s}.rollout_lock l WHERE l.rollout_id = r.id AND l.expires_at > now())
      RETURNING r.id`,
    // One statement, so one atomic round trip: the result upsert and the latest pointer
    // move together. The pointer only moves forward in (rollout start, rollout id)
    // order, so an older rollout's late result cannot hide a newer one.
    recordResult: `WITH r AS (SELECT id, started_at FROM ${s}.rollouts WHERE id = $1),
      res AS (
        INSERT INTO ${s}.account_results (rollout_id, rollout_started_at, ${RESULT_COLUMNS.join(', ')})
        SELECT r.id, r.started_at, $2::text, $3::text, $4::text, $5::text, $6::jsonb, $7::text, $8::text,
               $9::timestamptz, $10::timestamptz, $11::integer, $12::integer, $13::integer
        FROM r
        ON CONFLICT (rollout_id, account_id) DO UPDATE SET ${resultSets}
        RETURNING rollout_id, account_id, rollout_started_at),
      latest AS (
        INSERT INTO ${s}.account_latest AS l (account_id, rollout_id, rollout_started_at)
        SELECT account_id, rollout_id, rollout_started_at FROM res
        ON CONFLICT (account_id) DO UPDATE SET rollout_id = EXCLUDED.rollout_id, rollout_started_at = EXCLUDED.rollout_started_at
        WHERE (EXCLUDED.rollout_started_at, EXCLUDED.rollout_id) > (l.rollout_started_at, l.rollout_id))
      SELECT count(*)::integer AS n FROM res`,
  };
}
