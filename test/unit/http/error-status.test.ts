import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../../src/core/errors.js';
import { HTTP_STATUS_BY_CODE, httpStatusFor, publicError } from '../../../src/http/error-status.js';

const codes = Object.keys(ERROR_CODES) as ErrorCode[];

describe('error code → HTTP status', () => {
  it('maps every code of the catalogue to a 4xx or 5xx status, and nothing else', () => {
    for (const code of codes) {
      expect(HTTP_STATUS_BY_CODE, code).toHaveProperty([code]);
      expect(httpStatusFor(code), code).toBeGreaterThanOrEqual(400);
      expect(httpStatusFor(code), code).toBeLessThan(600);
    }
    expect(Object.keys(HTTP_STATUS_BY_CODE).sort()).toEqual([...codes].sort());
  });

  it('follows the families the API documents', () => {
    for (const code of codes) {
      if (code.startsWith('REQUEST.INVALID') || code === 'USAGE.INVALID') expect(httpStatusFor(code), code).toBe(400);
      if (code.startsWith('STORE.')) expect(httpStatusFor(code), code).toBe(503);
      if (code.endsWith('.NOT_FOUND') && !code.startsWith('BASELINE.')) expect(httpStatusFor(code), code).toBe(404);
    }
    expect(httpStatusFor('AUTH.MISSING_TOKEN')).toBe(401);
    expect(httpStatusFor('AUTH.INVALID_TOKEN')).toBe(401);
    expect(httpStatusFor('AUTH.READ_ONLY_TOKEN')).toBe(403);
    expect(httpStatusFor('ROLLOUT.LOCKED')).toBe(409);
    expect(httpStatusFor('ROLLOUT.NOT_RUNNING')).toBe(409);
    expect(httpStatusFor('ROLLOUT.NOTHING_TO_RETRY')).toBe(409);
    expect(httpStatusFor('REQUEST.RATE_LIMITED')).toBe(429);
    expect(httpStatusFor('INTERNAL')).toBe(500);
  });

  it('keeps the message of a 4xx and hides it on every 5xx', () => {
    for (const code of codes) {
      const answer = publicError(code, 'secret detail from deep inside');
      if (answer.status < 500) {
        expect(answer).toEqual({ status: httpStatusFor(code), code, message: 'secret detail from deep inside' });
      } else {
        expect(answer.message, code).not.toContain('secret');
        expect(answer.code === 'INTERNAL' || answer.code.startsWith('STORE.'), code).toBe(true);
      }
    }
  });
});
