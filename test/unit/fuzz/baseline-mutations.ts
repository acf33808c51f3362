/**
 * Random mutations of the default baseline (config/baseline.json and its documents),
 * written to a fresh folder: the fuzz tests feed them to loadBaseline and to the CLI.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';

export const BASELINE_FILES = ['baseline.json', 'policies/require-mfa.json', 'policies/administrators-assume-admin.json', 'policies/admin-trust.json'] as const;
export type BaselineFile = (typeof BASELINE_FILES)[number];

const originals = new Map<BaselineFile, string>(BASELINE_FILES.map((f) => [f, readFileSync(join('config', f), 'utf8')]));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path (list of keys/indexes) to a node of the JSON tree, the root included. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

type Op =
  | { kind: 'replace'; value: Json }
  | { kind: 'delete' }
  | { kind: 'add-key'; key: string; value: Json }
  | { kind: 'wrap' }
  | { kind: 'duplicate' };

export type Mutation =
  | { file: BaselineFile; target: number; op: Op }
  | { file: BaselineFile; text: 'truncate'; at: number }
  | { file: BaselineFile; text: 'insert'; at: number; chars: string }
  | { file: BaselineFile; text: 'remove' };

// Values that hit known rules: names, paths, ARNs, templates, limits, odd types.
const pointed = fc.constantFrom<Json>(
  '',
  ' ',
  'a'.repeat(129),
  'x'.repeat(7000),
  '/no-trailing-slash',
  'bad name!',
  '{{AccountId}}',
  '{{Unknown}}',
  'PASTE_ACCOUNT_NUMBER',
  'arn:aws:iam::aws:policy/AdministratorAccess',
  'arn:bogus',
  '../../../etc/passwd',
  '/etc/passwd',
  'policies/missing.json',
  'policies',
  '\u0000\u0001',
  '\u{1F600}',
  -1,
  0,
  1,
  2,
  3600,
  43201,
  1e308,
  0.5,
  true,
  false,
  null,
  [],
  {},
  { Version: '2012-10-17', Statement: [] },
  { Effect: 'Deny', Action: '*', Resource: '*' },
);

const jsonValue: fc.Arbitrary<Json> = fc.oneof({ weight: 3, arbitrary: pointed }, { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> });

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), value: jsonValue }),
  fc.constant({ kind: 'delete' as const }),
  fc.record({ kind: fc.constant('add-key' as const), key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'Version', 'name', 'exclusive', ''), fc.string()), value: jsonValue }),
  fc.constant({ kind: 'wrap' as const }),
  fc.constant({ kind: 'duplicate' as const }),
);

export const mutationArb: fc.Arbitrary<Mutation[]> = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ file: fc.constantFrom(...BASELINE_FILES), target: fc.nat(), op }) },
    { weight: 1, arbitrary: fc.record({ file: fc.constantFrom(...BASELINE_FILES), text: fc.constant('truncate' as const), at: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ file: fc.constantFrom(...BASELINE_FILES), text: fc.constant('insert' as const), at: fc.nat(), chars: fc.string({ minLength: 1, maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ file: fc.constantFrom(...BASELINE_FILES), text: fc.constant('remove' as const) }) },
  ),
  { minLength: 1, maxLength: 3 },
);

function applyOp(root: Json, path: (string | number)[], o: Op): Json {
  if (path.length === 0) {
    if (o.kind === 'replace') return o.value;
    if (o.kind === 'wrap') return [root];
    if (o.kind === 'add-key' && root && typeof root === 'object' && !Array.isArray(root)) {
      // defineProperty: a "__proto__" key must become an own key, as JSON.parse makes it.
      Object.defineProperty(root, o.key, { value: o.value, enumerable: true, writable: true, configurable: true });
      return root;
    }
    return o.kind === 'delete' ? null : root;
  }
  const parent = path.slice(0, -1).reduce<Json>((node, k) => (node as Record<string | number, Json>)[k], root) as Record<string | number, Json> | Json[];
  const key = path[path.length - 1];
  const current = (parent as Record<string | number, Json>)[key];
  switch (o.kind) {
    case 'replace':
      (parent as Record<string | number, Json>)[key] = o.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, Json>)[key];
      break;
    case 'wrap':
      (parent as Record<string | number, Json>)[key] = [current];
      break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(current));
      else (parent as Record<string | number, Json>)[key] = structuredClone(current);
      break;
    case 'add-key':
      if (current && typeof current === 'object' && !Array.isArray(current)) {
        Object.defineProperty(current, o.key, { value: o.value, enumerable: true, writable: true, configurable: true });
      } else (parent as Record<string | number, Json>)[key] = { [o.key]: o.value };
      break;
  }
  return root;
}

/** Writes the mutated baseline under `dir`; returns the baseline path and the files that changed. */
export function writeMutated(dir: string, mutations: Mutation[]): { baselinePath: string; changed: Set<BaselineFile> } {
  const texts = new Map(originals);
  const removed = new Set<BaselineFile>();
  const changed = new Set<BaselineFile>();
  for (const m of mutations) {
    changed.add(m.file);
    const text = texts.get(m.file) ?? '';
    if ('op' in m) {
      let value: Json;
      try {
        value = JSON.parse(text) as Json;
      } catch {
        continue; // already broken by a text mutation
      }
      const all = paths(value);
      texts.set(m.file, JSON.stringify(applyOp(value, all[m.target % all.length], m.op), null, 2) ?? 'null');
    } else if (m.text === 'truncate') texts.set(m.file, text.slice(0, m.at % Math.max(1, text.length)));
    else if (m.text === 'insert') {
      const at = m.at % Math.max(1, text.length);
      texts.set(m.file, text.slice(0, at) + m.chars + text.slice(at));
    } else removed.add(m.file);
  }
  for (const f of BASELINE_FILES) {
    if (removed.has(f)) continue;
    const target = join(dir, f);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, texts.get(f)!);
  }
  return { baselinePath: join(dir, 'baseline.json'), changed };
}
