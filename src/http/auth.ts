import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiToken } from '../config.js';
import { DomainError } from '../core/errors.js';

/** Who made a request: the token's name (never the token) and what it may do. */
export interface Principal {
  name: string;
  readOnly: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Route answers without a token (health probes only). */
    public?: boolean;
  }
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Verifies bearer tokens against SHA-256 hashes only: the plain tokens are not kept,
 * and comparing fixed-length hashes with timingSafeEqual leaks neither content nor length.
 */
export class TokenVerifier {
  readonly #entries: { hash: Buffer; principal: Principal }[];

  constructor(tokens: readonly ApiToken[]) {
    this.#entries = tokens.map((t) => ({ hash: sha256(t.token), principal: Object.freeze({ name: t.name, readOnly: t.readOnly }) }));
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The principal for an Authorization header value; throws AUTH.MISSING_TOKEN or AUTH.INVALID_TOKEN. */
  verify(authorization: string | undefined): Principal {
    if (!authorization || !authorization.trim()) {
      throw new DomainError('AUTH.MISSING_TOKEN', 'send the header Authorization: Bearer <token>');
    }
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!match) throw new DomainError('AUTH.INVALID_TOKEN', 'the Authorization header must be "Bearer <token>"');
    const presented = sha256(match[1]);
    let found: Principal | undefined;
    // Every entry is compared, so the time taken does not say which one matched.
    for (const entry of this.#entries) {
      if (timingSafeEqual(entry.hash, presented) && found === undefined) found = entry.principal;
    }
    if (!found) throw new DomainError('AUTH.INVALID_TOKEN', 'the bearer token is not valid');
    return found;
  }
}

const ANONYMOUS: Principal = Object.freeze({ name: 'anonymous', readOnly: false });

/**
 * Requires a bearer token on every route not marked `config.public`; a read-only token
 * may not write. With `open` (serve --insecure-no-auth on loopback) every request is anonymous.
 */
export function registerAuth(app: FastifyInstance, options: { tokens: readonly ApiToken[]; open: boolean }): void {
  const verifier = new TokenVerifier(options.tokens);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (options.open) {
      req.principal = ANONYMOUS;
      return;
    }
    if (req.routeOptions.config?.public === true) return;
    const principal = verifier.verify(req.headers.authorization);
    if (principal.readOnly && WRITE_METHODS.has(req.method)) {
      throw new DomainError('AUTH.READ_ONLY_TOKEN', `token "${principal.name}" is read-only and may not ${req.method}`);
    }
    req.principal = principal;
  });
}

/** `http:<token name>`, recorded with each rollout an HTTP client starts. */
export function requestedBy(req: FastifyRequest): string {
  return `http:${req.principal?.name ?? 'anonymous'}`;
}
