import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { simulateCommand, simulatorOptionsFromCli } from '../../../src/cli/commands/simulate.js';
import { rejection, sts } from './sim-helpers.js';

const ROOT = join(import.meta.dirname, '../../..');

describe('simulate: options', () => {
  it('maps the command line onto simulator options', () => {
    expect(
      simulatorOptionsFromCli({
        port: '0',
        accounts: '40',
        seed: '5',
        latencyMs: '10',
        jitterMs: '3',
        throttleRate: '2.5',
        failureRate: '0.1',
        dropRate: '0',
        partition: 'aws-us-gov',
        fault: ['{"account":"123456789012","operation":"PutGroupPolicy","code":"AccessDenied","status":403,"times":1}'],
      }),
    ).toEqual({
      port: 0,
      host: '127.0.0.1',
      accounts: 40,
      seed: 5,
      latencyMs: 10,
      jitterMs: 3,
      throttle: { rate: 2.5, burst: 3 },
      failureRate: 0.1,
      dropRate: 0,
      partition: 'aws-us-gov',
      scripted: [{ account: '123456789012', operation: 'PutGroupPolicy', code: 'AccessDenied', status: 403, times: 1 }],
    });
    expect(simulatorOptionsFromCli({})).toEqual({ port: 4566, host: '127.0.0.1' });
  });

  it.each([
    [{ accounts: 'many' }, '--accounts "many": must be a whole number from 1 to 20000'],
    [{ accounts: '20001' }, '--accounts "20001": must be a whole number from 1 to 20000'],
    [{ failureRate: '1.5' }, '--failure-rate "1.5": must be a number from 0 to 1'],
    [{ throttleBurst: '5' }, '--throttle-burst needs --throttle-rate'],
    [{ org: 'x.json', accounts: '3' }, '--accounts and --org exclude each other'],
    [{ partition: 'azure' }, '--partition "azure"'],
    [{ fault: ['{oops'] }, '--fault #1: not valid JSON'],
    [{ fault: ['{"code":"AccessDenied","times":0}'] }, '--fault #1: times: must be a number from 1'],
  ])('refuses %j with USAGE.INVALID', (cli, message) => {
    let err: unknown;
    try {
      simulatorOptionsFromCli(cli);
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string }).code).toBe('USAGE.INVALID');
    expect((err as Error).message).toContain(message);
  });
});

describe('simulate: in process', () => {
  it('prints the ready line, serves, and closes when its signal aborts', async () => {
    const lines: string[] = [];
    const controller = new AbortController();
    const done = simulateCommand({ port: '0', accounts: '4', seed: '8' }, { print: (l) => lines.push(l), signal: controller.signal });
    while (lines.length === 0) await new Promise((r) => setTimeout(r, 10));
    const ready = JSON.parse(lines[0]) as { endpoint: string; managementAccountId: string; accounts: number };
    expect(Object.keys(ready)).toEqual(['endpoint', 'managementAccountId', 'accounts']);
    expect(ready.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.accounts).toBe(4);
    const id = await sts({ endpoint: ready.endpoint }).send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe(ready.managementAccountId);
    controller.abort();
    expect(await done).toBe(0);
    const after = await rejection(fetch(`${ready.endpoint}/_sim/health`));
    expect(after).toBeInstanceOf(TypeError);
  });
});

describe('simulate: the built CLI, spawned', () => {
  let pkg: string;
  let main: string;
  beforeAll(async () => {
    // A private build: `node dist/cli/main.js` as users run it, without touching the repository's dist/.
    pkg = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    symlinkSync(join(ROOT, 'config'), join(pkg, 'config'));
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], {
      cwd: ROOT,
    }).catch((e: { stdout?: string }) => {
      // Type errors elsewhere in a tree under construction still emit JavaScript; a missing entry point below is the real failure.
      return e;
    });
    main = join(pkg, 'dist/cli/main.js');
  }, 300_000);
  afterAll(() => {
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [main, ...args], { env: { ...process.env, LOG_LEVEL: 'silent' } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('prints exactly one JSON line when ready, applies --fault, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [main, 'simulate', '--port', '0', '--accounts', '6', '--seed', '4', '--fault', '{"operation":"GetCallerIdentity","code":"AccessDenied","status":403,"times":1}'], {
      env: { ...process.env, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdoutLines: string[] = [];
    const rl = createInterface({ input: child.stdout! });
    const firstLine = new Promise<string>((resolve) => rl.once('line', resolve));
    rl.on('line', (l) => stdoutLines.push(l));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const ready = JSON.parse(await firstLine) as { endpoint: string; managementAccountId: string; accounts: number };
    expect(Object.keys(ready)).toEqual(['endpoint', 'managementAccountId', 'accounts']);
    expect(ready.accounts).toBe(6);
    const client = sts({ endpoint: ready.endpoint });
    expect((await rejection(client.send(new GetCallerIdentityCommand({})))).name).toBe('AccessDenied');
    expect((await client.send(new GetCallerIdentityCommand({}))).Account).toBe(ready.managementAccountId);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdoutLines).toHaveLength(1);
    expect(stderr).toBe('');
  });

  it('exits 2 with one clear line on stderr for bad options, unknown options and bad org files', async () => {
    const bad = await run(['simulate', '--accounts', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim()).toBe('org-iam-rollout: --accounts "abc": must be a whole number from 1 to 20000');

    const unknown = await run(['simulate', '--acounts', '3']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--acounts'");

    const missing = await run(['simulate', '--port', '0', '--org', join(pkg, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('org file');
    expect(missing.stderr).toContain('cannot be read (ENOENT)');
    for (const r of [bad, unknown, missing]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
