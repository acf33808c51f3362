/**
 * SDK exceptions translated at the adapter edge. Layers above see AwsCallError
 * (code AWS.CALL_FAILED) with the AWS error code; nothing matches on message text.
 */
import { AwsCallError, isDomainError } from '../core/errors.js';

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function shape(e: unknown): SdkErrorShape {
  return typeof e === 'object' && e !== null ? (e as SdkErrorShape) : {};
}

/**
 * The AWS error code of an SDK error: the query protocol's `Code` (IAM's `NoSuchEntity`,
 * whose class is `NoSuchEntityException`), else the JSON protocol's type (the error's `name`),
 * else a Node network code (`ECONNRESET`).
 */
export function awsErrorCode(e: unknown): string {
  const s = shape(e);
  if (typeof s.Code === 'string' && s.Code) return s.Code;
  // Node's system errors carry their code; their `name` is just "Error".
  if (typeof s.code === 'string' && /^E[A-Z_]+$/.test(s.code)) return s.code;
  if (typeof s.name === 'string' && s.name && s.name !== 'Error') {
    // JSON-protocol types may arrive namespaced: "com.amazonaws.organizations#TooManyRequestsException".
    const hash = s.name.lastIndexOf('#');
    return hash >= 0 ? s.name.slice(hash + 1) : s.name;
  }
  return 'Unknown';
}

export function httpStatusOf(e: unknown): number | undefined {
  const status = shape(e).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

export function isServerFault(e: unknown): boolean {
  return shape(e).$fault === 'server';
}

// Access key ids (AKIA…/ASIA…), and long base64 runs such as session tokens or secret keys
// that an error message may echo back (SignatureDoesNotMatch quotes the canonical request).
const ACCESS_KEY_RE = /\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g;
const LONG_TOKEN_RE = /[A-Za-z0-9+/=]{40,}/g;
const MAX_MESSAGE = 500;

/** Removes anything credential-like from a message and bounds its length. */
export function scrubMessage(message: string): string {
  const clean = message
    .replace(ACCESS_KEY_RE, '[redacted]')
    // Mixed case plus digits: secrets and tokens, not the lower-case ids and names around them.
    .replace(LONG_TOKEN_RE, (run) => (/[a-z]/.test(run) && /[A-Z]/.test(run) && /\d/.test(run) ? '[redacted]' : run));
  return clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE)}…` : clean;
}

/**
 * Translates any error thrown by an SDK call into an AwsCallError. DomainErrors (a credential
 * provider that failed to assume a role, an abort reason) pass through untouched.
 */
export function translateAwsError(e: unknown, operation: string, retryable = false): Error {
  if (isDomainError(e)) return e as Error;
  const code = awsErrorCode(e);
  const raw = typeof shape(e).message === 'string' ? (shape(e).message as string) : '';
  const message = scrubMessage(`${operation}: ${code}${raw ? `: ${raw}` : ''}`);
  return new AwsCallError(code, operation, message, retryable, { cause: e });
}
