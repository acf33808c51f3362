/**
 * The built CLI's `validate --baseline FILE` over randomly mutated baselines: exit 0 or 2,
 * never 1 (an internal error), never a stack trace; a refusal names the file at fault.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutationArb, writeMutated } from '../../unit/fuzz/baseline-mutations.js';
import { assertBuilt, runCli } from './reliability-helpers.js';

const RUNS = Number(process.env.RELIABILITY_CLI_FUZZ_RUNS ?? 8);
let root: string;

beforeAll(() => {
  assertBuilt();
  root = mkdtempSync(join(tmpdir(), 'oir-validate-fuzz-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function validate(baselinePath: string) {
  const r = await runCli(['validate', '--baseline', baselinePath], { STORE_URL: 'sqlite::memory:' });
  expect([0, 2], `exit ${r.code}: ${r.stderr}`).toContain(r.code);
  expect(r.stderr).not.toMatch(/\n\s+at [\w.<>]+ \(|internal error/);
  return r;
}

describe('validate --baseline over hostile files', () => {
  it(`${RUNS} random mutations: exit 0 or 2, a one-screen message naming the file`, async () => {
    const samples = fc.sample(mutationArb, { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 5) });
    const codes: number[] = [];
    for (const [i, mutations] of samples.entries()) {
      const dir = join(root, String(i));
      const { baselinePath, changed } = writeMutated(dir, mutations);
      const r = await validate(baselinePath);
      codes.push(r.code!);
      if (r.code === 2) expect([...changed].some((f) => r.stderr.includes(join(dir, f))) || r.stderr.includes(baselinePath), r.stderr).toBe(true);
      else expect(r.stdout).toContain('is valid');
    }
    expect(codes).toContain(2);
  });

  it('a document nested 100,000 deep, a binary file and a missing file are usage errors (2)', async () => {
    const dir = join(root, 'special');
    writeMutated(dir, []);
    writeFileSync(join(dir, 'policies/require-mfa.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect((await validate(join(dir, 'baseline.json'))).stderr).toContain('nested deeper than');
    const bin = join(root, 'binary.json');
    writeFileSync(bin, Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b]));
    expect((await validate(bin)).code).toBe(2);
    expect((await validate(join(root, 'nope.json'))).code).toBe(2);
    expect((await validate(root)).code).toBe(2); // a folder, not a file
  });
});
