import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../core/errors.js';

export interface RateLimitRule {
  max: number;
  timeWindow: number;
}

/**
 * Per token and per route, on the write routes and on drift (which calls AWS): enough for
 * scripts, too few to hammer the organization. @fastify/rate-limit keeps one budget per route.
 */
export const WRITE_RATE_LIMIT: Readonly<RateLimitRule> = Object.freeze({ max: 30, timeWindow: 60_000 });

/**
 * Registers @fastify/rate-limit for the routes that opt in with `config.rateLimit`. It runs as a
 * preHandler, after authentication, so the key is the token's name rather than the address
 * (clients behind one proxy do not share a budget; one token cannot escape it by switching hosts).
 */
export async function registerRateLimit(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler',
    keyGenerator: (req: FastifyRequest) => (req.principal ? `token:${req.principal.name}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, context) =>
      new DomainError('REQUEST.RATE_LIMITED', `at most ${context.max} write requests per ${context.after}; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
}
