import { describe, expect, it } from 'vitest';
import { parseStoreUrl, redactStoreUrl } from '../../src/store/store-url.js';

describe('STORE_URL parsing', () => {
  it('reads sqlite paths, in-memory databases and the postgres schema parameter', () => {
    expect(parseStoreUrl('sqlite:./data/rollouts.db')).toEqual({ kind: 'sqlite', path: './data/rollouts.db' });
    expect(parseStoreUrl('sqlite:///var/lib/oir/r.db')).toEqual({ kind: 'sqlite', path: '/var/lib/oir/r.db' });
    expect(parseStoreUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseStoreUrl('postgres://u:p@db:5432/app?schema=iam_rollout&sslmode=require')).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://u:p@db:5432/app?sslmode=require',
      schema: 'iam_rollout',
    });
  });

  it('never echoes a password when it refuses a URL', () => {
    for (const url of ['postgres://u:hunter2-secret@db/app?schema=Bad-Name', 'mysql://u:hunter2-secret@db/app']) {
      let message = '';
      try {
        parseStoreUrl(url);
      } catch (e) {
        message = (e as Error).message;
        expect((e as { code: string }).code).toBe('CONFIG.INVALID');
      }
      expect(message).not.toBe('');
      expect(message).not.toContain('hunter2-secret');
    }
  });

  it('redacts passwords in URLs and key=value strings', () => {
    expect(redactStoreUrl('postgres://admin:s3cr%40t@db:5432/app')).toBe('postgres://admin:***@db:5432/app');
    expect(redactStoreUrl('postgresql://admin@db/app')).toBe('postgresql://admin@db/app');
    expect(redactStoreUrl('host=db password=s3cret user=x')).toBe('host=db password=*** user=x');
  });
});
