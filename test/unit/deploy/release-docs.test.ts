/**
 * The operator documents say only true things about the code next to them: CHANGELOG's
 * latest release is package.json's version; docs/operations.md links to files that exist,
 * names real variables and CLI invocations, and states the exit codes the CLI returns.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../src/core/errors.js';
import { cliProblems, isKnownEnvName, readJson, readText, ROOT } from './deploy-rules.js';

const pkg = readJson<{ version: string }>('package.json');
const changelog = readText('CHANGELOG.md');
const operations = readText('docs/operations.md');

describe('CHANGELOG.md (Keep a Changelog)', () => {
  it('has an Unreleased section, then the package version as the newest release', () => {
    const releases = [...changelog.matchAll(/^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$/gm)].map((m) => ({ version: m[1], date: m[2] }));
    expect(releases[0]).toEqual({ version: 'Unreleased', date: undefined });
    expect(releases[1].version).toBe(pkg.version);
    expect(Number.isNaN(Date.parse(releases[1].date!))).toBe(false);
  });

  it('groups changes under the standard headings only', () => {
    const kinds = [...changelog.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
    expect(kinds.length).toBeGreaterThan(0);
    for (const k of kinds) expect(['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security']).toContain(k);
  });

  it('lists the features of the first release', () => {
    for (const feature of ['CLI', 'Simulator', 'SQLite', 'PostgreSQL', 'HTTP API', 'Force-MFA', 'evaluator', 'Container', 'cron']) {
      expect(changelog).toContain(feature);
    }
  });
});

describe('docs/operations.md', () => {
  it('links only to files that exist', () => {
    const links = [...operations.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(existsSync(resolve(dirname(join(ROOT, 'docs/operations.md')), link)), link).toBe(true);
  });

  it('names repository files that exist', () => {
    const paths = [...operations.matchAll(/\b((?:docker|config|docs)\/[\w./-]+\.(?:json|ya?ml|md))\b/g)].map((m) => m[1]);
    expect(paths.length).toBeGreaterThan(5);
    for (const p of new Set(paths)) expect(existsSync(join(ROOT, p)), p).toBe(true);
  });

  it('names only configuration-table and AWS SDK variables', () => {
    const names = new Set([...operations.matchAll(/\b((?:ROLLOUT|AWS)_[A-Z_]+[A-Z]|STORE_URL|API_TOKENS|LOG_LEVEL)\b/g)].map((m) => m[1]));
    expect(names.size).toBeGreaterThan(8);
    for (const name of names) expect({ name, known: isKnownEnvName(name) }).toEqual({ name, known: true });
  });

  it('shows only CLI invocations that parse', () => {
    // `docker build -t org-iam-rollout:TAG .` names the image; it is not a run.
    const invocations = [...operations.matchAll(/(?:node dist\/cli\/main\.js|(?<!-t )org-iam-rollout:[\w.]+)[ \t]+([^\n>|&;\\]*)/g)]
      .map((m) => m[1].trim().split(/\s+/).filter(Boolean))
      .filter((args) => args.length > 0);
    expect(invocations.length).toBeGreaterThanOrEqual(2);
    for (const args of invocations) expect({ args, problems: cliProblems(args) }).toEqual({ args, problems: [] });
  });

  it('states the exit codes the CLI returns', () => {
    const rows = new Map([...operations.matchAll(/^\| `(\d)` \| (.+)$/gm)].map((m) => [Number(m[1]), m[2]]));
    expect([...rows.keys()]).toEqual([0, 1, 2, 3]);
    expect(exitCodeFor('ROLLOUT.LOCKED')).toBe(3);
    expect(rows.get(3)).toMatch(/lock/);
    for (const code of ['CONFIG.INVALID', 'BASELINE.INVALID', 'STORE.UNAVAILABLE', 'USAGE.INVALID'] as const) expect(exitCodeFor(code)).toBe(2);
    expect(rows.get(2)).toMatch(/usage, configuration, baseline or store error.*Nothing was sent to AWS/);
    expect(exitCodeFor('ROLLOUT.ASSUME_ROLE_FAILED')).toBe(1);
    expect(rows.get(1)).toMatch(/failed or was unreachable.*aborted.*cancelled.*interrupted/);
  });

  it('covers the troubleshooting topics operators hit', () => {
    for (const topic of ['AccessDenied on AssumeRole', 'Throttling', 'Suspended', '5-version policy limit', 'SCPs that deny IAM changes', 'socket usage at capacity']) {
      expect(operations).toMatch(new RegExp(`^### .*${topic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    }
  });
});
