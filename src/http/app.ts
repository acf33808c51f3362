import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import type { Config } from '../config.js';
import { DomainError } from '../core/errors.js';
import type { RolloutService, RolloutStore } from '../core/ports.js';
import { registerAuth } from './auth.js';
import { registerErrorHandling, frameworkErrorHandler, jsonDepth, MAX_BODY_DEPTH } from './error-handler.js';
import type { HttpMetrics } from './metrics.js';
import { registerRateLimit, WRITE_RATE_LIMIT, type RateLimitRule } from './rate-limit.js';
import { accountRoutes } from './routes/accounts.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { rolloutRoutes } from './routes/rollouts.js';
import { validatorCompiler } from './validator.js';

/** The largest request body: a rollout request naming a few thousand accounts fits. */
export const BODY_LIMIT_BYTES = 64 * 1024;

type OptionalBody = { required?: boolean; content?: Record<string, { schema?: { required?: string[] } }> };

const PROBE_PATHS = new Set(['/healthz', '/readyz']);

/** Socket timeouts; the server owns them but they are Fastify constructor options. */
export interface HttpTimeouts {
  connectionTimeout?: number;
  keepAliveTimeout?: number;
  requestTimeout?: number;
}

export interface AppDeps {
  config: Readonly<Config>;
  logger: PinoLogger;
  store: RolloutStore;
  rollouts: RolloutService;
  metrics: HttpMetrics;
  /** Every route open, no token (serve --insecure-no-auth; the server allows it on loopback only). */
  insecureNoAuth?: boolean;
  /** Overrides WRITE_RATE_LIMIT (tests). */
  writeRateLimit?: RateLimitRule;
  timeouts?: HttpTimeouts;
}

/**
 * The HTTP API as a Fastify instance, not yet listening (tests `inject` into it; server.ts listens).
 * Refuses to build without tokens unless `insecureNoAuth` says so.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const open = deps.insecureNoAuth === true;
  if (!open && deps.config.apiTokens.length === 0) {
    throw new DomainError('CONFIG.INVALID', 'API_TOKENS is empty: the HTTP API needs at least one bearer token', { key: 'API_TOKENS' });
  }

  // Fastify infers its logger type from loggerInstance (pino's); the plugins here take the base type.
  const base = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }),
    genReqId: () => randomUUID(),
    // Probes arrive every few seconds; their lines would drown the ones that matter.
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: (req) => PROBE_PATHS.has(req.url) }),
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    // validatorCompiler (TypeBox) replaces Ajv for validation and never strips a field; should
    // any context fall back to Ajv, it must reject unknown fields too, not drop them silently.
    ajv: { customOptions: { removeAdditional: false } },
    frameworkErrors: frameworkErrorHandler,
    ...deps.timeouts,
  }) as unknown as FastifyInstance;
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Fastify parses text/plain by default; this API speaks JSON only, so anything else is a 415.
  app.removeContentTypeParser('text/plain');
  // Fastify's own JSON parser (prototype-poisoning checks included), behind a nesting limit.
  const parseJson = base.getDefaultJsonParser('error', 'error');
  base.removeContentTypeParser('application/json');
  base.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonDepth(body as string) > MAX_BODY_DEPTH) {
      done(new DomainError('REQUEST.INVALID', `body is nested deeper than ${MAX_BODY_DEPTH} levels`), undefined);
      return;
    }
    parseJson(req, body as string, done);
  });

  registerErrorHandling(base);
  registerAuth(base, { tokens: deps.config.apiTokens, open });
  await registerRateLimit(base);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'org-iam-rollout',
        description: 'Rolls an IAM baseline out to every account of an AWS Organization. Errors are `{"error":{"code","message"}}`.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'rollouts', description: 'Start, follow, cancel and retry rollouts' },
        { name: 'accounts', description: 'Per-account status and live drift' },
        { name: 'health', description: 'Probes (no token needed)' },
        { name: 'operations', description: 'Metrics and documentation' },
      ],
    },
    // @fastify/swagger marks every request body required; a body whose fields are all optional is not.
    transformObject: (document) => {
      if (!('openapiObject' in document)) return document.swaggerObject;
      const { openapiObject } = document;
      for (const operations of Object.values(openapiObject.paths ?? {})) {
        for (const op of Object.values(operations ?? {}) as { requestBody?: OptionalBody }[]) {
          const schema = op?.requestBody?.content?.['application/json']?.schema;
          if (op?.requestBody && schema && !schema.required?.length) op.requestBody.required = false;
        }
      }
      return openapiObject;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const writeRateLimit = deps.writeRateLimit ?? WRITE_RATE_LIMIT;
  await app.register(healthRoutes, { store: deps.store });
  await app.register(rolloutRoutes, { store: deps.store, rollouts: deps.rollouts, writeRateLimit });
  await app.register(accountRoutes, { store: deps.store, rollouts: deps.rollouts, driftRateLimit: writeRateLimit });
  await app.register(metricsRoutes, { registry: deps.metrics.registry });
  app.get(
    '/openapi.json',
    { schema: { tags: ['operations'], summary: 'This OpenAPI document' } },
    async () => app.swagger(),
  );

  if (open) app.log.warn('the HTTP API is open: started with --insecure-no-auth, every route answers without a token');
  await app.ready();
  return base;
}
