/** Real SDK clients pointed at a started simulator. */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { IAMClient } from '@aws-sdk/client-iam';
import type { RunningSimulator } from '../../../src/simulator/index.js';

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const MANAGEMENT_CREDS: Creds = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' };

export function orgs(sim: Pick<RunningSimulator, 'endpoint'>, credentials: Creds = MANAGEMENT_CREDS, maxAttempts = 1): OrganizationsClient {
  return new OrganizationsClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials, maxAttempts });
}

export function sts(sim: Pick<RunningSimulator, 'endpoint'>, credentials: Creds = MANAGEMENT_CREDS, maxAttempts = 1): STSClient {
  return new STSClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials, maxAttempts });
}

export function iam(sim: Pick<RunningSimulator, 'endpoint'>, credentials: Creds = MANAGEMENT_CREDS, maxAttempts = 1): IAMClient {
  return new IAMClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials, maxAttempts });
}

/** The error an awaited call rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number }; Reason?: string; code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

/** A raw signed-looking POST (the simulator parses, never verifies, SigV4). */
export function authHeader(accessKeyId: string, service: string): string {
  return `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc123`;
}
