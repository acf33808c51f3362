import { describe, expect, it } from 'vitest';
import { ClientFactory } from '../../../src/aws/client-factory.js';

const credentials = { accessKeyId: 'AKIAEXAMPLEEXAMPLE12', secretAccessKey: 'secret' };
const provider = async () => credentials;

describe('ClientFactory', () => {
  it('shares one HTTP handler, sized from the concurrency, and disables the SDK retry loop', async () => {
    const f = new ClientFactory({ config: { region: 'eu-west-1', concurrency: 100 }, credentials, env: {} });
    try {
      const iam = f.iam(provider, 'aws');
      for (const client of [f.organizations, f.sts, iam]) {
        expect(client.config.requestHandler).toBe(f.handler);
        expect(await client.config.maxAttempts()).toBe(1);
      }
      expect(f.httpAgent.maxSockets).toBe(200);
      expect(f.httpsAgent.maxSockets).toBe(200);
      // The handler uses the given agents rather than its own 50-socket defaults (@smithy/node-http-handler).
      type Resolved = { httpsAgent: unknown; httpAgentProvider: () => Promise<unknown> };
      const resolved = await (f.handler as unknown as { configProvider: Promise<Resolved> }).configProvider;
      expect(resolved.httpsAgent).toBe(f.httpsAgent);
      expect(await resolved.httpAgentProvider()).toBe(f.httpAgent);
    } finally {
      f.destroy();
    }
  });

  it('signs IAM for the partition region without a custom endpoint', async () => {
    const f = new ClientFactory({ config: { region: 'eu-west-1', concurrency: 5 }, credentials, env: {} });
    try {
      expect(await f.iam(provider, 'aws').config.region()).toBe('us-east-1');
      expect(await f.iam(provider, 'aws-cn').config.region()).toBe('cn-north-1');
      expect(await f.iam(provider, 'aws-us-gov').config.region()).toBe('us-gov-west-1');
      expect(await f.sts.config.region()).toBe('eu-west-1');
    } finally {
      f.destroy();
    }
  });

  it('keeps the configured region for IAM behind a custom endpoint (explicit or AWS_ENDPOINT_URL*)', async () => {
    const explicit = new ClientFactory({ config: { region: 'eu-west-1', concurrency: 5 }, credentials, endpoint: 'http://127.0.0.1:1', env: {} });
    const fromEnv = new ClientFactory({ config: { region: 'eu-west-1', concurrency: 5 }, credentials, env: { AWS_ENDPOINT_URL_IAM: 'http://127.0.0.1:1' } });
    try {
      expect(await explicit.iam(provider, 'aws').config.region()).toBe('eu-west-1');
      expect(await fromEnv.iam(provider, 'aws').config.region()).toBe('eu-west-1');
    } finally {
      explicit.destroy();
      fromEnv.destroy();
    }
  });

  it('uses the given management credentials for the shared clients', async () => {
    const f = new ClientFactory({ config: { region: 'us-east-1', concurrency: 5 }, credentials, env: {} });
    try {
      expect(await f.callerCredentials()).toEqual(credentials);
    } finally {
      f.destroy();
    }
  });
});
