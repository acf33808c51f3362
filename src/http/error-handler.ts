import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError, type ErrorCode } from '../core/errors.js';
import { publicError } from './error-status.js';

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
  schemaPath?: string;
}

interface ErrorAnswer {
  status: number;
  code: ErrorCode;
  message: string;
  heldBy?: string;
}

/** `body/accounts/0 must match pattern "^\d{12}$"`: which field broke which rule. */
export function describeValidation(context: string, issues: readonly ValidationIssue[]): string {
  // TypeBox reports each unknown property twice (once as `additionalProperties: false`, once
  // as a failed boolean schema); keep the summary. Likewise an anyOf reports every branch.
  const anyOfPaths = new Set(issues.filter((i) => i.keyword === 'anyOf').map((i) => i.instancePath ?? ''));
  const useful = issues.filter((i) => {
    if (i.keyword === 'boolean') return false;
    if (i.keyword !== 'anyOf' && anyOfPaths.has(i.instancePath ?? '')) return false;
    return true;
  });
  const parts = (useful.length > 0 ? useful : issues).slice(0, 3).map((i) => {
    const field = `${context}${i.instancePath ?? ''}`;
    if (i.keyword === 'additionalProperties') {
      const names = i.params?.additionalProperties ?? i.params?.additionalProperty;
      const list = (Array.isArray(names) ? names : [names]).filter((n) => n !== undefined).map(String);
      return `${field} has unknown field${list.length === 1 ? '' : 's'} ${list.map((n) => JSON.stringify(n)).join(', ')}`;
    }
    if (i.keyword === 'anyOf') {
      const branches = issues.filter((b) => b.keyword !== 'anyOf' && b.keyword !== 'boolean' && (b.instancePath ?? '') === (i.instancePath ?? ''));
      const expected = [...new Set(branches.map((b) => b.message).filter(Boolean))];
      return expected.length > 0 ? `${field} ${expected.join(', or ')}` : `${field} has the wrong type or format`;
    }
    if (i.keyword === 'required') {
      const name = i.params?.requiredProperties ?? i.params?.missingProperty;
      return `${field} is missing required field ${JSON.stringify(Array.isArray(name) ? name.join(', ') : name)}`;
    }
    return `${field} ${i.message ?? 'is invalid'}`;
  });
  return parts.join('; ');
}

function fromFastifyClientError(err: FastifyError, req: FastifyRequest): ErrorAnswer {
  const status = err.statusCode as number;
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status, code: 'REQUEST.INVALID', message: `unsupported content type ${JSON.stringify(req.headers['content-type'] ?? '')}: send application/json` };
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limit = req.routeOptions.bodyLimit;
      return { status, code: 'REQUEST.INVALID', message: limit ? `body is larger than the ${limit} bytes allowed` : 'body is too large' };
    }
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status, code: 'REQUEST.INVALID', message: 'body is not valid JSON' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status, code: 'REQUEST.INVALID', message: 'body is empty but the content type is application/json: send a JSON object or no content type' };
    default:
      break;
  }
  if (err instanceof SyntaxError) return { status: 400, code: 'REQUEST.INVALID', message: 'body is not valid JSON' };
  if (status === 404) return { status, code: 'REQUEST.NOT_FOUND', message: err.message };
  if (status === 429) return { status, code: 'REQUEST.RATE_LIMITED', message: err.message };
  return { status, code: 'REQUEST.INVALID', message: err.message };
}

function classify(err: FastifyError, req: FastifyRequest): ErrorAnswer {
  if (isDomainError(err)) {
    const answer: ErrorAnswer = publicError(err.code, err.message);
    const heldBy = err.details?.heldBy;
    if (err.code === 'ROLLOUT.LOCKED' && typeof heldBy === 'string') {
      answer.heldBy = heldBy;
      if (!answer.message.includes(heldBy)) answer.message = `${answer.message} (held by rollout ${heldBy})`;
    }
    return answer;
  }
  if (err.validation) {
    return { status: 400, code: 'REQUEST.INVALID', message: describeValidation(err.validationContext ?? 'request', err.validation) };
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return fromFastifyClientError(err, req);
  return publicError('INTERNAL', '');
}

function send(reply: FastifyReply, answer: ErrorAnswer): FastifyReply {
  if (answer.code === 'AUTH.MISSING_TOKEN') reply.header('www-authenticate', 'Bearer realm="org-iam-rollout"');
  if (answer.code === 'AUTH.INVALID_TOKEN') reply.header('www-authenticate', 'Bearer realm="org-iam-rollout", error="invalid_token"');
  const error: { code: string; message: string; heldBy?: string } = { code: answer.code, message: answer.message };
  if (answer.heldBy !== undefined) error.heldBy = answer.heldBy;
  return reply.code(answer.status).type('application/json; charset=utf-8').send({ error });
}

/**
 * Fastify's router errors (a malformed URL escape, an over-long path parameter) never reach the
 * error handler: this answers them in the contract's shape too (the `frameworkErrors` option).
 */
export function frameworkErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const message = err.code === 'FST_ERR_BAD_URL' ? 'the URL is malformed (bad percent-encoding)' : err.message;
  req.log.info({ code: err.code }, 'request rejected by the router');
  send(reply, { status, code: 'REQUEST.INVALID', message });
}

/** Deeper JSON than any valid body needs; deeper input could exhaust the stack of recursive validators. */
export const MAX_BODY_DEPTH = 32;

/** The nesting depth of JSON text, without parsing it (strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** One error handler for the whole app; the body is always `{"error":{"code","message"}}`. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const answer = classify(err, req);
    if (answer.status >= 500) req.log.error({ err, code: answer.code }, 'request failed');
    else req.log.info({ code: answer.code, reason: answer.message }, 'request rejected');
    return send(reply, answer);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    return send(reply, { status: 404, code: 'REQUEST.NOT_FOUND', message: `no route ${req.method} ${path}` });
  });
}
