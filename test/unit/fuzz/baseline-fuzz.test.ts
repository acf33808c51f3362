/**
 * Hostile baselines: random mutations of config/baseline.json and its documents either
 * load, or fail with DomainError BASELINE.* whose message names the file at fault.
 * Never another exception (a TypeError from a validator walking an unexpected shape).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBaseline, plan, renderBaseline } from '../../../src/core/baseline/index.js';
import { isDomainError } from '../../../src/core/errors.js';
import { mutationArb, writeMutated } from './baseline-mutations.js';

const root = mkdtempSync(join(tmpdir(), 'oir-fuzz-'));
let seq = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadBaseline over mutated baselines', () => {
  it('loads or throws BASELINE.* naming the file, never anything else', () => {
    let failures = 0;
    let loads = 0;
    fc.assert(
      fc.property(mutationArb, (mutations) => {
        const dir = join(root, String(seq++));
        const { baselinePath, changed } = writeMutated(dir, mutations);
        let loaded;
        try {
          loaded = loadBaseline(baselinePath);
        } catch (e) {
          failures++;
          if (!isDomainError(e)) throw new Error(`not a DomainError: ${(e as Error)?.stack ?? String(e)}`);
          expect(e.code).toMatch(/^BASELINE\.(INVALID|NOT_FOUND)$/);
          // The message names the file at fault: the baseline or the document that was mutated.
          const named = [...changed].some((f) => e.message.includes(join(dir, f))) || e.message.includes(baselinePath);
          expect(named, e.message).toBe(true);
          expect(e.message).not.toMatch(/\n\s+at /); // no stack trace in a user-facing message
          return;
        }
        loads++;
        // What loads renders and plans for any account without throwing.
        const desired = renderBaseline(loaded.baseline, { accountId: '123456789012', partition: 'aws' });
        expect(Array.isArray(plan(desired, { policies: {}, groups: {}, roles: {} }))).toBe(true);
      }),
      { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? 42) },
    );
    // Both outcomes were exercised.
    expect(failures).toBeGreaterThan(50);
    expect(loads).toBeGreaterThan(5);
  });

  it('a deeply nested or huge document is rejected, not a crash', () => {
    const deep = (n: number): string => `${'{"Statement":['.repeat(n)}"x"${']}'.repeat(n)}`;
    const huge = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'x'.repeat(1_000_000), Resource: '*' }] });
    for (const text of [deep(100), deep(100_000), huge]) {
      const dir = join(root, String(seq++));
      writeMutated(dir, []);
      const docPath = join(dir, 'policies/require-mfa.json');
      writeFileSync(docPath, text);
      let caught: unknown;
      try {
        loadBaseline(join(dir, 'baseline.json'));
      } catch (e) {
        caught = e;
      }
      expect(isDomainError(caught), String((caught as Error)?.stack).slice(0, 500)).toBe(true);
      expect((caught as Error).message).toContain(docPath);
    }
  });
});
