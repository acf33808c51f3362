/** `serve`: the HTTP API over the same composition root as every other command. */
import type { Command } from 'commander';
import { loadConfig, type ConfigInput } from '../../config.js';
import { createLogger } from '../../logger.js';
import { runCommand } from '../command-runner.js';

export interface ServeOptions {
  insecureNoAuth?: boolean;
  port?: string;
  host?: string;
}

/** Starts the server and resolves (with exit code 0) once it has closed after SIGTERM/SIGINT. */
export async function serveCommand(options: ServeOptions = {}): Promise<number> {
  const overrides: ConfigInput = {};
  if (options.port !== undefined) overrides.PORT = options.port;
  if (options.host !== undefined) overrides.HOST = options.host;
  const config = loadConfig(process.env, overrides);
  // Loaded here, not at start-up: the other commands never pay for Fastify and its plugins.
  const [{ compose }, { createMetrics }, { validateSchedule }, { assertServeAuthPolicy, startServer }] = await Promise.all([
    import('../../compose.js'),
    import('../../http/metrics.js'),
    import('../../schedule.js'),
    import('../../server.js'),
  ]);
  // Refuse before the store is opened: a misconfigured server should not touch anything.
  assertServeAuthPolicy(config, options.insecureNoAuth === true);
  if (config.schedule) validateSchedule(config.schedule);

  const logger = createLogger(config.logLevel);
  const metrics = createMetrics();
  const ctx = await compose(config, { logger, telemetry: metrics.telemetry });
  let server;
  try {
    server = await startServer(ctx, { insecureNoAuth: options.insecureNoAuth === true, metrics });
  } catch (e) {
    await ctx.close();
    throw e;
  }
  await server.closed;
  return 0;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('the HTTP API (bearer tokens from API_TOKENS; listens on HOST:PORT)')
    .option('--port <port>', 'port to listen on (overrides PORT)')
    .option('--host <host>', 'address to listen on (overrides HOST)')
    .option('--insecure-no-auth', 'no tokens at all: allowed only on a loopback HOST; every route is open')
    .action((opts: ServeOptions) => runCommand(() => serveCommand(opts)));
}
