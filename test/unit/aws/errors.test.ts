import { describe, expect, it } from 'vitest';
import { IAMServiceException } from '@aws-sdk/client-iam';
import { isDomainError, DomainError } from '../../../src/core/errors.js';
import { awsErrorCode, scrubMessage, translateAwsError } from '../../../src/aws/errors.js';

function sdkError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? 'boom')), fields);
}

describe('awsErrorCode', () => {
  it('prefers the query protocol Code over the exception class name (IAM NoSuchEntity → NoSuchEntityException)', () => {
    expect(awsErrorCode(sdkError({ name: 'NoSuchEntityException', Code: 'NoSuchEntity' }))).toBe('NoSuchEntity');
    expect(awsErrorCode(sdkError({ name: 'LimitExceededException', Code: 'LimitExceeded' }))).toBe('LimitExceeded');
  });

  it('uses the JSON protocol type carried in name', () => {
    expect(awsErrorCode(sdkError({ name: 'TooManyRequestsException' }))).toBe('TooManyRequestsException');
    expect(awsErrorCode(sdkError({ name: 'com.amazonaws.organizations#AccessDeniedException' }))).toBe('AccessDeniedException');
  });

  it('uses the Node system error code for network failures', () => {
    expect(awsErrorCode(sdkError({ code: 'ECONNRESET', message: 'socket hang up' }))).toBe('ECONNRESET');
    expect(awsErrorCode(sdkError({ name: 'TimeoutError', code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
  });

  it('does not read the message', () => {
    expect(awsErrorCode(new Error('Throttling: Rate exceeded'))).toBe('Unknown');
    expect(awsErrorCode('just a string')).toBe('Unknown');
  });

  it('reads real SDK exception instances', () => {
    const e = new IAMServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    expect(awsErrorCode(e)).toBe('Throttling');
  });
});

describe('translateAwsError', () => {
  it('yields AWS.CALL_FAILED with awsCode, operation and retryable', () => {
    const cause = sdkError({ name: 'AccessDenied', Code: 'AccessDenied', message: 'not authorized' });
    const e = translateAwsError(cause, 'CreateRole', false);
    expect(isDomainError(e)).toBe(true);
    const d = e as DomainError & { awsCode: string; operation: string; retryable: boolean };
    expect(d.code).toBe('AWS.CALL_FAILED');
    expect(d.awsCode).toBe('AccessDenied');
    expect(d.operation).toBe('CreateRole');
    expect(d.retryable).toBe(false);
    expect(d.details).toEqual({ awsCode: 'AccessDenied', operation: 'CreateRole' });
    expect(d.message).toBe('CreateRole: AccessDenied: not authorized');
    expect(d.cause).toBe(cause);
  });

  it('passes DomainErrors through untouched', () => {
    const original = new DomainError('ROLLOUT.ASSUME_ROLE_FAILED', 'cannot assume');
    expect(translateAwsError(original, 'GetRole')).toBe(original);
  });

  it('never carries credentials in the message', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const token = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexampleTOKEN1234567890abcdef';
    const cause = sdkError({ Code: 'SignatureDoesNotMatch', message: `x-amz-security-token:${token}\nCredential=ASIAEXAMPLEKEY123456/20240101 secret=${secret}` });
    const e = translateAwsError(cause, 'GetRole');
    expect(e.message).not.toContain('ASIAEXAMPLEKEY123456');
    expect(e.message).not.toContain(secret);
    expect(e.message).not.toContain(token);
    expect(e.message).toContain('SignatureDoesNotMatch');
  });
});

describe('scrubMessage', () => {
  it('keeps ARNs, names and lower-case ids readable', () => {
    const m = 'User: arn:aws:sts::123456789012:assumed-role/OrganizationAccountAccessRole/org-iam-rollout-0f8b2c1e-7d4a-4c55-9e0b-3b1f7f6a2d11 is not authorized';
    expect(scrubMessage(m)).toBe(m);
  });

  it('bounds the length', () => {
    expect(scrubMessage('x '.repeat(1000)).length).toBeLessThanOrEqual(501);
  });
});
