import type { Migration } from './migration.js';

/*
 * Timestamps are canonical ISO-8601 TEXT (they sort chronologically), lease expiry
 * is epoch milliseconds from the process clock, JSON columns are TEXT.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'rollouts, account results, latest pointer, lock',
    sql: `
CREATE TABLE rollouts (
  id            TEXT PRIMARY KEY,
  status        TEXT NOT NULL,
  dry_run       INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
  trigger       TEXT NOT NULL,
  requested_by  TEXT,
  options       TEXT NOT NULL,
  parent_id     TEXT,
  baseline_hash TEXT NOT NULL,
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  total         INTEGER NOT NULL DEFAULT 0,
  compliant     INTEGER NOT NULL DEFAULT 0,
  updated       INTEGER NOT NULL DEFAULT 0,
  planned       INTEGER NOT NULL DEFAULT 0,
  failed        INTEGER NOT NULL DEFAULT 0,
  unreachable   INTEGER NOT NULL DEFAULT 0,
  skipped       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rollouts_newest ON rollouts (started_at DESC, id DESC);
CREATE INDEX rollouts_running ON rollouts (status) WHERE status = 'running';

-- rollout_started_at is copied from the rollout so history and the latest
-- pointer are index range scans, with no join to order by.
CREATE TABLE account_results (
  rollout_id         TEXT NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
  account_id         TEXT NOT NULL,
  rollout_started_at TEXT NOT NULL,
  account_name       TEXT NOT NULL,
  status             TEXT NOT NULL,
  reason             TEXT,
  actions            TEXT NOT NULL,
  error_code         TEXT,
  error_message      TEXT,
  started_at         TEXT NOT NULL,
  finished_at        TEXT NOT NULL,
  duration_ms        INTEGER NOT NULL,
  api_reads          INTEGER NOT NULL,
  api_writes         INTEGER NOT NULL,
  PRIMARY KEY (rollout_id, account_id)
);
CREATE INDEX account_results_by_status ON account_results (rollout_id, status, account_id);
CREATE INDEX account_results_history ON account_results (account_id, rollout_started_at DESC, rollout_id DESC);

-- Which rollout holds each account's newest result; maintained with every result write.
CREATE TABLE account_latest (
  account_id         TEXT PRIMARY KEY,
  rollout_id         TEXT NOT NULL,
  rollout_started_at TEXT NOT NULL,
  FOREIGN KEY (rollout_id, account_id) REFERENCES account_results (rollout_id, account_id) ON DELETE CASCADE
);
CREATE INDEX account_latest_by_result ON account_latest (rollout_id, account_id);

-- At most one row: the lease of the rollout that may run.
CREATE TABLE rollout_lock (
  name        TEXT PRIMARY KEY CHECK (name = 'rollout'),
  rollout_id  TEXT NOT NULL,
  owner       TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  expires_at  INTEGER NOT NULL
);
`,
  },
];
