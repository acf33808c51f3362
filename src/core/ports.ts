/**
 * Ports: what the core needs from the outside world. Adapters in src/aws,
 * src/store and src/simulator implement them; the core never imports those.
 */
import type {
  AccountResult,
  AccountStatus,
  Change,
  ObservedState,
  OrgAccount,
  RolloutRecord,
  RolloutStatus,
  RolloutSummary,
} from './model.js';

/** A structured logger (pino's shape, narrowed). */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface Clock {
  now(): Date;
}

/** Counts of AWS calls made for one account; adapters increment it. */
export interface CallCounter {
  reads: number;
  writes: number;
}

/** The caller's identity, from sts:GetCallerIdentity. */
export interface CallerIdentity {
  accountId: string;
  arn: string;
  /** aws | aws-cn | aws-us-gov, taken from the ARN. */
  partition: string;
}

/** The AWS Organization, as seen from the management (or delegated administrator) account. */
export interface OrganizationDirectory {
  whoAmI(): Promise<CallerIdentity>;
  managementAccountId(): Promise<string>;
  /** Every account, streamed page by page as ListAccounts returns them. */
  listAccounts(signal?: AbortSignal): AsyncIterable<OrgAccount>;
  /** Ids of the accounts under an OU or root, nested OUs included. */
  listAccountIdsUnder(parentId: string, signal?: AbortSignal): Promise<Set<string>>;
  listAccountTags(accountId: string, signal?: AbortSignal): Promise<Record<string, string>>;
  /** One account, or null when it is not in the organization (cheaper than listing for a few ids). */
  describeAccount(accountId: string, signal?: AbortSignal): Promise<OrgAccount | null>;
}

/** What the baseline declares, so observe() can ask for just that. */
export interface ObserveScope {
  policyNames: string[];
  groupNames: string[];
  roleNames: string[];
}

/** IAM of one account, reached with that account's credentials. */
export interface AccountIam {
  observe(scope: ObserveScope, signal?: AbortSignal): Promise<ObservedState>;
  /** Applies one change. Throws DomainError (code AWS.CALL_FAILED with the AWS code) on failure. */
  apply(change: Change, signal?: AbortSignal): Promise<void>;
}

export interface OpenAccountOptions {
  rolloutId: string;
  /** Incremented for every AWS call made for this account, AssumeRole included. */
  calls: CallCounter;
  signal?: AbortSignal;
  /** Use the caller's own credentials instead of assuming a role (the management account). */
  useCallerCredentials?: boolean;
}

/** Reaches an account: assumes the member role and hands out its IAM. */
export interface AccountAccess {
  /**
   * Resolves the account's credentials (AssumeRole) and returns its IAM.
   * Throws DomainError ROLLOUT.ASSUME_ROLE_FAILED when the role cannot be assumed.
   */
  open(accountId: string, options: OpenAccountOptions): Promise<AccountIam>;
}

export type LockResult = { acquired: true } | { acquired: false; heldBy: string };

export interface ListRolloutsQuery {
  limit: number;
  /** Cursor: return rollouts older than this one (its id, from a previous page). */
  before?: string;
}

export interface RolloutPage {
  items: RolloutRecord[];
  /** Pass as `before` to get the next page; absent on the last page. */
  nextCursor?: string;
}

export interface LatestResultsQuery {
  limit?: number;
  /** Account id: return accounts after this one. */
  after?: string;
  status?: AccountStatus;
}

export interface StoredAccountResult extends AccountResult {
  rolloutId: string;
  dryRun: boolean;
}

/**
 * Durable record of rollouts and per-account results (SQLite or PostgreSQL).
 * Every method throws DomainError STORE.* on failure.
 */
export interface RolloutStore {
  /** Applies pending migrations; safe when several processes start at once. */
  migrate(): Promise<void>;
  /** Cheap liveness check for /readyz. */
  ping(): Promise<void>;

  /** One rollout at a time per store, across processes and hosts. The lease expires after ttlMs unless renewed. */
  tryLock(rolloutId: string, owner: string, ttlMs: number): Promise<LockResult>;
  renewLock(rolloutId: string, ttlMs: number): Promise<void>;
  releaseLock(rolloutId: string): Promise<void>;
  /** Marks rollouts left `running` whose lease has expired as `interrupted`; returns their ids. */
  recoverInterrupted(): Promise<string[]>;

  createRollout(record: RolloutRecord): Promise<void>;
  /** Written as each account finishes. One row per (rollout, account): a second write replaces the first. */
  recordAccountResult(rolloutId: string, result: AccountResult): Promise<void>;
  finishRollout(rolloutId: string, status: RolloutStatus, summary: RolloutSummary, finishedAt: string): Promise<void>;

  getRollout(id: string): Promise<RolloutRecord | null>;
  /** The most recent rollout, or null. */
  latestRollout(): Promise<RolloutRecord | null>;
  listRollouts(query: ListRolloutsQuery): Promise<RolloutPage>;
  listAccountResults(rolloutId: string, filter?: { status?: AccountStatus }): Promise<AccountResult[]>;
  /**
   * The latest result of every account (any rollout; `dryRun` tells which kind), ordered by
   * account id. With a query: at most `limit` of them, after account id `after` (keyset pages),
   * optionally only those with `status`.
   */
  latestAccountResults(query?: LatestResultsQuery): Promise<StoredAccountResult[]>;
  /** One account's results, newest first. */
  accountHistory(accountId: string, limit: number): Promise<StoredAccountResult[]>;

  /** Keeps the newest `keep` rollouts and deletes older ones with their account results; returns how many went. */
  prune(keep: number): Promise<number>;
  close(): Promise<void>;
}

/** Counters the adapters and the orchestrator report to (prom-client in `serve`, no-op elsewhere). */
export interface Telemetry {
  awsCall(service: 'organizations' | 'sts' | 'iam', operation: string, outcome: 'ok' | 'error' | 'throttled'): void;
  accountStarted(): void;
  accountFinished(status: AccountStatus): void;
  rolloutFinished(status: RolloutStatus, durationMs: number): void;
}

export const noopTelemetry: Telemetry = {
  awsCall() {},
  accountStarted() {},
  accountFinished() {},
  rolloutFinished() {},
};

/** What a caller (CLI, HTTP, schedule) asks a rollout to do; unset fields take the configured defaults. */
export interface RolloutRequest {
  dryRun?: boolean;
  accounts?: string[];
  excludeAccounts?: string[];
  organizationalUnits?: string[];
  accountTags?: Record<string, string>;
  concurrency?: number;
  failureTolerance?: string;
}

export interface RolloutMeta {
  trigger: import('./model.js').RolloutTrigger;
  requestedBy?: string;
  /** Called as each account finishes (progress display). */
  onProgress?: (result: AccountResult, summary: RolloutSummary) => void;
}

export interface StartedRollout {
  record: RolloutRecord;
  /** Settles when the rollout has finished and its record is final. Never rejects for account failures. */
  done: Promise<import('./model.js').RolloutReport>;
}

/** The use cases every driver (CLI, HTTP, schedule) calls; one instance per process. */
export interface RolloutService {
  /** Takes the lock and starts in the background. Throws ROLLOUT.LOCKED (details.heldBy) when another runs. */
  start(request: RolloutRequest, meta: RolloutMeta): Promise<StartedRollout>;
  /** Cancels a rollout running in this process: no new account starts; the rest are skipped as cancelled. */
  cancel(id: string): Promise<void>;
  /** A new rollout over the failed and unreachable accounts of `id`. */
  retry(id: string, meta: RolloutMeta): Promise<StartedRollout>;
  /** A new rollout (trigger `resume`, parentId `id`) over the accounts of `id` that have no result yet. */
  resume(id: string, meta: RolloutMeta): Promise<StartedRollout>;
  /** A live dry-run of one account, not recorded. */
  drift(accountId: string): Promise<AccountResult>;
  /** Ids of the rollouts running in this process. */
  running(): string[];
  /** Stops starting accounts, waits up to deadlineMs for those in flight, marks unfinished rollouts interrupted. */
  shutdown(deadlineMs: number): Promise<void>;
}
