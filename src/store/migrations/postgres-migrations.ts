import type { Migration } from './migration.js';

/**
 * PostgreSQL migrations for one schema. `s` is the quoted schema name; every
 * object is qualified with it so nothing depends on the connection's search_path.
 * Ids use the "C" collation: byte order, like SQLite's, so cursors and "newest"
 * ties break the same way on both adapters whatever the database's locale.
 */
export function postgresMigrations(s: string): readonly Migration[] {
  return [
    {
      version: 1,
      name: 'rollouts, account results, latest pointer, lock',
      sql: `
CREATE TABLE ${s}.rollouts (
  id            text COLLATE "C" PRIMARY KEY,
  status        text NOT NULL,
  dry_run       boolean NOT NULL,
  trigger       text NOT NULL,
  requested_by  text,
  options       jsonb NOT NULL,
  parent_id     text COLLATE "C",
  baseline_hash text NOT NULL,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz,
  total         integer NOT NULL DEFAULT 0,
  compliant     integer NOT NULL DEFAULT 0,
  updated       integer NOT NULL DEFAULT 0,
  planned       integer NOT NULL DEFAULT 0,
  failed        integer NOT NULL DEFAULT 0,
  unreachable   integer NOT NULL DEFAULT 0,
  skipped       integer NOT NULL DEFAULT 0
);
CREATE INDEX rollouts_newest ON ${s}.rollouts (started_at DESC, id DESC);
CREATE INDEX rollouts_running ON ${s}.rollouts (status) WHERE status = 'running';

CREATE TABLE ${s}.account_results (
  rollout_id         text COLLATE "C" NOT NULL REFERENCES ${s}.rollouts (id) ON DELETE CASCADE,
  account_id         text COLLATE "C" NOT NULL,
  rollout_started_at timestamptz NOT NULL,
  account_name       text NOT NULL,
  status             text NOT NULL,
  reason             text,
  actions            jsonb NOT NULL,
  error_code         text,
  error_message      text,
  started_at         timestamptz NOT NULL,
  finished_at        timestamptz NOT NULL,
  duration_ms        integer NOT NULL,
  api_reads          integer NOT NULL,
  api_writes         integer NOT NULL,
  PRIMARY KEY (rollout_id, account_id)
);
CREATE INDEX account_results_by_status ON ${s}.account_results (rollout_id, status, account_id);
CREATE INDEX account_results_history ON ${s}.account_results (account_id, rollout_started_at DESC, rollout_id DESC);

CREATE TABLE ${s}.account_latest (
  account_id         text COLLATE "C" PRIMARY KEY,
  rollout_id         text COLLATE "C" NOT NULL,
  rollout_started_at timestamptz NOT NULL,
  FOREIGN KEY (rollout_id, account_id) REFERENCES ${s}.account_results (rollout_id, account_id) ON DELETE CASCADE
);
CREATE INDEX account_latest_by_result ON ${s}.account_latest (rollout_id, account_id);

CREATE TABLE ${s}.rollout_lock (
  name        text PRIMARY KEY CHECK (name = 'rollout'),
  rollout_id  text COLLATE "C" NOT NULL,
  owner       text NOT NULL,
  acquired_at timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
`,
    },
  ];
}
