/**
 * Opens the store named by STORE_URL, applies pending migrations and returns it.
 * Every failure is a DomainError STORE.* (or CONFIG.INVALID for a malformed URL)
 * whose message names the file or server but never a password.
 */
import { DomainError, isDomainError } from '../core/errors.js';
import type { Logger, RolloutStore } from '../core/ports.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import { parseStoreUrl, redactStoreUrl } from './store-url.js';

export interface CreateStoreOptions {
  logger?: Logger;
  /** PostgreSQL only: the schema to live in (wins over the URL's `?schema=`). */
  schema?: string;
}

export async function createStore(url: string, options: CreateStoreOptions = {}): Promise<RolloutStore> {
  const location = parseStoreUrl(url);
  const store: RolloutStore =
    location.kind === 'sqlite'
      ? SqliteStore.open(location.path, { logger: options.logger })
      : PostgresStore.open(url, { logger: options.logger, schema: options.schema });
  try {
    await store.migrate();
  } catch (e) {
    await store.close().catch(() => {});
    if (isDomainError(e)) throw e;
    throw new DomainError('STORE.UNAVAILABLE', `store ${redactStoreUrl(url)}: ${(e as Error).message}`, undefined, { cause: e });
  }
  return store;
}
