/**
 * The AWS adapters, assembled for the composition root.
 */
import type { Config } from '../config.js';
import { noopTelemetry, type AccountAccess, type Clock, type Logger, type OrganizationDirectory, type Telemetry } from '../core/ports.js';
import { AwsAccountAccess } from './account-access.js';
import { ClientFactory, type CredentialsInput } from './client-factory.js';
import type { ConsistencyTuning } from './iam-gateway.js';
import { AwsOrganizationDirectory } from './organizations-directory.js';
import { RetryPolicy, type AwsService, type RetryTuning } from './retry.js';

export type { AwsService, RetryTuning } from './retry.js';
export type { ConsistencyTuning } from './iam-gateway.js';
export type { CredentialsInput } from './client-factory.js';

export interface AwsAdapterOptions {
  config: Readonly<Config>;
  logger: Logger;
  telemetry?: Telemetry;
  /** An explicit endpoint for every service (tests, the demo); else AWS_ENDPOINT_URL* as the SDK reads them. */
  endpoint?: string;
  /** Management-account credentials; else the SDK's default chain. */
  credentials?: CredentialsInput;
  /** Called on every throttled attempt (the adaptive concurrency controller backs off). */
  onThrottle?: (service: AwsService) => void;
  /** Called on every successful attempt (the controller may grow again). */
  onSuccess?: (service: AwsService) => void;
  /** Admits each attempt of a service's calls (the adaptive concurrency gates). */
  gate?: <T>(service: AwsService, attempt: () => Promise<T>) => Promise<T>;
  /** Back-off tuning; tests shorten it. */
  retryTuning?: Partial<RetryTuning>;
  /** Eventual-consistency tolerance after creates; tests shorten it. */
  consistency?: Partial<ConsistencyTuning>;
  /** Environment read for AWS_ENDPOINT_URL*; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Decides when assumed-role credentials are due for refresh; defaults to the system clock. */
  clock?: Clock;
}

export interface AwsAdapters {
  directory: OrganizationDirectory;
  access: AccountAccess;
  /** Closes the shared socket pool. */
  close(): void;
}

export function createAwsAdapters(options: AwsAdapterOptions): AwsAdapters {
  const { config } = options;
  const factory = new ClientFactory({ config, endpoint: options.endpoint, credentials: options.credentials, env: options.env });
  const policy = new RetryPolicy({
    maxAttempts: config.maxAttempts,
    tuning: options.retryTuning,
    telemetry: options.telemetry ?? noopTelemetry,
    logger: options.logger.child({ component: 'aws' }),
    onThrottle: options.onThrottle,
    onSuccess: options.onSuccess,
    gate: options.gate,
  });
  const directory = new AwsOrganizationDirectory(factory.organizations, factory.sts, policy);
  const access = new AwsAccountAccess({
    factory,
    policy,
    config,
    identity: () => directory.whoAmI(),
    consistency: options.consistency,
    clock: options.clock,
  });
  return { directory, access, close: () => factory.destroy() };
}
