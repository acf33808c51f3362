/**
 * Does, in a temporary directory, what the Dockerfile's runtime stage assembles:
 * package.json + package-lock.json + dist/ + config/ and `npm ci --omit=dev`, then runs the
 * CLI from there: --version, a dry-run rollout against the simulator, and serve.
 * Needs `npm run build` first (`npm test` builds). No Docker engine is involved.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};
const MAIN = pkg.bin['org-iam-rollout'];
const TOKEN = 'layout-test-token-0123456789';
const DEV_ONLY = ['typescript', 'vitest', '@cloud-copilot/iam-simulate', 'fast-check', 'autocannon'];

let dir: string;
let sim: RunningSimulator;

/**
 * Only what the process needs: the developer's AWS_PROFILE, credentials or endpoint must not
 * leak into the runs, and npm's own npm_* variables (set when this runs under `npm test`)
 * must not steer the nested npm ci.
 */
function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot'];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, ...extra };
}

function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return baseEnv({
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    STORE_URL: `sqlite:${join(dir, 'r.db')}`,
    LOG_LEVEL: 'warn',
    ...extra,
  });
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

async function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  return new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, MAIN))) throw new Error(`${MAIN} is missing: run \`npm run build\` first (\`npm test\` does)`);
  dir = mkdtempSync(join(tmpdir(), 'org-iam-rollout-layout-'));
  for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(dir, f));
  for (const d of ['dist', 'config']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });

  // better-sqlite3's install script tries a prebuilt addon first, then compiles sqlite
  // from source, which takes minutes on a small CI machine. The deps stage of the image
  // compiles for real; here the addon this checkout already built is offered as the
  // "local prebuild" (prebuild-install reads its rc file from the parent directories),
  // so the test proves the dependency set and the layout, not the C compiler.
  // LAYOUT_TEST_BUILD_NATIVE=1 makes it compile as the image does (allow several minutes).
  const addon = join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  if (existsSync(addon) && !process.env.LAYOUT_TEST_BUILD_NATIVE) {
    const version = (JSON.parse(readFileSync(join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string }).version;
    const prebuilds = join(dir, '.prebuilds');
    mkdirSync(prebuilds);
    const tarball = join(prebuilds, `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`);
    await run('tar', ['-czf', tarball, '-C', join(ROOT, 'node_modules/better-sqlite3'), 'build/Release/better_sqlite3.node']);
    writeFileSync(join(dir, '.prebuild-installrc'), `local-prebuilds=${prebuilds}\n`);
  }

  await run('npm', ['ci', '--omit=dev', '--ignore-scripts=false', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    env: baseEnv({ npm_config_update_notifier: 'false' }),
    maxBuffer: 16 * 1024 * 1024,
  });
  sim = await startSimulator({ accounts: 5, port: 0 });
}, 240_000);

afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('runtime layout: package files + dist + config + production dependencies', () => {
  it('has every production dependency and no development dependency', () => {
    for (const name of Object.keys(pkg.dependencies)) expect(existsSync(join(dir, 'node_modules', name)), name).toBe(true);
    // The lockfile marks what only development needs (`dev: true`); a devDependency that a
    // production package also requires (yaml, for @fastify/swagger) rightly stays.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([, p]) => p.dev).map(([path]) => path);
    for (const name of DEV_ONLY) expect(devOnly).toContain(`node_modules/${name}`);
    expect(devOnly.length).toBeGreaterThan(DEV_ONLY.length);
    for (const path of devOnly) expect(existsSync(join(dir, path)), path).toBe(false);
    expect(existsSync(join(dir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
  });

  it('prints package.json\'s version', async () => {
    const { stdout } = await run('node', [MAIN, '--version'], { cwd: dir, env: baseEnv() });
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('runs `rollout --dry-run --json` against the simulator: one JSON report, exit 0, nothing written to IAM', async () => {
    // execFile rejects on a non-zero exit: resolving is the exit code 0 a scheduler would see.
    const { stdout } = await run('node', [MAIN, 'rollout', '--dry-run', '--json'], { cwd: dir, env: cliEnv(), maxBuffer: 16 * 1024 * 1024 });
    const report = JSON.parse(stdout) as {
      status: string;
      dryRun: boolean;
      summary: Record<string, number>;
      accounts: { status: string; apiCalls: { writes: number } }[];
    };
    expect(report.dryRun).toBe(true);
    expect(report.status).toBe('succeeded');
    expect(report.summary.planned).toBe(5);
    expect(report.summary.failed + report.summary.unreachable).toBe(0);
    expect(report.accounts.reduce((n, a) => n + a.apiCalls.writes, 0)).toBe(0);
    // The store is the SQLite file named by STORE_URL, under the temporary directory.
    expect(existsSync(join(dir, 'r.db'))).toBe(true);
  });

  it('serves /healthz without a token and the recorded rollout with one, then stops on SIGTERM with exit 0', async () => {
    const port = await freePort();
    const child = spawn('node', [MAIN, 'serve'], {
      cwd: dir,
      env: cliEnv({ API_TOKENS: `ops=${TOKEN}`, PORT: String(port), HOST: '127.0.0.1' }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    try {
      const base = `http://127.0.0.1:${port}`;
      let health: Response | undefined;
      for (let attempt = 0; attempt < 150 && !health; attempt++) {
        if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr}`);
        health = await fetch(`${base}/healthz`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 200));
      }
      expect(health?.status, stderr).toBe(200);
      expect(await health!.json()).toEqual({ status: 'ok' });

      expect((await fetch(`${base}/rollouts`)).status).toBe(401);
      const list = await fetch(`${base}/rollouts`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(list.status).toBe(200);
      // The dry run the CLI recorded before is what the API reads: one store, two processes.
      expect(JSON.stringify(await list.json())).toContain('"dryRun":true');
    } finally {
      child.kill('SIGTERM');
    }
    const { code } = await exitOf(child);
    expect(code, stderr).toBe(0);
  });
});
