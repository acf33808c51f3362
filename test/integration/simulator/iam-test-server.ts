import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IAMClient } from '@aws-sdk/client-iam';
import { handleIamAction, IamWorld } from '../../../src/simulator/iam/index.js';
import { type CallerContext, IAM_XMLNS, queryError, SimError } from '../../../src/simulator/protocol.js';

/**
 * A minimal stand-in for the simulator's HTTP server, so the IAM service can be driven by the
 * real SDK over a real socket: the access key `AKIA<12 digits>` names the caller's account.
 */
export interface IamTestServer {
  endpoint: string;
  world: IamWorld;
  /** Requests answered, by action. */
  calls: Map<string, number>;
  client(accountId: string): IAMClient;
  close(): Promise<void>;
}

function callerFrom(authorization: string | undefined): CallerContext {
  const key = /Credential=AKIA(\d{12})\//.exec(authorization ?? '');
  if (!key) throw new SimError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  return { accountId: key[1], partition: 'aws', arn: `arn:aws:iam::${key[1]}:root` };
}

export async function startIamTestServer(world = new IamWorld({ partition: 'aws' })): Promise<IamTestServer> {
  const calls = new Map<string, number>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestId = `req-${++requests}`;
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const action = form.get('Action') ?? '';
      const params = new Map<string, string>();
      for (const [k, v] of form) if (k !== 'Action' && k !== 'Version') params.set(k, v);
      calls.set(action, (calls.get(action) ?? 0) + 1);
      let status = 200;
      let body: string;
      try {
        body = handleIamAction(world, callerFrom(req.headers.authorization), action, params, requestId);
      } catch (err) {
        const simError = err instanceof SimError ? err : new SimError('ServiceFailure', String(err), 500);
        status = simError.status;
        body = queryError(simError, requestId, IAM_XMLNS);
      }
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: IAMClient[] = [];
  return {
    endpoint,
    world,
    calls,
    client(accountId: string): IAMClient {
      const client = new IAMClient({
        region: 'us-east-1',
        endpoint,
        // One attempt: the SDK counts LimitExceeded as throttling and would retry it.
        maxAttempts: 1,
        credentials: { accessKeyId: `AKIA${accountId}`, secretAccessKey: 'test-secret' },
      });
      clients.push(client);
      return client;
    },
    async close(): Promise<void> {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/** The error a command rejects with, to assert on its class name and metadata. */
export async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number }; Code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

let nextAccount = 100000000000;
/** A fresh account id per test keeps tests independent on a shared server. */
export function freshAccount(): string {
  return String(nextAccount++);
}
