/**
 * The core depends on ports only: no AWS SDK, no web framework, no database driver,
 * no logger implementation, and no import that reaches out of src/core.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const core = join(root, 'src/core');
const FORBIDDEN_PACKAGES = [/^@aws-sdk\//, /^@smithy\//, /^fastify/, /^@fastify\//, /^better-sqlite3/, /^pg$/, /^pino/, /^prom-client/, /^commander/, /^@cloud-copilot\//];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier in static imports, re-exports and dynamic imports. */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

export function boundaryViolations(files: string[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const rel = relative(root, file);
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(core)) problems.push(`${rel} imports ${spec}, outside src/core`);
      } else if (FORBIDDEN_PACKAGES.some((re) => re.test(spec))) {
        problems.push(`${rel} imports infrastructure package ${spec}`);
      }
    }
  }
  return problems;
}

describe('architecture: the core imports no infrastructure', () => {
  it('finds the core files', () => {
    expect(walk(core).length).toBeGreaterThan(3);
  });

  it('no file under src/core imports an adapter or an infrastructure package', () => {
    expect(boundaryViolations(walk(core))).toEqual([]);
  });

  it('the check catches a violation (guards the guard)', () => {
    const sample = "import { IAMClient } from '@aws-sdk/client-iam';\nimport x from '../../store/sqlite-store.js';\nexport * from './ok.js';";
    expect(importsOf(sample)).toEqual(['@aws-sdk/client-iam', '../../store/sqlite-store.js', './ok.js']);
  });
});
