import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError, isDomainError } from '../../core/errors.js';
import type { RolloutStore } from '../../core/ports.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import { Health, Readiness } from '../schemas/health.js';

/** Probes answer without a token: orchestrators call them without credentials. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ store: RolloutStore }> = async (app, { store }) => {
  app.get(
    '/healthz',
    {
      schema: { tags: ['health'], summary: 'Liveness: the process answers', security: [], response: { 200: Health } },
      config: { public: true },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the store answers (503 when it does not)',
        security: [],
        response: { 200: Readiness, 503: ERROR_RESPONSES[503] },
      },
      config: { public: true },
    },
    async (req) => {
      try {
        await store.ping();
      } catch (err) {
        req.log.warn({ err, code: isDomainError(err) ? err.code : undefined }, 'store ping failed');
        throw new DomainError('STORE.UNAVAILABLE', 'the store does not answer', undefined, { cause: err });
      }
      return { status: 'ready' as const };
    },
  );
};
