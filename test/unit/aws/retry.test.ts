import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DomainError, isDomainError } from '../../../src/core/errors.js';
import type { CallCounter, Telemetry } from '../../../src/core/ports.js';
import { backoffDelay, classifyError, operationKind, RetryPolicy, type AwsService } from '../../../src/aws/retry.js';

function sdkError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error('x'), fields);
}

describe('classifyError', () => {
  it.each(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded'])('%s is throttling', (code) => {
    expect(classifyError(sdkError({ name: code, Code: code }))).toBe('throttling');
  });

  it.each([
    'ServiceFailure',
    'ServiceFailureException',
    'ServiceUnavailable',
    'InternalFailure',
    'ServiceException',
    'ConcurrentModification',
    'ConcurrentModificationException',
    'EntityTemporarilyUnmodifiable',
    'EntityTemporarilyUnmodifiableException',
  ])('%s is transient', (code) => {
    expect(classifyError(sdkError({ name: code, Code: code }))).toBe('transient');
  });

  it('LimitExceeded is never retried, although the SDK counts it as throttling (AWS-FACTS.md, THROTTLING_ERROR_CODES)', () => {
    expect(classifyError(sdkError({ name: 'LimitExceededException', Code: 'LimitExceeded', $metadata: { httpStatusCode: 409 } }))).toBe('permanent');
    expect(classifyError(sdkError({ name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } }))).toBe('permanent');
  });

  it('HTTP 5xx and 429 are retried whatever the code', () => {
    expect(classifyError(sdkError({ name: 'Weird', $fault: 'server', $metadata: { httpStatusCode: 502 } }))).toBe('transient');
    expect(classifyError(sdkError({ name: 'Weird', $metadata: { httpStatusCode: 503 } }))).toBe('transient');
    expect(classifyError(sdkError({ name: 'Weird', $metadata: { httpStatusCode: 429 } }))).toBe('throttling');
  });

  it('network errors are transient (socket hang up is ECONNRESET)', () => {
    expect(classifyError(sdkError({ code: 'ECONNRESET', message: 'socket hang up' }))).toBe('transient');
    expect(classifyError(sdkError({ code: 'EPIPE' }))).toBe('transient');
    expect(classifyError(sdkError({ name: 'TimeoutError' }))).toBe('transient');
    expect(classifyError(sdkError({ name: 'TimeoutError', code: 'ETIMEDOUT' }))).toBe('transient');
  });

  it('client errors, aborts and domain errors are permanent', () => {
    for (const code of ['AccessDenied', 'NoSuchEntity', 'EntityAlreadyExists', 'MalformedPolicyDocument', 'DeleteConflict', 'ValidationError']) {
      expect(classifyError(sdkError({ name: code, Code: code, $metadata: { httpStatusCode: 400 } }))).toBe('permanent');
    }
    expect(classifyError(sdkError({ name: 'AbortError' }))).toBe('permanent');
    expect(classifyError(new DomainError('ROLLOUT.ASSUME_ROLE_FAILED', 'x'))).toBe('permanent');
  });
});

describe('backoffDelay (full jitter)', () => {
  it('stays within [0, min(cap, base·2^(n-1)))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 60_000 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (n, base, cap, r) => {
        const d = backoffDelay(n, base, cap, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(Math.max(1, Math.min(cap, base * 2 ** (n - 1))));
      }),
    );
  });

  it('grows exponentially until the cap', () => {
    const top = () => 0.999999;
    expect(backoffDelay(1, 100, 20_000, top)).toBe(99);
    expect(backoffDelay(3, 100, 20_000, top)).toBe(399);
    expect(backoffDelay(20, 100, 20_000, top)).toBe(19_999);
  });
});

describe('operationKind', () => {
  it('counts mutating IAM calls as writes and AssumeRole as a read', () => {
    for (const op of ['CreatePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'AttachGroupPolicy', 'DetachRolePolicy', 'PutGroupPolicy', 'UpdateRole', 'UpdateAssumeRolePolicy', 'TagRole']) {
      expect(operationKind(op)).toBe('write');
    }
    for (const op of ['AssumeRole', 'GetAccountAuthorizationDetails', 'GetRole', 'ListAccounts', 'GetCallerIdentity', 'DescribeOrganization']) {
      expect(operationKind(op)).toBe('read');
    }
  });
});

function recorder() {
  const calls: [AwsService, string, string][] = [];
  const telemetry: Telemetry = {
    awsCall: (s, o, outcome) => void calls.push([s, o, outcome]),
    accountStarted() {},
    accountFinished() {},
    rolloutFinished() {},
  };
  return { calls, telemetry };
}

const fast = { baseDelayMs: 1, throttleBaseDelayMs: 1, maxDelayMs: 2 };

describe('RetryPolicy.run', () => {
  it('retries throttling then succeeds, counting each attempt and calling the hooks', async () => {
    const { calls, telemetry } = recorder();
    const throttled: AwsService[] = [];
    const succeeded: AwsService[] = [];
    const policy = new RetryPolicy({ maxAttempts: 5, tuning: fast, telemetry, onThrottle: (s) => throttled.push(s), onSuccess: (s) => succeeded.push(s) });
    const counter: CallCounter = { reads: 0, writes: 0 };
    let n = 0;
    const result = await policy.run({ service: 'iam', operation: 'GetRole', kind: 'read', calls: counter }, async () => {
      n++;
      if (n < 3) throw sdkError({ name: 'Throttling', Code: 'Throttling', $metadata: { httpStatusCode: 400 } });
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(counter).toEqual({ reads: 3, writes: 0 });
    expect(throttled).toEqual(['iam', 'iam']);
    expect(succeeded).toEqual(['iam']);
    expect(calls).toEqual([
      ['iam', 'GetRole', 'throttled'],
      ['iam', 'GetRole', 'throttled'],
      ['iam', 'GetRole', 'ok'],
    ]);
  });

  it('does not retry LimitExceeded', async () => {
    const policy = new RetryPolicy({ maxAttempts: 8, tuning: fast });
    const counter: CallCounter = { reads: 0, writes: 0 };
    let n = 0;
    const err = await policy
      .run({ service: 'iam', operation: 'CreatePolicyVersion', kind: 'write', calls: counter }, async () => {
        n++;
        throw sdkError({ name: 'LimitExceededException', Code: 'LimitExceeded', $metadata: { httpStatusCode: 409 } });
      })
      .catch((e: unknown) => e);
    expect(n).toBe(1);
    expect(counter).toEqual({ reads: 0, writes: 1 });
    expect(isDomainError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'AWS.CALL_FAILED', awsCode: 'LimitExceeded', operation: 'CreatePolicyVersion', retryable: false });
  });

  it('gives up after maxAttempts with a retryable AwsCallError', async () => {
    const policy = new RetryPolicy({ maxAttempts: 3, tuning: fast });
    let n = 0;
    const err = await policy
      .run({ service: 'sts', operation: 'AssumeRole', kind: 'read' }, async () => {
        n++;
        throw sdkError({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
      })
      .catch((e: unknown) => e);
    expect(n).toBe(3);
    expect(err).toMatchObject({ code: 'AWS.CALL_FAILED', awsCode: 'ServiceUnavailable', retryable: true });
  });

  it('stops waiting when the signal aborts and throws its reason', async () => {
    const policy = new RetryPolicy({ maxAttempts: 10, tuning: { baseDelayMs: 60_000, throttleBaseDelayMs: 60_000, maxDelayMs: 60_000 }, random: () => 0.99 });
    const controller = new AbortController();
    const reason = new DomainError('ROLLOUT.ACCOUNT_TIMEOUT', 'too slow');
    let n = 0;
    const pending = policy.run({ service: 'iam', operation: 'GetRole', kind: 'read', signal: controller.signal }, async () => {
      n++;
      queueMicrotask(() => controller.abort(reason));
      throw sdkError({ name: 'Throttling', Code: 'Throttling' });
    });
    await expect(pending).rejects.toBe(reason);
    expect(n).toBe(1);
  });

  it('does not start when already aborted', async () => {
    const policy = new RetryPolicy({ maxAttempts: 3 });
    const controller = new AbortController();
    controller.abort();
    let n = 0;
    const err = await policy
      .run({ service: 'iam', operation: 'GetRole', kind: 'read', signal: controller.signal }, async () => {
        n++;
      })
      .catch((e: unknown) => e);
    expect(n).toBe(0);
    expect(err).toMatchObject({ code: 'ROLLOUT.CANCELLED' });
  });

  it('rejects a nonsensical maxAttempts up front', () => {
    expect(() => new RetryPolicy({ maxAttempts: 0 })).toThrow(TypeError);
  });
});
