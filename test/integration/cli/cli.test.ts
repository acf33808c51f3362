/**
 * The built CLI, as users and cron jobs run it: exit codes, `--json` purity, errors without
 * stack traces, nothing sent to AWS on a usage/config/store error.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';
import { createStore } from '../../../src/store/create-store.js';
import { smallOrg } from '../../helpers/rollout-env.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist/cli/main.js');
const org = smallOrg();
const unreachableId = org.accounts[11].id;

let sim: RunningSimulator;
let dir: string;

interface Run { code: number | null; stdout: string; stderr: string }

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        AWS_ENDPOINT_URL: sim.endpoint,
        AWS_ACCESS_KEY_ID: 'AKIACLITEST00000000',
        AWS_SECRET_ACCESS_KEY: 'cli-secret-value',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        STORE_URL: `sqlite:${join(dir, 'r.db')}`,
        ROLLOUT_BASELINE: join(dir, 'config', 'baseline.json'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, org });
  dir = mkdtempSync(join(tmpdir(), 'oir-cli-'));
  cpSync(join(root, 'config'), join(dir, 'config'), { recursive: true });
});
afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('org-iam-rollout CLI', () => {
  it('--version prints the package version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });

  it('validate checks the baseline offline and renders it for a sample account', async () => {
    const r = await run(['validate', '--check-mfa']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/is valid/);
    expect(r.stdout).toMatch(/MFA expectations: (\d+)\/\1 hold/);
  });

  it('a broken baseline is exit code 2 naming the file and the rule, without a stack trace, and nothing reaches AWS', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, policies: [{ name: 'Bad Name!', document: { Version: '2012-10-17', Statement: [] } }], groups: [], roles: [] }));
    sim.resetStats();
    for (const args of [['validate', '--baseline', bad], ['rollout', '--baseline', bad]]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('bad.json');
      expect(r.stderr).toMatch(/policies\[0\]\.name/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(sim.stats().totals.total).toBe(0);
  });

  it.each([
    [['rollout', '--account', '12345'], /--account "12345": an account id is 12 digits/],
    [['rollout', '--ou', 'nope'], /--ou "nope"/],
    [['rollout', '--concurrency', '0'], /ROLLOUT_CONCURRENCY/],
    [['rollout', '--failure-tolerance', 'many'], /--failure-tolerance/],
    [['rollout', '--no-such-option'], /unknown option/],
    [['status', 'abc'], /an account id is 12 digits/],
  ])('usage error %j is exit code 2 with a clear message', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unusable store is exit code 2 before any AWS call', async () => {
    const corrupt = join(dir, 'corrupt.db');
    writeFileSync(corrupt, 'this is not a database'.repeat(200));
    sim.resetStats();
    const r = await run(['rollout'], { STORE_URL: `sqlite:${corrupt}` });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('corrupt.db');
    expect(sim.stats().totals.total).toBe(0);
  });

  it('plan changes nothing; rollout --json prints exactly one JSON document; exit 1 while an account is unreachable', async () => {
    sim.resetStats();
    const plan = await run(['plan', '--exclude', unreachableId]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/planned changes/);
    expect(sim.stats().totals.writes).toBe(0);

    const r = await run(['rollout', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.status).toBe('failed');
    expect(report.summary.unreachable).toBe(1);
    expect(report.accounts.find((a: { accountId: string }) => a.accountId === unreachableId).status).toBe('unreachable');
    expect(r.stdout).not.toContain('cli-secret-value');
    expect(r.stderr).not.toContain('cli-secret-value');

    const again = await run(['rollout', '--json', '--exclude', unreachableId]);
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout);
    expect(second.summary.updated).toBe(0);
    expect(second.accounts.every((a: { apiCalls: { writes: number } }) => a.apiCalls.writes === 0)).toBe(true);
  });

  it('status and report read the store', async () => {
    const status = await run(['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).accounts.length).toBe(org.accounts.length + 1);
    const one = await run(['status', org.accounts[0].id]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(org.accounts[0].id);
    const report = await run(['report', 'latest', '--json']);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout).accounts.length).toBeGreaterThan(0);
    const missing = await run(['report', 'no-such-rollout']);
    expect(missing.code).toBe(2);
  });

  it('exit code 3 while another rollout holds the lock, naming it', async () => {
    const store = await createStore(`sqlite:${join(dir, 'r.db')}`);
    try {
      const held = await store.tryLock('20261203T000000Z-holder', 'another-host:1', 60_000);
      expect(held.acquired).toBe(true);
      const r = await run(['rollout']);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('20261203T000000Z-holder');
    } finally {
      await store.releaseLock('20261203T000000Z-holder');
      await store.close();
    }
  });

  it('--retry-failed starts a new rollout over the failed and unreachable accounts', async () => {
    const latest = JSON.parse((await run(['report', 'latest', '--json'])).stdout);
    const withFailures = JSON.parse((await run(['rollout', '--json', '--account', unreachableId])).stdout);
    expect(withFailures.summary.unreachable).toBe(1);
    const retry = await run(['rollout', '--json', '--retry-failed', withFailures.id]);
    expect(retry.code).toBe(1);
    const report = JSON.parse(retry.stdout);
    expect(report.trigger).toBe('retry');
    expect(report.parentId).toBe(withFailures.id);
    expect(report.accounts.map((a: { accountId: string }) => a.accountId)).toEqual([unreachableId]);
    expect(latest.id).not.toBe(report.id);
  });
});
