import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/create-store.js';
import { DATABASE_URL, postgresProblem } from '../helpers/postgres.js';
import { rollout, runStoreContract } from './store-contract.js';

const problem = await postgresProblem('PostgreSQL store tests');

const withSchema = (url: string, schema: string): string => `${url}${url.includes('?') ? '&' : '?'}schema=${schema}`;

describe.skipIf(problem !== null)('postgres store', () => {
  // Every fixture lives in its own schema under this file's prefix; all are dropped at the end.
  const prefix = `oir_test_${randomBytes(4).toString('hex')}`;
  let seq = 0;
  const newSchema = (): string => `${prefix}_${seq++}`;
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });

  afterAll(async () => {
    const { rows } = await admin.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${prefix}%`]);
    for (const { nspname } of rows) await admin.query(`DROP SCHEMA "${nspname}" CASCADE`);
    await admin.end();
  });

  runStoreContract('postgres', async () => {
    const schema = newSchema();
    return {
      store: await createStore(withSchema(DATABASE_URL, schema)),
      // The option form, so both ways of naming the schema are exercised.
      openAnother: () => createStore(DATABASE_URL, { schema }),
      breakResultWrites: async () => {
        await admin.query(`CREATE FUNCTION "${schema}".fail_write() RETURNS trigger LANGUAGE plpgsql AS
          $$ BEGIN RAISE EXCEPTION 'simulated disk full' USING ERRCODE = 'disk_full'; END $$`);
        await admin.query(`CREATE TRIGGER fail_results BEFORE INSERT ON "${schema}".account_results FOR EACH ROW EXECUTE FUNCTION "${schema}".fail_write()`);
      },
      recordFutureSchemaVersion: async (version) => {
        await admin.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, 'from the future')`, [version]);
      },
    };
  });

  describe('postgres store: opening', () => {
    it('an unreachable server is STORE.UNAVAILABLE naming the host, never the password', async () => {
      const url = 'postgres://postgres:Sup3r-Secret-Pw@127.0.0.1:1/test';
      const err = await createStore(url).then(
        () => null,
        (e: { code: string; message: string; details?: unknown }) => e,
      );
      expect(err?.code).toBe('STORE.UNAVAILABLE');
      expect(err?.message).toContain('127.0.0.1:1');
      expect(err?.message).not.toContain('Sup3r-Secret-Pw');
      expect(JSON.stringify(err?.details)).not.toContain('Sup3r-Secret-Pw');
    });

    it('a database that does not exist is STORE.UNAVAILABLE', async () => {
      const url = new URL(DATABASE_URL);
      url.pathname = `/no_such_db_${randomBytes(3).toString('hex')}`;
      await expect(createStore(url.toString())).rejects.toMatchObject({ code: 'STORE.UNAVAILABLE' });
    });

    it('rejects a schema name that is not a plain identifier', async () => {
      await expect(createStore(withSchema(DATABASE_URL, 'bad"name'))).rejects.toMatchObject({ code: 'CONFIG.INVALID' });
      await expect(createStore(DATABASE_URL, { schema: 'Robert; DROP' })).rejects.toMatchObject({ code: 'CONFIG.INVALID' });
    });

    it('several processes starting at once on a new schema migrate it exactly once', async () => {
      const schema = newSchema();
      const stores = await Promise.all(Array.from({ length: 4 }, () => createStore(DATABASE_URL, { schema })));
      try {
        const { rows } = await admin.query<{ version: number; n: number }>(
          `SELECT version, count(*)::int AS n FROM "${schema}".schema_migrations GROUP BY version ORDER BY version`,
        );
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((r) => r.n === 1)).toBe(true);
        await stores[0].createRollout(rollout('r1', 1));
        expect((await stores[3].getRollout('r1'))?.id).toBe('r1');
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('stores in different schemas do not see each other', async () => {
      const a = await createStore(DATABASE_URL, { schema: newSchema() });
      const b = await createStore(DATABASE_URL, { schema: newSchema() });
      try {
        await a.createRollout(rollout('r1', 1));
        expect(await b.getRollout('r1')).toBeNull();
        expect(await b.tryLock('r2', 'host-b', 60_000)).toEqual({ acquired: true });
        expect(await a.tryLock('r1', 'host-a', 60_000)).toEqual({ acquired: true });
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('a closed store answers STORE.UNAVAILABLE', async () => {
      const store = await createStore(DATABASE_URL, { schema: newSchema() });
      await store.close();
      await expect(store.ping()).rejects.toMatchObject({ code: 'STORE.UNAVAILABLE' });
    });
  });
});
