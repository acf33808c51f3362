/**
 * `serve`: listens, owns the socket timeouts, the schedule and the graceful close.
 * The routes are in src/http/app.ts; the composition root (src/compose.ts) builds ctx.
 */
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './compose.js';
import type { Config } from './config.js';
import { DomainError } from './core/errors.js';
import { buildApp, type HttpTimeouts } from './http/app.js';
import { createMetrics, type HttpMetrics } from './http/metrics.js';
import type { RateLimitRule } from './http/rate-limit.js';
import { startSchedule, validateSchedule, type Schedule } from './schedule.js';

/** How long in-flight accounts may take to finish after SIGTERM before their rollouts are marked interrupted. */
export const SHUTDOWN_DEADLINE_MS = 20_000;

/**
 * keepAliveTimeout above the common 60 s load-balancer idle timeout, so the balancer, not
 * the server, closes idle connections (otherwise it may send on a socket being closed).
 */
export const HTTP_TIMEOUTS: Readonly<Required<HttpTimeouts>> = Object.freeze({
  connectionTimeout: 10_000,
  keepAliveTimeout: 65_000,
  requestTimeout: 60_000,
});

export interface StartServerOptions {
  insecureNoAuth?: boolean;
  /** The registry whose telemetry was passed to compose(); a fresh one (process metrics only) when absent. */
  metrics?: HttpMetrics;
  shutdownDeadlineMs?: number;
  /** Install SIGTERM/SIGINT handlers (close-with-grace, which exits the process). Default true; tests pass false. */
  handleSignals?: boolean;
  writeRateLimit?: RateLimitRule;
}

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:8080 */
  address: string;
  /** Stops accepting, lets in-flight accounts finish up to the deadline, closes the store. Idempotent. */
  close(): Promise<void>;
  /** Settles when close() has finished, whoever called it. */
  closed: Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/** No token, no server: unless it listens on loopback only and the operator said --insecure-no-auth. */
export function assertServeAuthPolicy(config: Readonly<Config>, insecureNoAuth: boolean): void {
  if (insecureNoAuth) {
    if (!isLoopbackHost(config.host)) {
      throw new DomainError('CONFIG.INVALID', `--insecure-no-auth is allowed only on a loopback address, not HOST=${config.host}`, { key: 'HOST' });
    }
    return;
  }
  if (config.apiTokens.length === 0) {
    throw new DomainError(
      'CONFIG.INVALID',
      'API_TOKENS is empty: set at least one bearer token (or, on a loopback HOST only, start with --insecure-no-auth)',
      { key: 'API_TOKENS' },
    );
  }
}

export async function startServer(ctx: AppContext, options: StartServerOptions = {}): Promise<RunningServer> {
  const { config, logger } = ctx;
  const insecureNoAuth = options.insecureNoAuth === true;
  assertServeAuthPolicy(config, insecureNoAuth);
  if (config.schedule) validateSchedule(config.schedule);
  const deadlineMs = options.shutdownDeadlineMs ?? SHUTDOWN_DEADLINE_MS;

  const app = await buildApp({
    config,
    logger,
    store: ctx.store,
    rollouts: ctx.rollouts,
    metrics: options.metrics ?? createMetrics(),
    insecureNoAuth,
    writeRateLimit: options.writeRateLimit,
    timeouts: HTTP_TIMEOUTS,
  });

  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await app.close();
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new DomainError('CONFIG.INVALID', `cannot listen on ${config.host}:${config.port} (${code})`, { key: 'PORT' }, { cause: e });
  }

  const schedule: Schedule | undefined = config.schedule ? startSchedule(config.schedule, ctx.rollouts, logger) : undefined;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing: Promise<void> | undefined;
  let grace: ReturnType<typeof closeWithGrace> | undefined;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      schedule?.stop();
      try {
        // Stop accepting first, so no rollout starts while the running ones wind down.
        await app.close();
        await ctx.rollouts.shutdown(deadlineMs);
      } finally {
        await ctx.close();
        grace?.uninstall();
        logger.info('server closed');
        resolveClosed();
      }
    })();
    return closing;
  };

  if (options.handleSignals !== false) {
    grace = closeWithGrace(
      // The process-level deadline leaves room for the store to close after the accounts' deadline.
      { delay: deadlineMs + 10_000, logger: { error: (m: unknown) => logger.error({ detail: String(m) }, 'graceful close failed') } },
      async ({ signal, err }) => {
        if (err) logger.error({ err }, 'fatal error: closing');
        else logger.info({ signal }, 'closing: no new requests; in-flight accounts may finish');
        await close();
      },
    );
  }

  logger.info({ address, auth: insecureNoAuth ? 'none' : `${config.apiTokens.length} token(s)`, schedule: config.schedule ?? null }, 'listening');
  return { app, address, close, closed };
}
