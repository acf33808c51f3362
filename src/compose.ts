/**
 * The composition root: config → adapters → core, for every CLI command and for `serve`.
 */
import { hostname } from 'node:os';
import type { Logger as PinoLogger } from 'pino';
import { createAwsAdapters } from './aws/index.js';
import type { Config } from './config.js';
import { noopTelemetry, type RolloutService, type RolloutStore, type Telemetry } from './core/ports.js';
import { AdaptiveRateGate, DefaultRolloutService } from './core/rollout/index.js';
import { createLogger } from './logger.js';
import { createStore } from './store/create-store.js';

export interface AppContext {
  config: Readonly<Config>;
  logger: PinoLogger;
  store: RolloutStore;
  rollouts: RolloutService;
  telemetry: Telemetry;
  close(): Promise<void>;
}

export interface ComposeOptions {
  logger?: PinoLogger;
  telemetry?: Telemetry;
  /** Only for tests and the demo: an explicit endpoint instead of AWS_ENDPOINT_URL. */
  endpoint?: string;
  /** Only for tests and the demo: explicit management-account credentials. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Adds observers of AWS throttling (the adaptive concurrency controller). */
  onThrottle?: (service: 'organizations' | 'sts' | 'iam') => void;
}

/** Opens the store (and fails with STORE.* before anything is sent to AWS), builds the adapters and the service. */
export async function compose(config: Readonly<Config>, options: ComposeOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const telemetry = options.telemetry ?? noopTelemetry;
  const store = await createStore(config.storeUrl, { logger });
  // STS and Organizations calls all come from the hub account and share its rate limits:
  // each gets a rate learned from throttling, under the configured cap. IAM limits are per
  // member account, where retries with back-off suffice and a global gate would let one
  // throttled account slow all the others.
  const gates: Partial<Record<'organizations' | 'sts' | 'iam', AdaptiveRateGate>> = {
    sts: new AdaptiveRateGate({ maxInFlight: config.concurrency }),
    organizations: new AdaptiveRateGate({ maxInFlight: Math.min(config.concurrency, 10) }),
  };
  const aws = createAwsAdapters({
    config,
    logger,
    telemetry,
    endpoint: options.endpoint,
    credentials: options.credentials,
    onThrottle: (service) => {
      gates[service]?.onThrottle();
      options.onThrottle?.(service);
    },
    onSuccess: (service) => gates[service]?.onSuccess(),
    gate: (service, attempt) => {
      const gate = gates[service];
      return gate ? gate.run(attempt) : attempt();
    },
  });
  const rollouts = new DefaultRolloutService(
    { directory: aws.directory, access: aws.access, store, logger, clock: { now: () => new Date() }, telemetry },
    {
      baselinePath: config.baselinePath,
      concurrency: config.concurrency,
      failureTolerance: config.failureTolerance,
      accountTimeoutMs: config.accountTimeoutMs,
      includeManagementAccount: config.includeManagementAccount,
      retention: config.retention,
      lockTtlMs: config.lockTtlMs,
      owner: `${hostname()}:${process.pid}`,
    },
  );
  let closed = false;
  return {
    config,
    logger,
    store,
    rollouts,
    telemetry,
    async close() {
      if (closed) return;
      closed = true;
      aws.close();
      await store.close();
    },
  };
}
