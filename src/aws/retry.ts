/**
 * The one retry policy for every AWS call. The SDK clients run with maxAttempts 1 and this
 * loop owns retries, because the SDK's retry layer counts LimitExceededException as a
 * throttling error (its THROTTLING_ERROR_CODES): IAM's 5-version limit would be retried with
 * throttling back-off. Owning the loop also lets each attempt be counted, reported to
 * telemetry and to the adaptive concurrency controller.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallCounter, Logger, Telemetry } from '../core/ports.js';
import { DomainError, isDomainError } from '../core/errors.js';
import { awsErrorCode, httpStatusOf, isServerFault, translateAwsError } from './errors.js';

export type AwsService = 'organizations' | 'sts' | 'iam';

/** How an error is retried: throttling and transient errors are; permanent ones never are. */
export type RetryClass = 'throttling' | 'transient' | 'permanent';

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

const TRANSIENT_CODES = new Set([
  'ServiceFailure',
  'ServiceFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'ServiceException',
  'ConcurrentModification',
  'ConcurrentModificationException',
  'EntityTemporarilyUnmodifiable',
  'EntityTemporarilyUnmodifiableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
]);

/** Quota errors are final: the SDK would treat them as throttling, this policy never retries them. */
const NEVER_RETRY_CODES = new Set(['LimitExceeded', 'LimitExceededException']);

export function classifyError(e: unknown): RetryClass {
  if (isDomainError(e)) return 'permanent';
  if (isAbortError(e)) return 'permanent';
  const code = awsErrorCode(e);
  if (NEVER_RETRY_CODES.has(code)) return 'permanent';
  if (THROTTLING_CODES.has(code)) return 'throttling';
  const status = httpStatusOf(e);
  if (status === 429) return 'throttling';
  if (TRANSIENT_CODES.has(code)) return 'transient';
  if ((status !== undefined && status >= 500) || isServerFault(e)) return 'transient';
  return 'permanent';
}

function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

/** What an aborted call throws: the signal's reason when it is an Error, else ROLLOUT.CANCELLED. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason;
  return new DomainError('ROLLOUT.CANCELLED', 'the AWS call was aborted');
}

export interface RetryTuning {
  /** Base of the exponential back-off for transient errors (ms). */
  baseDelayMs: number;
  /** Base for throttling errors, larger: the service asked us to slow down (ms). */
  throttleBaseDelayMs: number;
  /** Cap of one back-off (ms). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_TUNING: RetryTuning = { baseDelayMs: 100, throttleBaseDelayMs: 500, maxDelayMs: 20_000 };

/** Full jitter: uniform in [0, min(cap, base·2^(attempt-1))) — AWS Architecture Blog, "Exponential Backoff and Jitter". */
export function backoffDelay(attempt: number, base: number, cap: number, random: () => number = Math.random): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Observers of throttling and success, for the adaptive concurrency controller. */
export interface RetryHooks {
  onThrottle?(service: AwsService): void;
  onSuccess?(service: AwsService): void;
  /** Admission of each attempt: the adaptive controller's per-service gate (see compose.ts). */
  gate?<T>(service: AwsService, attempt: () => Promise<T>): Promise<T>;
}

export interface RetryPolicyOptions extends RetryHooks {
  maxAttempts: number;
  tuning?: Partial<RetryTuning>;
  telemetry?: Telemetry;
  logger?: Logger;
  random?: () => number;
}

/** One call as the policy sees it. */
export interface CallContext {
  service: AwsService;
  operation: string;
  /** `write` for calls that change something. */
  kind: 'read' | 'write';
  /** Counted per attempt here; SDK calls count at the transport instead (sdk-call.ts) and leave this unset. */
  calls?: CallCounter;
  signal?: AbortSignal;
}

// IAM's mutating verbs; every other operation used here (AssumeRole included) is a read.
const WRITE_RE = /^(Create|Delete|Put|Attach|Detach|Update|Tag|Untag|Set|Add|Remove|Upload|Enable|Disable)/;

export function operationKind(operation: string): 'read' | 'write' {
  return WRITE_RE.test(operation) ? 'write' : 'read';
}

export class RetryPolicy {
  readonly maxAttempts: number;
  private readonly tuning: RetryTuning;
  private readonly random: () => number;

  constructor(private readonly options: RetryPolicyOptions) {
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
      throw new TypeError(`maxAttempts must be a whole number ≥ 1, got ${options.maxAttempts}`);
    }
    this.maxAttempts = options.maxAttempts;
    this.tuning = { ...DEFAULT_RETRY_TUNING, ...options.tuning };
    this.random = options.random ?? Math.random;
  }

  /**
   * Runs `attempt` until it succeeds, fails permanently, runs out of attempts or the signal
   * aborts. Failures come out translated (AwsCallError) unless they already are DomainErrors.
   */
  async run<T>(ctx: CallContext, attempt: () => Promise<T>): Promise<T> {
    const { telemetry, logger } = this.options;
    for (let n = 1; ; n++) {
      if (ctx.signal?.aborted) throw abortReason(ctx.signal);
      if (ctx.calls) {
        if (ctx.kind === 'write') ctx.calls.writes++;
        else ctx.calls.reads++;
      }
      try {
        const result = await (this.options.gate ? this.options.gate(ctx.service, attempt) : attempt());
        telemetry?.awsCall(ctx.service, ctx.operation, 'ok');
        this.options.onSuccess?.(ctx.service);
        return result;
      } catch (e) {
        if (ctx.signal?.aborted) throw abortReason(ctx.signal);
        // A DomainError did not come from AWS (a credential refresh that failed): not an AWS call outcome.
        if (isDomainError(e)) throw e;
        const kind = classifyError(e);
        telemetry?.awsCall(ctx.service, ctx.operation, kind === 'throttling' ? 'throttled' : 'error');
        if (kind === 'throttling') this.options.onThrottle?.(ctx.service);
        const retryable = kind !== 'permanent';
        if (!retryable || n >= this.maxAttempts) throw translateAwsError(e, ctx.operation, retryable);
        const base = kind === 'throttling' ? this.tuning.throttleBaseDelayMs : this.tuning.baseDelayMs;
        const delayMs = backoffDelay(n, base, this.tuning.maxDelayMs, this.random);
        logger?.debug({ service: ctx.service, operation: ctx.operation, awsCode: awsErrorCode(e), attempt: n, delayMs }, 'retrying AWS call');
        await pause(delayMs, ctx.signal);
      }
    }
  }
}

/** Sleeps, or throws the abort reason as soon as the signal fires. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) {
    if (signal?.aborted) throw abortReason(signal);
    return;
  }
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal);
    throw e;
  }
}
