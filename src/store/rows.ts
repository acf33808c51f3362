/**
 * Row <-> record mapping shared by the SQLite and PostgreSQL adapters. Both
 * dialects store the same columns; only the value types differ (0/1 vs boolean,
 * TEXT vs timestamptz, TEXT vs jsonb), which the `read*` helpers absorb.
 */
import { DomainError } from '../core/errors.js';
import type { AccountResult, RolloutOptions, RolloutRecord, RolloutStatus, RolloutSummary, RolloutTrigger, ReportAction } from '../core/model.js';
import type { StoredAccountResult } from '../core/ports.js';

export interface RolloutRow {
  id: string;
  status: string;
  dry_run: number | boolean;
  trigger: string;
  requested_by: string | null;
  options: string | object;
  parent_id: string | null;
  baseline_hash: string;
  started_at: string | Date;
  finished_at: string | Date | null;
  total: number;
  compliant: number;
  updated: number;
  planned: number;
  failed: number;
  unreachable: number;
  skipped: number;
}

export interface AccountResultRow {
  rollout_id: string;
  account_id: string;
  account_name: string;
  status: string;
  reason: string | null;
  actions: string | object;
  error_code: string | null;
  error_message: string | null;
  started_at: string | Date;
  finished_at: string | Date;
  duration_ms: number;
  api_reads: number;
  api_writes: number;
  /** Present when joined with the rollout (latest results, history). */
  dry_run?: number | boolean;
}

/**
 * Timestamps are kept as instants and read back in `Date#toISOString` form, so
 * both adapters return the same text and canonical strings sort chronologically
 * (SQLite orders by the TEXT column).
 */
export function canonicalTime(value: string, field: string): string {
  const ms = Date.parse(value);
  if (typeof value !== 'string' || Number.isNaN(ms)) {
    throw new DomainError('STORE.WRITE_FAILED', `${field} must be an ISO-8601 timestamp, got ${JSON.stringify(value)}`, { field });
  }
  return new Date(ms).toISOString();
}

function readTime(value: string | Date): string {
  return value instanceof Date ? value.toISOString() : value;
}

function readJson<T>(value: string | object): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function summaryOf(row: RolloutRow): RolloutSummary {
  return {
    total: Number(row.total),
    compliant: Number(row.compliant),
    updated: Number(row.updated),
    planned: Number(row.planned),
    failed: Number(row.failed),
    unreachable: Number(row.unreachable),
    skipped: Number(row.skipped),
  };
}

export function rolloutFromRow(row: RolloutRow): RolloutRecord {
  const record: RolloutRecord = {
    id: row.id,
    status: row.status as RolloutStatus,
    dryRun: Boolean(row.dry_run),
    trigger: row.trigger as RolloutTrigger,
    options: readJson<RolloutOptions>(row.options),
    startedAt: readTime(row.started_at),
    finishedAt: row.finished_at === null ? null : readTime(row.finished_at),
    baselineHash: row.baseline_hash,
    summary: summaryOf(row),
  };
  if (row.requested_by !== null) record.requestedBy = row.requested_by;
  if (row.parent_id !== null) record.parentId = row.parent_id;
  return record;
}

export function accountResultFromRow(row: AccountResultRow): AccountResult {
  const result: AccountResult = {
    accountId: row.account_id,
    accountName: row.account_name,
    status: row.status as AccountResult['status'],
    actions: readJson<ReportAction[]>(row.actions),
    startedAt: readTime(row.started_at),
    finishedAt: readTime(row.finished_at),
    durationMs: Number(row.duration_ms),
    apiCalls: { reads: Number(row.api_reads), writes: Number(row.api_writes) },
  };
  if (row.reason !== null) result.reason = row.reason;
  if (row.error_code !== null) result.error = { code: row.error_code, message: row.error_message ?? '' };
  return result;
}

export function storedResultFromRow(row: AccountResultRow): StoredAccountResult {
  return { ...accountResultFromRow(row), rolloutId: row.rollout_id, dryRun: Boolean(row.dry_run) };
}

/** The column values of a rollout, in the order of ROLLOUT_COLUMNS. */
export const ROLLOUT_COLUMNS = [
  'id',
  'status',
  'dry_run',
  'trigger',
  'requested_by',
  'options',
  'parent_id',
  'baseline_hash',
  'started_at',
  'finished_at',
  'total',
  'compliant',
  'updated',
  'planned',
  'failed',
  'unreachable',
  'skipped',
] as const;

export function rolloutValues(record: RolloutRecord, dryRun: (b: boolean) => unknown): unknown[] {
  const s = record.summary;
  return [
    record.id,
    record.status,
    dryRun(record.dryRun),
    record.trigger,
    record.requestedBy ?? null,
    JSON.stringify(record.options),
    record.parentId ?? null,
    record.baselineHash,
    canonicalTime(record.startedAt, 'startedAt'),
    record.finishedAt === null || record.finishedAt === undefined ? null : canonicalTime(record.finishedAt, 'finishedAt'),
    s.total,
    s.compliant,
    s.updated,
    s.planned,
    s.failed,
    s.unreachable,
    s.skipped,
  ];
}

/** Account result columns written by recordAccountResult (rollout_id and rollout_started_at are added by the adapter). */
export const RESULT_COLUMNS = [
  'account_id',
  'account_name',
  'status',
  'reason',
  'actions',
  'error_code',
  'error_message',
  'started_at',
  'finished_at',
  'duration_ms',
  'api_reads',
  'api_writes',
] as const;

export function resultValues(result: AccountResult): unknown[] {
  return [
    result.accountId,
    result.accountName,
    result.status,
    result.reason ?? null,
    JSON.stringify(result.actions ?? []),
    result.error?.code ?? null,
    result.error ? result.error.message : null,
    canonicalTime(result.startedAt, 'startedAt'),
    canonicalTime(result.finishedAt, 'finishedAt'),
    Math.round(result.durationMs),
    result.apiCalls.reads,
    result.apiCalls.writes,
  ];
}

export function checkLimit(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
}


/** Summary counts from per-status result counts (a running rollout's progress). */
export function liveSummary(rows: readonly { status: string; n: number }[]): RolloutSummary {
  const summary: RolloutSummary = { total: 0, compliant: 0, updated: 0, planned: 0, failed: 0, unreachable: 0, skipped: 0 };
  for (const { status, n } of rows) {
    if (status in summary && status !== 'total') {
      summary[status as Exclude<keyof RolloutSummary, 'total'>] += n;
      summary.total += n;
    }
  }
  return summary;
}
