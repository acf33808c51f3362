/**
 * The simulator's HTTP server on node:http (no framework: it must never be the
 * bottleneck of a benchmark). One endpoint speaks all three services; the SigV4
 * credential scope and X-Amz-Target tell them apart, as AWS_ENDPOINT_URL sends them all here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/ports.js';
import { IAM_XMLNS, STS_XMLNS, SimError, queryError, type CallerContext, type QueryParams } from './protocol.js';
import { IAM_ACTIONS, handleIamAction, isIamWriteAction, type IamWorld } from './iam/index.js';
import { parseAuthorization, resolveCaller, type WireProtocol } from './auth.js';
import type { CredentialStore } from './credentials.js';
import { validateFaults, type FaultInjector, type SimService } from './faults.js';
import type { SimOrganization } from './org/organization.js';
import { parseQueryParams } from './query-params.js';
import { ORGANIZATIONS_TARGET_PREFIX, OrgError, handleOrganizationsOperation } from './services/organizations.js';
import { STS_ACTIONS, handleStsAction, roleArnAccount } from './services/sts.js';
import type { StatsCollector } from './stats.js';

export interface ServerDeps {
  org: SimOrganization;
  iam: IamWorld;
  credentials: CredentialStore;
  faults: FaultInjector;
  stats: StatsCollector;
  now(): number;
  credentialTtlSeconds?: number;
  emptyPageEvery: number;
  logger?: Logger;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const XML = 'text/xml';
const AMZ_JSON = 'application/x-amz-json-1.1';

/** One AWS request once its body is in and its caller known. */
interface AwsRequest {
  requestId: string;
  protocol: WireProtocol;
  service: SimService;
  operation: string;
  /** The account charged in stats and matched by scripted faults. */
  account: string;
  write: boolean;
  caller: CallerContext;
  params?: QueryParams;
  body: string;
}

function send(res: ServerResponse, status: number, contentType: string, requestId: string, body: string): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendAwsError(res: ServerResponse, protocol: WireProtocol, service: SimService, err: SimError, requestId: string): void {
  if (protocol === 'json') {
    const extra = err instanceof OrgError ? err.extra : {};
    send(res, err.status, AMZ_JSON, requestId, JSON.stringify({ __type: err.code, message: err.message, ...extra }));
  } else {
    send(res, err.status, XML, requestId, queryError(err, requestId, service === 'sts' ? STS_XMLNS : IAM_XMLNS));
  }
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createSimulatorServer(deps: ServerDeps): Server {
  const { org, iam, credentials, faults, stats } = deps;
  const resolver = { partition: org.partition, managementAccountId: org.managementAccount.id, credentials, now: deps.now };
  const stsCtx = { org, iam, credentials, now: deps.now, credentialTtlSeconds: deps.credentialTtlSeconds };
  const orgCtx = { org, emptyPageEvery: deps.emptyPageEvery };

  function execute(r: AwsRequest, res: ServerResponse): void {
    try {
      let body: string;
      if (r.service === 'organizations') body = handleOrganizationsOperation(orgCtx, r.caller, r.operation, r.body);
      else if (r.service === 'sts') body = handleStsAction(stsCtx, r.caller, r.operation, r.params!, r.requestId);
      else body = handleIamAction(iam, r.caller, r.operation, r.params!, r.requestId);
      stats.record(r.service, r.operation, r.account, 'ok', r.write);
      send(res, 200, r.protocol === 'json' ? AMZ_JSON : XML, r.requestId, body);
    } catch (e) {
      let err: SimError;
      if (e instanceof SimError) err = e;
      else {
        deps.logger?.error({ err: e, service: r.service, operation: r.operation }, 'simulator handler failed');
        err = r.service === 'organizations' ? new SimError('ServiceException', 'Internal simulator error.', 500) : new SimError('InternalFailure', 'Internal simulator error.', 500);
      }
      stats.record(r.service, r.operation, r.account, err.code, r.write, err.code);
      sendAwsError(res, r.protocol, r.service, err, r.requestId);
    }
  }

  function dispatch(r: AwsRequest, req: IncomingMessage, res: ServerResponse): void {
    const decision = faults.decide({ service: r.service, operation: r.operation, account: r.account, bucketAccount: r.caller.accountId, now: deps.now() });
    const act = (): void => {
      if (decision.kind === 'drop') {
        stats.record(r.service, r.operation, r.account, 'dropped', r.write);
        req.socket.destroy();
      } else if (decision.kind === 'error') {
        stats.record(r.service, r.operation, r.account, decision.throttled ? 'throttled' : decision.error.code, r.write, decision.error.code);
        sendAwsError(res, r.protocol, r.service, decision.error, r.requestId);
      } else {
        execute(r, res);
      }
    };
    if (decision.delayMs > 0) setTimeout(act, decision.delayMs);
    else act();
  }

  function handleAws(req: IncomingMessage, res: ServerResponse, body: string): void {
    const requestId = randomUUID();
    const target = req.headers['x-amz-target'];
    const protocol: WireProtocol = typeof target === 'string' ? 'json' : 'query';
    const params = protocol === 'query' ? parseQueryParams(body) : undefined;
    const action = params?.get('Action') ?? '';
    // Without a usable scope the Action decides: IAM's own actions, STS's, and IAM for anything unknown.
    let service: SimService = protocol === 'json' ? 'organizations' : STS_ACTIONS.has(action) && !IAM_ACTIONS.has(action) ? 'sts' : 'iam';
    let operation = protocol === 'json' ? (target as string).slice(ORGANIZATIONS_TARGET_PREFIX.length) : action;

    let caller: CallerContext;
    try {
      const scope = parseAuthorization(req.headers.authorization, protocol);
      if (protocol === 'query' && (scope.service === 'sts' || scope.service === 'iam')) service = scope.service;
      if (protocol === 'json' && !(target as string).startsWith(ORGANIZATIONS_TARGET_PREFIX)) {
        operation = target as string;
        throw new SimError('UnknownOperationException', `This simulator speaks AWS Organizations only over JSON; target ${target} is unknown.`, 400);
      }
      if (protocol === 'query' && !action) throw new SimError('MissingAction', 'Missing Action parameter.', 400);
      const token = req.headers['x-amz-security-token'];
      caller = resolveCaller(resolver, scope.accessKeyId, typeof token === 'string' ? token : undefined, protocol);
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      stats.record(service, operation || '-', '-', e.code, false, e.code);
      sendAwsError(res, protocol, service, e, requestId);
      return;
    }
    const account = service === 'sts' && operation === 'AssumeRole' ? (roleArnAccount(params!) ?? caller.accountId) : caller.accountId;
    const write = service === 'iam' && isIamWriteAction(operation);
    dispatch({ requestId, protocol, service, operation, account, write, caller, params, body }, req, res);
  }

  function handleControl(req: IncomingMessage, res: ServerResponse, path: string, body: string): void {
    if (req.method === 'GET' && path === '/_sim/health') return sendJson(res, 200, { ok: true });
    if (req.method === 'GET' && path === '/_sim/stats') return sendJson(res, 200, stats.snapshot());
    if (req.method === 'POST' && path === '/_sim/reset-stats') {
      stats.reset();
      return sendJson(res, 200, { reset: true });
    }
    if (req.method === 'GET' && path === '/_sim/faults') return sendJson(res, 200, faults.current);
    if (req.method === 'POST' && path === '/_sim/faults') {
      let patch;
      try {
        patch = validateFaults(body.length ? JSON.parse(body) : {});
      } catch (e) {
        return sendJson(res, 400, { error: { code: 'REQUEST.INVALID', message: `faults: ${(e as Error).message}` } });
      }
      faults.update(patch);
      return sendJson(res, 200, faults.current);
    }
    if (req.method === 'GET' && path === '/_sim/org') return sendJson(res, 200, org.toJSON());
    const state = /^\/_sim\/state\/(\d{12})$/.exec(path);
    if (req.method === 'GET' && state) {
      if (!org.account(state[1])) return sendJson(res, 404, { error: { code: 'ACCOUNT.NOT_FOUND', message: `no account ${state[1]} in the organization` } });
      return sendJson(res, 200, iam.dump(state[1]));
    }
    sendJson(res, 404, { error: { code: 'REQUEST.NOT_FOUND', message: `no route ${req.method} ${path}` } });
  }

  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        const path = q === -1 ? url : url.slice(0, q);
        if (body === null) return sendJson(res, 413, { error: { code: 'REQUEST.INVALID', message: `request body over ${MAX_BODY_BYTES} bytes` } });
        if (path.startsWith('/_sim/')) return handleControl(req, res, path, body);
        if (req.method !== 'POST') return sendJson(res, 404, { error: { code: 'REQUEST.NOT_FOUND', message: 'AWS requests are POSTs; simulator controls live under /_sim/' } });
        handleAws(req, res, body);
      },
      (e: unknown) => {
        deps.logger?.warn({ err: e }, 'simulator request failed');
        res.destroy();
      },
    ).catch((e: unknown) => {
      deps.logger?.error({ err: e }, 'simulator request failed');
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal simulator error' } });
    });
  });
  // SDK agents keep sockets alive longer than Node's 5 s default; a server closing first races their next request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
