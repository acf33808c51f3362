import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/create-store.js';
import { rollout, result, runStoreContract } from './store-contract.js';

const root = mkdtempSync(join(tmpdir(), 'oir-sqlite-'));
let seq = 0;
const newDir = (): string => mkdtempSync(join(root, `t${seq++}-`));

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

runStoreContract('sqlite', async () => {
  const path = join(newDir(), 'rollouts.db');
  const raw = (fn: (db: Database.Database) => void): void => {
    const db = new Database(path);
    try {
      fn(db);
    } finally {
      db.close();
    }
  };
  return {
    store: await createStore(`sqlite:${path}`),
    openAnother: () => createStore(`sqlite:${path}`),
    breakResultWrites: async () =>
      raw((db) => db.exec("CREATE TRIGGER fail_results BEFORE INSERT ON account_results BEGIN SELECT RAISE(ABORT, 'simulated disk full'); END")),
    recordFutureSchemaVersion: async (version) =>
      raw((db) => db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', '2099-01-01T00:00:00.000Z')").run(version)),
  };
});

// True when this process can still write the path (root ignores mode bits).
function canWrite(path: string, isDir: boolean): boolean {
  try {
    if (isDir) {
      const probe = join(path, '.probe');
      writeFileSync(probe, '');
      unlinkSync(probe);
    } else {
      closeSync(openSync(path, 'r+'));
    }
    return true;
  } catch {
    return false;
  }
}

// Read-only for this process: mode bits for ordinary users, the immutable attribute
// when running as root (as in many CI containers), where mode bits do not apply.
function makeReadOnly(path: string, isDir: boolean): () => void {
  chmodSync(path, isDir ? 0o555 : 0o444);
  let immutable = false;
  if (canWrite(path, isDir)) {
    execFileSync('chattr', ['+i', path]);
    immutable = true;
  }
  expect(canWrite(path, isDir)).toBe(false);
  return () => {
    if (immutable) execFileSync('chattr', ['-i', path]);
    chmodSync(path, isDir ? 0o755 : 0o644);
  };
}

describe('sqlite store: opening', () => {
  it('creates a missing parent folder on first use', async () => {
    const path = join(newDir(), 'a', 'b', 'rollouts.db');
    const store = await createStore(`sqlite:${path}`);
    try {
      await store.createRollout(rollout('r1', 1));
      expect(existsSync(path)).toBe(true);
      expect((await store.getRollout('r1'))?.id).toBe('r1');
    } finally {
      await store.close();
    }
  });

  it('runs in WAL mode with foreign keys enforced', async () => {
    const path = join(newDir(), 'rollouts.db');
    const store = await createStore(`sqlite:${path}`);
    try {
      const db = new Database(path, { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
      // A result for an unknown rollout would be an orphan: the store refuses it.
      await expect(store.recordAccountResult('ghost', result('111111111111'))).rejects.toMatchObject({ code: 'ROLLOUT.NOT_FOUND' });
    } finally {
      await store.close();
    }
  });

  it('works in memory (sqlite::memory:)', async () => {
    const store = await createStore('sqlite::memory:');
    try {
      await store.createRollout(rollout('r1', 1));
      await store.recordAccountResult('r1', result('111111111111'));
      expect(await store.latestAccountResults()).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('a file of random bytes is STORE.CORRUPT, naming the path', async () => {
    const path = join(newDir(), 'garbage.db');
    writeFileSync(path, randomBytes(8192));
    await expect(createStore(`sqlite:${path}`)).rejects.toMatchObject({ code: 'STORE.CORRUPT', message: expect.stringContaining(path) });
  });

  it('a read-only database file is refused at start-up with STORE.READ_ONLY, naming the path', async () => {
    const dir = newDir();
    const path = join(dir, 'rollouts.db');
    const store = await createStore(`sqlite:${path}`);
    await store.close();
    const undo = makeReadOnly(path, false);
    try {
      const err = await createStore(`sqlite:${path}`).then(
        () => null,
        (e: { code: string; message: string }) => e,
      );
      expect(err).not.toBeNull();
      expect(err?.code).toBe('STORE.READ_ONLY');
      expect(err?.message).toContain(path);
    } finally {
      undo();
    }
  });

  it('a read-only folder is refused with STORE.READ_ONLY or STORE.UNAVAILABLE, naming the path', async () => {
    const dir = newDir();
    mkdirSync(join(dir, 'locked'));
    const locked = join(dir, 'locked');
    const undo = makeReadOnly(locked, true);
    try {
      for (const path of [join(locked, 'rollouts.db'), join(locked, 'sub', 'rollouts.db')]) {
        const err = await createStore(`sqlite:${path}`).then(
          () => null,
          (e: { code: string; message: string }) => e,
        );
        expect(err).not.toBeNull();
        expect(['STORE.READ_ONLY', 'STORE.UNAVAILABLE']).toContain(err?.code);
        expect(err?.message).toContain(path);
      }
    } finally {
      undo();
    }
  });

  it('rejects a STORE_URL that is neither sqlite: nor postgres://', async () => {
    await expect(createStore('mysql://db/x')).rejects.toMatchObject({ code: 'CONFIG.INVALID' });
  });
});
