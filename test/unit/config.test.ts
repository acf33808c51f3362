import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, loadConfig, parseApiTokens } from '../../src/config.js';
import { DomainError } from '../../src/core/errors.js';

function configError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('has documented defaults and freezes the result', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ region: 'us-east-1', roleName: 'OrganizationAccountAccessRole', concurrency: 25, failureTolerance: '10%', storeUrl: 'sqlite:./data/rollouts.db', port: 8080, host: '127.0.0.1', logLevel: 'info' });
    expect(c.baselinePath.endsWith(join('config', 'baseline.json'))).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('the environment wins over the config file, options win over both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ ROLLOUT_CONCURRENCY: 7, ROLLOUT_ROLE_NAME: 'FromFile', PORT: 9000 }));
    const c = loadConfig({ ROLLOUT_CONFIG: file, ROLLOUT_ROLE_NAME: 'FromEnv' }, { PORT: '9001' });
    expect(c.concurrency).toBe(7);
    expect(c.roleName).toBe('FromEnv');
    expect(c.port).toBe(9001);
  });

  it.each([
    [{ ROLLOUT_CONCURRENCY: '0' }, 'ROLLOUT_CONCURRENCY', /1 to 500/],
    [{ ROLLOUT_CONCURRENCY: 'ten' }, 'ROLLOUT_CONCURRENCY', /whole number/],
    [{ ROLLOUT_FAILURE_TOLERANCE: '150%' }, 'ROLLOUT_FAILURE_TOLERANCE', /0% to 100%/],
    [{ ROLLOUT_FAILURE_TOLERANCE: 'some' }, 'ROLLOUT_FAILURE_TOLERANCE', /count .* or a percent/],
    [{ STORE_URL: 'mysql://x' }, 'STORE_URL', /sqlite:PATH or postgres/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of/],
    [{ ROLLOUT_ROLE_NAME: 'bad name' }, 'ROLLOUT_ROLE_NAME', /1–64 characters/],
    [{ AWS_REGION: 'moon' }, 'AWS_REGION', /region name/],
    [{ ROLLOUT_INCLUDE_MANAGEMENT_ACCOUNT: 'maybe' }, 'ROLLOUT_INCLUDE_MANAGEMENT_ACCOUNT', /true or false/],
  ])('rejects %o naming %s and the rule', (env, key, rule) => {
    const e = configError(() => loadConfig(env));
    expect(e.code).toBe('CONFIG.INVALID');
    expect(e.message).toContain(key);
    expect(e.message).toMatch(rule);
    expect(e.message).toMatch(/^environment /);
  });

  it('names the config file and unknown keys in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ NOT_A_KEY: 1 }));
    expect(configError(() => loadConfig({ ROLLOUT_CONFIG: file })).message).toBe(`config file ${file}: unknown key "NOT_A_KEY"`);
    writeFileSync(file, '{ nope');
    expect(configError(() => loadConfig({ ROLLOUT_CONFIG: file })).message).toMatch(/not valid JSON/);
  });

  it('never echoes a password or token in its errors', () => {
    const e = configError(() => loadConfig({ STORE_URL: 'mysql://user:hunter2secret@db/x' }));
    expect(e.message).not.toContain('hunter2secret');
    const t = configError(() => loadConfig({ API_TOKENS: 'short-secret' }));
    expect(t.message).not.toContain('short-secret');
    expect(t.message).toMatch(/at least 16 characters/);
  });
});

describe('parseApiTokens', () => {
  it('parses plain, named and read-only tokens', () => {
    expect(parseApiTokens('aaaaaaaaaaaaaaaa, ops=bbbbbbbbbbbbbbbb:ro')).toEqual([
      { name: 'token1', token: 'aaaaaaaaaaaaaaaa', readOnly: false },
      { name: 'ops', token: 'bbbbbbbbbbbbbbbb', readOnly: true },
    ]);
    expect(parseApiTokens(undefined)).toEqual([]);
  });
});

describe('README', () => {
  it('documents every configuration variable', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    for (const key of Object.keys(CONFIG_KEYS)) expect(readme, key).toContain(`\`${key}\``);
  });
});
