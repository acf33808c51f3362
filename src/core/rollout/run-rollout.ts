/**
 * One rollout across the organization: discover → filter → for each account, with
 * bounded concurrency, open → observe → plan → apply → record.
 *
 * Accounts start only when a slot is free (`limit(() => work(account))`), discovery
 * streams ListAccounts pages into the limiter, and each result is handed to the sink as
 * soon as the account finishes, so a crash loses at most the accounts in flight.
 */
import pLimit from 'p-limit';
import { describeChange, observeScope, plan, renderBaseline } from '../baseline/index.js';
import { AwsCallError, DomainError, isDomainError } from '../errors.js';
import type { AccountResult, AccountStatus, Baseline, Change, OrgAccount, ReportAction, RolloutOptions, RolloutStatus, RolloutSummary } from '../model.js';
import type { AccountAccess, CallerIdentity, Clock, Logger, OrganizationDirectory, Telemetry } from '../ports.js';
import { addToSummary, emptySummary, finalStatus } from './report.js';
import { parseTolerance } from './tolerance.js';

export interface RolloutDeps {
  directory: OrganizationDirectory;
  access: AccountAccess;
  logger: Logger;
  clock: Clock;
  telemetry: Telemetry;
}

export interface RunRolloutParams {
  rolloutId: string;
  baseline: Baseline;
  options: RolloutOptions;
  accountTimeoutMs: number;
  /** Aborting stops new accounts from starting; the rest are skipped as cancelled. */
  cancelSignal?: AbortSignal;
  /** Aborting stops new accounts from starting and leaves them without a result, so `--resume` runs them later (shutdown). */
  interruptSignal?: AbortSignal;
  /** Aborting also interrupts accounts in flight (shutdown past its deadline). */
  hardSignal?: AbortSignal;
  /** Accounts to leave out entirely (resume: those that already have a result). */
  alreadyDone?: ReadonlySet<string>;
  /** Records one result durably; a rejection marks the store as failed and stops the rollout. */
  sink: (result: AccountResult) => Promise<void>;
  onProgress?: (result: AccountResult, summary: RolloutSummary) => void;
  /** Lets an adaptive controller change the number of accounts in flight (under options.concurrency). */
  onLimiter?: (limiter: { concurrency: number }) => void;
}

export interface RolloutOutcome {
  status: RolloutStatus;
  summary: RolloutSummary;
  results: AccountResult[];
  storeError?: DomainError;
}

/** Up to this many named accounts, DescribeAccount each rather than ListAccounts over the organization. */
const DESCRIBE_INSTEAD_OF_LIST = 40;

async function* describeEach(directory: OrganizationDirectory, ids: string[], signal?: AbortSignal): AsyncIterable<OrgAccount> {
  for (const id of ids) {
    const account = await directory.describeAccount(id, signal);
    if (account) yield account;
  }
}

const FAILURE_STATUSES: ReadonlySet<AccountStatus> = new Set(['failed', 'unreachable']);

/** Extracts a stable AWS or domain error code; never matches on message text. */
function errorOf(e: unknown): { code: string; message: string } {
  if (e instanceof AwsCallError) return { code: e.awsCode, message: e.message };
  if (isDomainError(e)) {
    const awsCode = typeof e.details?.awsCode === 'string' ? e.details.awsCode : undefined;
    return { code: awsCode ?? e.code, message: e.message };
  }
  const err = e as { name?: string; message?: string };
  return { code: err?.name === 'AbortError' ? 'ROLLOUT.CANCELLED' : 'INTERNAL', message: err?.message ?? String(e) };
}

export async function runRollout(deps: RolloutDeps, params: RunRolloutParams): Promise<RolloutOutcome> {
  const { directory, access, clock, telemetry } = deps;
  const { options, rolloutId } = params;
  const log = deps.logger.child({ rolloutId });
  const tolerance = parseTolerance(options.failureTolerance);
  const scope = observeScope(params.baseline);
  const results: AccountResult[] = [];
  const summary = emptySummary();
  let failures = 0;
  let targeted = 0;
  let aborted = false;
  let storeError: DomainError | undefined;
  const cancelled = () => params.cancelSignal?.aborted === true;
  const interrupted = () => params.interruptSignal?.aborted === true || params.hardSignal?.aborted === true;

  const record = async (result: AccountResult): Promise<void> => {
    results.push(result);
    addToSummary(summary, result.status);
    if (FAILURE_STATUSES.has(result.status)) {
      failures++;
      if (!aborted && tolerance.exceeded(failures, targeted)) {
        aborted = true;
        log.warn({ failures, targeted, tolerance: tolerance.text }, 'failure tolerance exceeded: no further account starts');
      }
    }
    telemetry.accountFinished(result.status);
    try {
      await params.sink(result);
    } catch (e) {
      if (!storeError) {
        storeError = isDomainError(e) ? e : new DomainError('STORE.WRITE_FAILED', `could not record the result of ${result.accountId}: ${(e as Error).message}`);
        log.error({ err: storeError.message, accountId: result.accountId }, 'result could not be recorded: stopping the rollout');
      }
    }
    params.onProgress?.(result, summary);
  };

  const skippedResult = (account: OrgAccount, reason: string): AccountResult => {
    const now = clock.now().toISOString();
    return {
      accountId: account.id,
      accountName: account.name,
      status: 'skipped',
      reason,
      actions: [],
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
      apiCalls: { reads: 0, writes: 0 },
    };
  };

  const identity: CallerIdentity = await directory.whoAmI();
  const managementId = await directory.managementAccountId();

  let includeIds: Set<string> | undefined;
  if (options.accounts?.length) includeIds = new Set(options.accounts);
  if (options.organizationalUnits?.length) {
    const underOus = new Set<string>();
    for (const ou of options.organizationalUnits) {
      for (const id of await directory.listAccountIdsUnder(ou, params.cancelSignal)) underOus.add(id);
    }
    includeIds = includeIds ? new Set([...includeIds].filter((id) => underOus.has(id))) : underOus;
  }
  const exclude = new Set(options.excludeAccounts ?? []);
  const tagFilter = options.accountTags && Object.keys(options.accountTags).length ? options.accountTags : undefined;

  const processAccount = async (account: OrgAccount, useCallerCredentials: boolean): Promise<AccountResult | null> => {
    if (interrupted()) return null;
    if (cancelled()) return skippedResult(account, 'cancelled');
    if (aborted) return skippedResult(account, `failure tolerance exceeded (${tolerance.text})`);
    if (storeError) return skippedResult(account, 'results could not be recorded');
    if (tagFilter) {
      const tags = await directory.listAccountTags(account.id, params.cancelSignal);
      const matches = Object.entries(tagFilter).every(([k, v]) => k in tags && (v === '*' || tags[k] === v));
      if (!matches) return skippedResult(account, `tags do not match ${Object.entries(tagFilter).map(([k, v]) => `${k}=${v}`).join(',')}`);
    }

    const alog = log.child({ accountId: account.id });
    const started = clock.now();
    const calls = { reads: 0, writes: 0 };
    const actions: ReportAction[] = [];
    const timeout = AbortSignal.timeout(params.accountTimeoutMs);
    const signal = params.hardSignal ? AbortSignal.any([timeout, params.hardSignal]) : timeout;
    telemetry.accountStarted();

    const finish = (status: AccountStatus, extra: Partial<AccountResult> = {}): AccountResult => {
      const end = clock.now();
      return {
        accountId: account.id,
        accountName: account.name,
        status,
        actions,
        startedAt: started.toISOString(),
        finishedAt: end.toISOString(),
        durationMs: Math.max(0, end.getTime() - started.getTime()),
        apiCalls: { ...calls },
        ...extra,
      };
    };

    let iam;
    try {
      iam = await withSignal(access.open(account.id, { rolloutId, calls, signal, useCallerCredentials }), signal);
    } catch (e) {
      // Interrupted mid-account (shutdown past its deadline): no result, so --resume runs it again.
      if (params.hardSignal?.aborted) return null;
      const error = timeout.aborted ? timeoutError(params.accountTimeoutMs) : errorOf(e);
      const unreachable = isDomainError(e) && e.code === 'ROLLOUT.ASSUME_ROLE_FAILED';
      alog.warn({ code: error.code }, unreachable ? 'role could not be assumed' : 'account could not be opened');
      return finish(unreachable ? 'unreachable' : 'failed', {
        reason: unreachable ? `cannot assume the role: ${error.message}` : error.message,
        error,
      });
    }

    let pending: Change | undefined;
    try {
      const observed = await withSignal(iam.observe(scope, signal), signal);
      const desired = renderBaseline(params.baseline, { accountId: account.id, partition: identity.partition });
      const changes = plan(desired, observed);
      if (changes.length === 0) {
        alog.debug({ calls }, 'compliant');
        return finish('compliant');
      }
      if (options.dryRun) {
        actions.push(...changes.map(describeChange));
        return finish('planned', { reason: `${changes.length} change(s) planned` });
      }
      for (const change of changes) {
        pending = change;
        await withSignal(iam.apply(change, signal), signal);
        actions.push(describeChange(change));
        pending = undefined;
      }
      alog.info({ changes: changes.length, calls }, 'updated');
      return finish('updated');
    } catch (e) {
      if (params.hardSignal?.aborted) return null;
      const error = timeout.aborted ? timeoutError(params.accountTimeoutMs) : errorOf(e);
      if (pending) {
        const failed = describeChange(pending);
        actions.push({ ...failed, detail: `FAILED (${error.code}): ${failed.detail ?? ''}`.trim() });
      }
      alog.warn({ code: error.code, applied: actions.length - (pending ? 1 : 0) }, 'account failed');
      return finish('failed', { reason: error.message, error });
    }
  };

  const limit = pLimit(options.concurrency);
  params.onLimiter?.(limit);
  const tasks: Promise<void>[] = [];
  const seen = new Set<string>();
  const schedule = (account: OrgAccount, useCallerCredentials: boolean) => {
    targeted++;
    tasks.push(
      limit(async () => {
        let result: AccountResult | null;
        try {
          result = await processAccount(account, useCallerCredentials);
        } catch (e) {
          // Only Organizations calls (tag look-ups) reach here; an account never takes the rollout down.
          const error = errorOf(e);
          result = { ...skippedResult(account, error.message), status: 'failed', error };
        }
        if (result) await record(result);
      }),
    );
  };

  // A few named accounts are described one by one instead of listing the whole organization.
  const describeOnly = options.accounts?.length && options.accounts.length <= DESCRIBE_INSTEAD_OF_LIST && !options.organizationalUnits?.length;
  const discover = describeOnly ? describeEach(directory, options.accounts as string[], params.cancelSignal) : directory.listAccounts(params.cancelSignal);
  try {
    for await (const account of discover) {
      if (interrupted()) break;
      seen.add(account.id);
      if (includeIds && !includeIds.has(account.id)) continue;
      if (params.alreadyDone?.has(account.id)) continue;
      if (exclude.has(account.id)) {
        await record(skippedResult(account, 'excluded'));
        continue;
      }
      if (account.state !== 'ACTIVE') {
        await record(skippedResult(account, `account is ${account.state}`));
        continue;
      }
      if (account.id === managementId && !options.includeManagementAccount) {
        await record(skippedResult(account, 'management account (enable ROLLOUT_INCLUDE_MANAGEMENT_ACCOUNT to converge it with the caller\'s credentials)'));
        continue;
      }
      schedule(account, account.id === managementId);
    }
  } catch (e) {
    // Discovery failed part-way: stop what has not started, keep what ran.
    limit.clearQueue();
    await Promise.allSettled(tasks);
    if (interrupted() || cancelled()) {
      return { status: interrupted() ? 'interrupted' : 'cancelled', summary, results, storeError };
    }
    throw isDomainError(e) ? e : new DomainError('ROLLOUT.DISCOVERY_FAILED', `listing the organization failed: ${errorOf(e).message}`, undefined, { cause: e });
  }

  if (options.accounts?.length && !interrupted()) {
    for (const id of options.accounts) {
      if (!seen.has(id) && !params.alreadyDone?.has(id)) {
        await record(skippedResult({ id, name: '', state: 'ACTIVE' }, 'not an account of this organization'));
      }
    }
  }

  await Promise.allSettled(tasks);
  if (interrupted()) return { status: 'interrupted', summary, results, storeError };
  const status = finalStatus({ cancelled: cancelled(), aborted, storeFailed: storeError !== undefined, summary });
  return { status, summary, results, storeError };
}

function timeoutError(ms: number): { code: string; message: string } {
  return { code: 'ROLLOUT.ACCOUNT_TIMEOUT', message: `the account did not finish within ${ms} ms` };
}

/** Rejects as soon as the signal aborts, even if the adapter ignores it. */
function withSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
