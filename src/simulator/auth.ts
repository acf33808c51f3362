/**
 * Who is calling: the SigV4 Authorization header is parsed (never verified — any secret
 * is accepted) and its access key mapped to the management account's root user or to a
 * session the simulator issued.
 */
import { SimError, type CallerContext } from './protocol.js';
import type { CredentialStore } from './credentials.js';

export interface SigV4Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

export type WireProtocol = 'query' | 'json';

/** JSON-protocol services name the common auth errors differently from the query ones. */
function authError(protocol: WireProtocol, query: string, json: string, message: string, queryStatus: number, jsonStatus = 400): SimError {
  return protocol === 'query' ? new SimError(query, message, queryStatus) : new SimError(json, message, jsonStatus);
}

const CREDENTIAL_RE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=…, Signature=…`. */
export function parseAuthorization(header: string | undefined, protocol: WireProtocol): SigV4Scope {
  if (!header) {
    throw authError(protocol, 'MissingAuthenticationToken', 'MissingAuthenticationTokenException', 'Request is missing Authentication Token', 403, 403);
  }
  const m = header.startsWith('AWS4-HMAC-SHA256 ') ? CREDENTIAL_RE.exec(header) : null;
  if (!m || !header.includes('SignedHeaders=') || !header.includes('Signature=')) {
    throw authError(
      protocol,
      'IncompleteSignature',
      'IncompleteSignatureException',
      `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters of an AWS4-HMAC-SHA256 signature. Authorization=${header.split(' ')[0]}`,
      403,
    );
  }
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4] };
}

export interface CallerResolver {
  partition: string;
  managementAccountId: string;
  credentials: CredentialStore;
  now(): number;
}

/**
 * Any access key the simulator did not issue is the management account's root user
 * (shared/CONTRACT.md). Issued keys need their session token and must not have expired.
 */
export function resolveCaller(r: CallerResolver, accessKeyId: string, securityToken: string | undefined, protocol: WireProtocol): CallerContext {
  const issued = r.credentials.get(accessKeyId);
  if (!issued) {
    return { accountId: r.managementAccountId, partition: r.partition, arn: `arn:${r.partition}:iam::${r.managementAccountId}:root` };
  }
  if (securityToken !== issued.sessionToken) {
    throw authError(protocol, 'InvalidClientTokenId', 'UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
  }
  if (r.now() >= issued.expiresAt) {
    throw authError(protocol, 'ExpiredToken', 'ExpiredTokenException', 'The security token included in the request is expired', 403);
  }
  return {
    accountId: issued.accountId,
    partition: r.partition,
    arn: `arn:${r.partition}:sts::${issued.accountId}:assumed-role/${issued.roleName}/${issued.sessionName}`,
    assumedRole: { roleName: issued.roleName, sessionName: issued.sessionName },
  };
}
