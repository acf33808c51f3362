/**
 * Shared by the reliability tests: the built CLI as a child process, convergence checks
 * over the simulator's IAM state, and a loopback proxy that makes one account hang.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountResult, RolloutSummary } from '../../../src/core/model.js';
import type { OrgDescription } from '../../../src/simulator/org/description.js';
import type { RunningSimulator } from '../../../src/simulator/index.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
export const CLI = join(ROOT, 'dist/cli/main.js');

/** The CLI tests run the built output, as users do; `npm test` builds first. */
export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
}

export interface CliRun {
  child: ChildProcess;
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startCli(args: string[], env: Record<string, string>): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AWS_REGION: 'us-east-1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
  });
  return { child, exited };
}

export function runCli(args: string[], env: Record<string, string>) {
  return startCli(args, env).exited;
}

/** The environment that points the CLI at a simulator with management credentials. */
export function simEnv(sim: RunningSimulator, storeUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIARELIABILITY0001',
    AWS_SECRET_ACCESS_KEY: 'reliability-secret',
    STORE_URL: storeUrl,
    ROLLOUT_FAILURE_TOLERANCE: '100%',
    ...extra,
  };
}

/** An organization of `n` ACTIVE, role-bearing member accounts (every one reachable). */
export function plainOrg(n: number, first = 300000000000): OrgDescription {
  return {
    managementAccount: { id: '111111111111', name: 'management' },
    ous: [{ name: 'Workloads' }],
    accounts: Array.from({ length: n }, (_, i) => ({ id: String(first + i), name: `acct-${i}`, ou: 'Workloads' })),
  } as OrgDescription;
}

/** Member accounts a rollout can converge: ACTIVE, with the member role, not the management account. */
export function reachableIds(sim: RunningSimulator): string[] {
  return sim.org.accounts.filter((a) => !a.isManagement && a.state === 'ACTIVE' && !a.missingRole).map((a) => a.id);
}

interface Dump {
  policies: { name: string; arn: string; defaultVersionId: string; attachmentCount: number; tags: Record<string, string>; versions: { versionId: string; isDefaultVersion: boolean }[] }[];
  groups: { name: string; attachedPolicyArns: string[]; inlinePolicies: Record<string, unknown> }[];
  roles: { name: string; attachedPolicyArns: string[]; tags: Record<string, string> }[];
}

/**
 * What is wrong with one account's IAM against the default baseline, as a list of
 * problems (empty when converged). `maxVersions` is 1 for an account converged once
 * from scratch: any second version is a duplicate or an orphan of a retried write.
 */
export function convergenceProblems(sim: RunningSimulator, accountId: string, maxVersions = 1): string[] {
  const d = sim.iam.dump(accountId) as Dump;
  const problems: string[] = [];
  const arn = `arn:aws:iam::${accountId}:policy/RequireMFAPolicy`;
  const managed = d.policies.filter((p) => p.tags['managed-by'] === 'org-iam-rollout');
  if (managed.length !== 1 || managed[0].name !== 'RequireMFAPolicy') problems.push(`managed policies: ${managed.map((p) => p.name).join(',') || 'none'}`);
  const policy = d.policies.find((p) => p.name === 'RequireMFAPolicy');
  if (policy) {
    const defaults = policy.versions.filter((v) => v.isDefaultVersion);
    if (defaults.length !== 1) problems.push(`${defaults.length} default versions`);
    if (policy.versions.length > maxVersions) problems.push(`${policy.versions.length} versions (${policy.versions.map((v) => v.versionId).join(',')})`);
    if (policy.attachmentCount !== 1) problems.push(`policy attached ${policy.attachmentCount} times`);
  }
  const users = d.groups.filter((g) => g.name === 'Users');
  if (users.length !== 1 || JSON.stringify(users[0].attachedPolicyArns) !== JSON.stringify([arn])) problems.push(`Users group: ${JSON.stringify(users)}`);
  const admins = d.groups.find((g) => g.name === 'Administrators');
  if (!admins || Object.keys(admins.inlinePolicies).join() !== 'AssumeAdminRole' || admins.attachedPolicyArns.length !== 0) problems.push('Administrators group');
  const role = d.roles.filter((r) => r.name === 'admin');
  if (role.length !== 1 || JSON.stringify(role[0].attachedPolicyArns) !== JSON.stringify(['arn:aws:iam::aws:policy/AdministratorAccess'])) problems.push('admin role');
  return problems.map((p) => `${accountId}: ${p}`);
}

/** True when the rollout left any trace in the account's IAM. */
export function touched(sim: RunningSimulator, accountId: string): boolean {
  const d = sim.iam.dump(accountId) as Dump;
  return d.policies.some((p) => p.name === 'RequireMFAPolicy') || d.groups.some((g) => g.name === 'Users' || g.name === 'Administrators') || d.roles.some((r) => r.name === 'admin');
}

export function countStatuses(rows: readonly Pick<AccountResult, 'status'>[]): RolloutSummary {
  const s: RolloutSummary = { total: 0, compliant: 0, updated: 0, planned: 0, failed: 0, unreachable: 0, skipped: 0 };
  for (const r of rows) {
    s.total++;
    s[r.status]++;
  }
  return s;
}

/** Polls `check` until it returns a value; bounded by a count of polls, not a clock. */
export async function until<T>(check: () => T | undefined | Promise<T | undefined>, what: string, polls = 1200, everyMs = 25): Promise<T> {
  for (let i = 0; i < polls; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await sleep(everyMs);
  }
  throw new Error(`gave up waiting for ${what} after ${polls} polls`);
}

/**
 * A loopback HTTP proxy in front of the simulator that never answers requests for one
 * account: AssumeRole into it (its id is in the RoleArn) and every call signed with the
 * credentials AssumeRole handed out for it. The simulator's faults cannot hang a request.
 */
export class HangingProxy {
  private readonly server: Server;
  private readonly keys = new Set<string>();
  hung = 0;
  endpoint = '';

  constructor(
    private readonly upstream: string,
    private readonly accountId: string,
  ) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        const key = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
        const assumingTarget = /Action=AssumeRole/.test(text) && decodeURIComponent(text).includes(`::${this.accountId}:role/`);
        if ((key && this.keys.has(key)) || assumingTarget) {
          // Only the target's own calls hang; its AssumeRole answers once, so its IAM calls hang.
          if (!assumingTarget || this.keys.size > 0) {
            this.hung++;
            return;
          }
        }
        const up = httpRequest(`${this.upstream}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (upRes) => {
          const out: Buffer[] = [];
          upRes.on('data', (c: Buffer) => out.push(c));
          upRes.on('end', () => {
            const answer = Buffer.concat(out);
            if (assumingTarget) {
              const issued = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(answer.toString('utf8'))?.[1];
              if (issued) this.keys.add(issued);
            }
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            res.end(answer);
          });
        });
        up.on('error', () => res.destroy());
        up.end(body);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
