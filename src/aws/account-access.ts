/**
 * Reaches member accounts: assumes the configured role (credentials cached per account per
 * rollout) and hands out that account's IAM gateway.
 */
import type { Config } from '../config.js';
import type { AccountAccess, AccountIam, CallerIdentity, Clock, OpenAccountOptions } from '../core/ports.js';
import { AssumedRoleCredentials } from './assumed-role-credentials.js';
import type { ClientFactory } from './client-factory.js';
import { IamGateway, type ConsistencyTuning } from './iam-gateway.js';
import { roleArn } from './partition.js';
import type { RetryPolicy } from './retry.js';
import { roleSessionName } from './session-name.js';

export interface AccountAccessDeps {
  factory: ClientFactory;
  policy: RetryPolicy;
  config: Pick<Config, 'roleName' | 'externalId' | 'sessionDurationSeconds'>;
  /** The caller's identity (cached by the directory); its partition builds role ARNs and picks IAM's region. */
  identity: () => Promise<CallerIdentity>;
  consistency?: Partial<ConsistencyTuning>;
  clock?: Clock;
}

// An account is opened once per rollout, and its gateway keeps its own credentials for as long
// as it runs: the cache only has to outlive accounts in flight (and a re-open within one rollout),
// so it stays small instead of holding every account's session for the life of the process.
// Older entries go first (a Map iterates in insertion order).
const MAX_CACHED_ACCOUNTS = 2_000;

export class AwsAccountAccess implements AccountAccess {
  private readonly cache = new Map<string, AssumedRoleCredentials>();

  constructor(private readonly deps: AccountAccessDeps) {}

  async open(accountId: string, options: OpenAccountOptions): Promise<AccountIam> {
    const { factory, policy, config } = this.deps;
    const { partition } = await this.deps.identity();
    const { calls, signal } = options;
    if (options.useCallerCredentials) {
      return new IamGateway({ client: factory.iam(factory.callerCredentials, partition), policy, calls, accountId, partition, consistency: this.deps.consistency });
    }
    const credentials = this.credentialsFor(options.rolloutId, accountId, partition, config);
    // Eagerly, so an unreachable account fails here with ROLLOUT.ASSUME_ROLE_FAILED.
    await credentials.get({ calls, signal });
    // Flagged `memoized`, the SDK uses the provider as it is (resolveAwsSdkSigV4Config) instead of
    // caching on its own clock: refresh timing stays with AssumedRoleCredentials and its clock.
    const provider = Object.assign(() => credentials.get({ calls, signal }), { memoized: true });
    const gateway = new IamGateway({ client: factory.sharedIamFor(partition), policy, calls, accountId, partition, consistency: this.deps.consistency });
    // Every call of this gateway runs with this account's credentials bound to the shared client.
    return {
      observe: (scope, s) => factory.withAccountCredentials(provider, () => gateway.observe(scope, s)),
      apply: (change, s) => factory.withAccountCredentials(provider, () => gateway.apply(change, s)),
    };
  }

  private credentialsFor(rolloutId: string, accountId: string, partition: string, config: AccountAccessDeps['config']): AssumedRoleCredentials {
    const key = `${rolloutId}\u0000${accountId}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const clock = this.deps.clock;
    const created = new AssumedRoleCredentials(
      this.deps.factory.sts,
      this.deps.policy,
      {
        accountId,
        roleArn: roleArn(partition, accountId, config.roleName),
        sessionName: roleSessionName(rolloutId),
        externalId: config.externalId,
        durationSeconds: config.sessionDurationSeconds,
      },
      clock ? () => clock.now().getTime() : Date.now,
    );
    this.cache.set(key, created);
    if (this.cache.size > MAX_CACHED_ACCOUNTS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return created;
  }
}
