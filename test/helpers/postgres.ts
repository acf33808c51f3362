/**
 * The test PostgreSQL server: TEST_DATABASE_URL (default: the local server, database `test`).
 * Suites skip with a printed notice when it does not answer, except under REQUIRE_POSTGRES=1
 * (CI), where that is an error.
 */
import pg from 'pg';
import { redactStoreUrl } from '../../src/store/store-url.js';

export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** null when the server answers, else why it does not; throws under REQUIRE_POSTGRES=1. */
export async function postgresProblem(suite: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  let problem: string | null = null;
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (e) {
    problem = (e as Error).message || String((e as { code?: string }).code);
  } finally {
    await client.end().catch(() => {});
  }
  if (problem !== null) {
    if (process.env.REQUIRE_POSTGRES === '1') {
      throw new Error(`REQUIRE_POSTGRES=1 but PostgreSQL at ${redactStoreUrl(DATABASE_URL)} does not answer: ${problem}`);
    }
    console.warn(
      `${suite} SKIPPED: no PostgreSQL at ${redactStoreUrl(DATABASE_URL)} (${problem}). ` +
        'Set TEST_DATABASE_URL to run them, or REQUIRE_POSTGRES=1 to fail instead of skipping.',
    );
  }
  return problem;
}
