/**
 * The one error catalogue. Codes are stable strings; layers match on `code`,
 * never on message text or `instanceof` across layers. Only the HTTP layer
 * maps codes to status codes; the CLI maps them to exit codes.
 */

export const ERROR_CODES = {
  'CONFIG.INVALID': 'A configuration value (environment, config file or option) is invalid.',
  'USAGE.INVALID': 'The command line is invalid: unknown option, missing or malformed argument.',
  'BASELINE.INVALID': 'The baseline file or one of its documents breaks a rule (the message names file, field and rule).',
  'BASELINE.NOT_FOUND': 'The baseline file or a document it refers to does not exist.',
  'STORE.UNAVAILABLE': 'The report store cannot be opened or reached.',
  'STORE.READ_ONLY': 'The report store cannot be written to.',
  'STORE.CORRUPT': 'The report store is not a valid database or has an unknown schema.',
  'STORE.WRITE_FAILED': 'A result could not be recorded; the rollout cannot report success.',
  'ROLLOUT.LOCKED': 'Another rollout holds the lock.',
  'ROLLOUT.NOT_FOUND': 'No rollout with that id.',
  'ROLLOUT.NOT_RUNNING': 'The rollout is not running in this process, so it cannot be cancelled here.',
  'ROLLOUT.NOTHING_TO_RETRY': 'The rollout has no failed or unreachable accounts.',
  'ROLLOUT.NOTHING_TO_RESUME': 'Every account of the rollout already has a result.',
  'ROLLOUT.ASSUME_ROLE_FAILED': 'The role could not be assumed in the account (the account is unreachable).',
  'ROLLOUT.ACCOUNT_TIMEOUT': 'The account did not finish within the per-account timeout.',
  'ROLLOUT.CANCELLED': 'The rollout was cancelled.',
  'ROLLOUT.DISCOVERY_FAILED': 'The organization could not be listed.',
  'ACCOUNT.NOT_FOUND': 'No account with that id in the organization or the store.',
  'AWS.CALL_FAILED': 'An AWS API call failed; `awsCode` carries the AWS error code.',
  'AUTH.MISSING_TOKEN': 'The request carries no bearer token.',
  'AUTH.INVALID_TOKEN': 'The bearer token is not valid.',
  'AUTH.READ_ONLY_TOKEN': 'The token may only read.',
  'REQUEST.INVALID': 'The request body, parameters or query string are invalid.',
  'REQUEST.NOT_FOUND': 'No such route.',
  'REQUEST.RATE_LIMITED': 'Too many write requests; retry later.',
  'INTERNAL': 'An unexpected error; details are in the service log.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

/** An AWS call that failed, translated at the adapter edge. */
export class AwsCallError extends DomainError {
  /** The AWS error code, e.g. `AccessDenied`, `LimitExceeded`, `Throttling`. */
  readonly awsCode: string;
  readonly operation: string;
  readonly retryable: boolean;

  constructor(awsCode: string, operation: string, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super('AWS.CALL_FAILED', message, { awsCode, operation }, options);
    this.name = 'AwsCallError';
    this.awsCode = awsCode;
    this.operation = operation;
    this.retryable = retryable;
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code in ERROR_CODES;
}

/** Exit codes of the CLI (shared/CONTRACT.md). */
export function exitCodeFor(code: ErrorCode): number {
  if (code === 'ROLLOUT.LOCKED') return 3;
  if (code.startsWith('CONFIG.') || code.startsWith('USAGE.') || code.startsWith('BASELINE.') || code.startsWith('STORE.')) return 2;
  if (code === 'ROLLOUT.NOT_FOUND' || code === 'ACCOUNT.NOT_FOUND' || code === 'ROLLOUT.NOTHING_TO_RETRY' || code === 'ROLLOUT.NOTHING_TO_RESUME') return 2;
  return 1;
}
