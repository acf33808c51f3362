/**
 * STORE_URL parsing and redaction. A URL may carry a password; anything that ends
 * up in a message or a log goes through `redactStoreUrl` first.
 */
import { DomainError } from '../core/errors.js';

export type StoreLocation =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; connectionString: string; schema?: string };

/** Replaces the password of a URL (and of a libpq `password=` pair) with `***`. */
export function redactStoreUrl(url: string): string {
  return url.replace(/(\/\/[^:/?#@]*:)[^@/?#]*@/, '$1***@').replace(/(password=)[^&\s]*/gi, '$1***');
}

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): string {
  if (!SCHEMA_RE.test(schema)) {
    throw new DomainError('CONFIG.INVALID', `store schema ${JSON.stringify(schema)}: must be 1–63 characters of [a-z0-9_], not starting with a digit`, {
      key: 'STORE_URL',
    });
  }
  return schema;
}

/**
 * `sqlite:PATH` (also `sqlite://PATH`, `sqlite::memory:`) or `postgres[ql]://…[?schema=NAME]`.
 * The `schema` parameter is removed from the connection string handed to the driver.
 */
export function parseStoreUrl(url: string): StoreLocation {
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (!path) throw new DomainError('CONFIG.INVALID', 'STORE_URL sqlite: needs a path, e.g. sqlite:./data/rollouts.db', { key: 'STORE_URL' });
    return { kind: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DomainError('CONFIG.INVALID', `STORE_URL ${redactStoreUrl(url)}: not a valid URL`, { key: 'STORE_URL' });
    }
    const schema = parsed.searchParams.get('schema') ?? undefined;
    if (schema !== undefined) {
      checkSchemaName(schema);
      parsed.searchParams.delete('schema');
    }
    return { kind: 'postgres', connectionString: parsed.toString(), schema };
  }
  throw new DomainError('CONFIG.INVALID', `STORE_URL ${redactStoreUrl(url)}: must be sqlite:PATH or postgres://…`, { key: 'STORE_URL' });
}
