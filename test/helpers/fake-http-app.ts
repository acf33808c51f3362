/** Builds the HTTP app over the fakes, with a log sink the test can read. */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { buildApp, type AppDeps } from '../../src/http/app.js';
import { createMetrics, type HttpMetrics } from '../../src/http/metrics.js';
import { createLogger } from '../../src/logger.js';
import { FakeRolloutService } from './fake-rollout-service.js';
import { FakeStore } from './fake-store.js';

export const WRITE_TOKEN = 'writer-token-0123456789abcdef';
export const READ_TOKEN = 'reader-token-fedcba9876543210';
export const API_TOKENS = `ops=${WRITE_TOKEN},dash=${READ_TOKEN}:ro`;

export class LogSink extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    cb();
  }
  get text(): string {
    return this.lines.join('\n');
  }
  records(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export interface TestApp {
  app: FastifyInstance;
  store: FakeStore;
  rollouts: FakeRolloutService;
  metrics: HttpMetrics;
  logs: LogSink;
  config: Readonly<Config>;
}

export function testConfig(env: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({ API_TOKENS, STORE_URL: 'sqlite::memory:', LOG_LEVEL: 'info', ...env });
}

export async function buildTestApp(overrides: Partial<AppDeps> & { env?: Record<string, string> } = {}): Promise<TestApp> {
  const { env, ...deps } = overrides;
  const config = deps.config ?? testConfig(env);
  const logs = new LogSink();
  const store = new FakeStore();
  const rollouts = new FakeRolloutService(store);
  const metrics = createMetrics();
  const app = await buildApp({
    config,
    logger: createLogger('info', logs),
    store,
    rollouts,
    metrics,
    ...deps,
  });
  return { app, store, rollouts, metrics, logs, config };
}

export const auth = (token: string = WRITE_TOKEN): Record<string, string> => ({ authorization: `Bearer ${token}` });
