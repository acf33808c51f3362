import { ERROR_CODES, type ErrorCode } from '../core/errors.js';

/**
 * The only place error codes become HTTP statuses. A table keyed by ErrorCode, so a
 * new code in the catalogue does not compile until someone decides its status.
 * Codes that reach HTTP only as server faults (configuration, baseline, AWS) are 500
 * and are answered as INTERNAL; STORE.* is 503 so a load balancer retries elsewhere.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = Object.freeze({
  'CONFIG.INVALID': 500,
  'USAGE.INVALID': 400,
  'BASELINE.INVALID': 500,
  'BASELINE.NOT_FOUND': 500,
  'STORE.UNAVAILABLE': 503,
  'STORE.READ_ONLY': 503,
  'STORE.CORRUPT': 503,
  'STORE.WRITE_FAILED': 503,
  'ROLLOUT.LOCKED': 409,
  'ROLLOUT.NOT_FOUND': 404,
  'ROLLOUT.NOT_RUNNING': 409,
  'ROLLOUT.NOTHING_TO_RETRY': 409,
  'ROLLOUT.NOTHING_TO_RESUME': 409,
  'ROLLOUT.ASSUME_ROLE_FAILED': 500,
  'ROLLOUT.ACCOUNT_TIMEOUT': 500,
  'ROLLOUT.CANCELLED': 409,
  'ROLLOUT.DISCOVERY_FAILED': 500,
  'ACCOUNT.NOT_FOUND': 404,
  'AWS.CALL_FAILED': 500,
  'AUTH.MISSING_TOKEN': 401,
  'AUTH.INVALID_TOKEN': 401,
  'AUTH.READ_ONLY_TOKEN': 403,
  'REQUEST.INVALID': 400,
  'REQUEST.NOT_FOUND': 404,
  'REQUEST.RATE_LIMITED': 429,
  INTERNAL: 500,
});

export function httpStatusFor(code: ErrorCode): number {
  return HTTP_STATUS_BY_CODE[code] ?? 500;
}

/** What a client sees for an error: 4xx say what was wrong, 5xx reveal nothing but a stable code. */
export function publicError(code: ErrorCode, message: string): { status: number; code: ErrorCode; message: string } {
  const status = httpStatusFor(code);
  if (status < 500) return { status, code, message };
  if (code.startsWith('STORE.')) return { status, code, message: ERROR_CODES[code] };
  return { status: 500, code: 'INTERNAL', message: ERROR_CODES.INTERNAL };
}
