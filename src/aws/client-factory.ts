/**
 * Builds the SDK clients. One HTTP handler (one socket pool) serves every client, sized from
 * the configured concurrency so accounts in flight do not queue for sockets behind the SDK's
 * default of 50 per client. Clients run with maxAttempts 1: retries belong to retry.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Config } from '../config.js';
import { iamSigningRegion } from './partition.js';

export type CredentialsInput = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export interface ClientFactoryOptions {
  config: Pick<Config, 'region' | 'concurrency'>;
  /** An explicit endpoint for every service (tests, the demo); else the SDK's AWS_ENDPOINT_URL* rules apply. */
  endpoint?: string;
  /** Management-account credentials; else the SDK's default chain (AWS_ACCESS_KEY_ID, profiles, …). */
  credentials?: CredentialsInput;
  /** Read for the AWS_ENDPOINT_URL* convention only. */
  env?: NodeJS.ProcessEnv;
}

const MIN_SOCKETS = 50;
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** Sockets per origin: two per account in flight (an STS refresh can overlap an IAM call), never below the SDK's 50. */
export function socketsFor(concurrency: number): number {
  return Math.max(MIN_SOCKETS, concurrency * 2);
}

type EndpointService = 'IAM' | 'STS' | 'ORGANIZATIONS';

/** True when the SDK will take an endpoint from AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE>. */
export function hasConfiguredEndpoint(service: EndpointService, env: NodeJS.ProcessEnv): boolean {
  if (/^true$/i.test(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '')) return false;
  return Boolean(env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL);
}

export class ClientFactory {
  readonly handler: NodeHttpHandler;
  readonly organizations: OrganizationsClient;
  readonly sts: STSClient;
  /** The management account's credentials, resolved once and shared by every client that uses them. */
  readonly callerCredentials: AwsCredentialIdentityProvider;
  readonly httpAgent: HttpAgent;
  readonly httpsAgent: HttpsAgent;
  private readonly region: string;
  private readonly endpoint?: string;
  private readonly sharedIam = new Map<string, IAMClient>();
  /** The credentials of the account whose IAM call is running (see sharedIamFor). */
  private readonly accountCredentials = new AsyncLocalStorage<AwsCredentialIdentityProvider>();
  private readonly env: NodeJS.ProcessEnv;
  private destroyed = false;

  constructor(options: ClientFactoryOptions) {
    this.region = options.config.region;
    this.endpoint = options.endpoint;
    this.env = options.env ?? process.env;
    const maxSockets = socketsFor(options.config.concurrency);
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets });
    this.handler = new NodeHttpHandler({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    });
    const given = options.credentials;
    this.callerCredentials =
      typeof given === 'function' ? given : given ? async () => given : fromNodeProviderChain({ clientConfig: { region: this.region } });
    this.organizations = new OrganizationsClient(this.common(this.region, this.callerCredentials));
    this.sts = new STSClient(this.common(this.region, this.callerCredentials));
  }

  /**
   * An IAM client for one account. IAM is global: without a custom endpoint it is signed for
   * the partition's IAM region (us-east-1, cn-north-1, us-gov-west-1); a custom endpoint is
   * signed with the configured region, as the SDK does.
   */
  iam(credentials: AwsCredentialIdentityProvider, partition: string): IAMClient {
    const custom = this.endpoint !== undefined || hasConfiguredEndpoint('IAM', this.env);
    const region = custom ? this.region : iamSigningRegion(partition, this.region);
    return new IAMClient(this.common(region, credentials));
  }

  /**
   * Runs fn with one IAM client shared by every member account: the client's credentials
   * provider answers with the credentials bound to the running call. Building a client per
   * account costs about as much CPU as the calls themselves (config resolution, middleware
   * stacks), which bounds large rollouts; the signer still derives keys per credentials.
   */
  withAccountCredentials<T>(credentials: AwsCredentialIdentityProvider, fn: () => Promise<T>): Promise<T> {
    return this.accountCredentials.run(credentials, fn);
  }

  /** The IAM client shared by member accounts of a partition; use it inside withAccountCredentials. */
  sharedIamFor(partition: string): IAMClient {
    let client = this.sharedIam.get(partition);
    if (!client) {
      const bound = Object.assign(
        async () => {
          const provider = this.accountCredentials.getStore();
          if (!provider) throw new Error('no account credentials bound to this IAM call');
          return provider();
        },
        // The SDK must not cache: each call may belong to another account.
        { memoized: true },
      );
      client = this.iam(bound, partition);
      this.sharedIam.set(partition, client);
    }
    return client;
  }

  /** Closes the shared socket pool. Per-account clients are never destroyed one by one: that would close it too. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.handler.destroy();
    // The handler leaves agents it was given to their owner.
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private common(region: string, credentials: AwsCredentialIdentityProvider) {
    return {
      region,
      credentials,
      requestHandler: this.handler,
      maxAttempts: 1,
      ...(this.endpoint !== undefined ? { endpoint: this.endpoint } : {}),
    };
  }
}
