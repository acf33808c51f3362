/**
 * Reads a baseline file and the policy documents it refers to.
 *
 * Baseline file format (version 1; unknown keys are errors):
 *
 *   {
 *     "version": 1,
 *     "policies": [{ "name", "path"?: "/", "description"?, "document": "relative/path.json" | { inline JSON } }],
 *     "groups":   [{ "name", "path"?: "/", "managedPolicies"?: ["<baseline policy name>" | "arn:…"],
 *                    "inlinePolicies"?: [{ "name", "document" }], "exclusive"?: false }],
 *     "roles":    [{ "name", "path"?: "/", "description"?, "maxSessionDuration"?: 3600..43200,
 *                    "trustPolicy": path | object, "managedPolicies"?, "inlinePolicies"?, "exclusive"?: false }]
 *   }
 *
 * - Document paths are relative to the baseline file's folder.
 * - Documents and policy ARNs may use {{AccountId}} and {{Partition}}, rendered per account;
 *   PASTE_ACCOUNT_NUMBER is an alias of {{AccountId}}; IAM variables like ${aws:username} stay as written.
 * - `exclusive: true` removes managed and inline policies the baseline does not list from that group or role.
 *
 * docs/baseline.md describes every rule checked.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DomainError } from '../errors.js';
import type { Baseline } from '../model.js';
import { formatProblem, type BaselineProblem } from './baseline-problem.js';
import { canonicalDocument } from './canonical-document.js';
import { parseJsonText } from './parse-json.js';
import { validateBaseline } from './validate-baseline.js';

export interface LoadedBaseline {
  baseline: Baseline;
  /** The baseline file, resolved to an absolute path. */
  path: string;
  /** sha256 hex of the canonical baseline (documents included, templates unrendered). */
  hash: string;
}

/** Reads and validates a baseline file; throws DomainError BASELINE.INVALID / BASELINE.NOT_FOUND with details.problems: BaselineProblem[]. */
export function loadBaseline(path: string): LoadedBaseline {
  const absolute = resolve(path);
  const read = readText(absolute);
  if ('missing' in read) {
    throw failure('BASELINE.NOT_FOUND', [{ file: path, field: '$', rule: 'file-exists', message: 'the baseline file does not exist' }]);
  }
  if ('error' in read) {
    throw failure('BASELINE.INVALID', [{ file: path, field: '$', rule: 'file-readable', message: `the baseline file cannot be read (${read.error})` }]);
  }
  const parsed = parseJsonText(read.text);
  if (!parsed.ok) throw failure('BASELINE.INVALID', [{ file: path, field: '$', rule: 'json-syntax', message: parsed.message }]);

  const folder = dirname(path);
  const { baseline, problems } = validateBaseline(parsed.value, {
    file: path,
    readDocument(relPath) {
      const shown = join(folder, relPath);
      const doc = readText(resolve(dirname(absolute), relPath));
      if ('missing' in doc) throw new DomainError('BASELINE.NOT_FOUND', `document file not found: ${shown}`);
      if ('error' in doc) throw new DomainError('BASELINE.INVALID', doc.error);
      return { text: doc.text, file: shown };
    },
  });
  if (!baseline) {
    const onlyMissing = problems.every((p) => p.rule === 'file-exists');
    throw failure(onlyMissing ? 'BASELINE.NOT_FOUND' : 'BASELINE.INVALID', problems);
  }
  return { baseline, path: absolute, hash: baselineHash(baseline) };
}

/** sha256 hex of the canonical baseline; where documents came from does not count, only what they say. */
export function baselineHash(baseline: Baseline): string {
  const stripped = JSON.parse(JSON.stringify(baseline), (key, value: unknown) =>
    key === 'source' || key === 'trustPolicySource' ? undefined : value,
  ) as unknown;
  return createHash('sha256').update(canonicalDocument({ version: 1, ...(stripped as object) })).digest('hex');
}

function readText(absolute: string): { text: string } | { missing: true } | { error: string } {
  try {
    return { text: readFileSync(absolute, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { missing: true };
    return { error: code ?? (e instanceof Error ? e.message : String(e)) };
  }
}

function failure(code: 'BASELINE.INVALID' | 'BASELINE.NOT_FOUND', problems: BaselineProblem[]): DomainError {
  const head = problems.length === 1 ? 'The baseline has 1 problem' : `The baseline has ${problems.length} problems`;
  return new DomainError(code, `${head}:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`, { problems });
}
