import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBaseline, renderBaseline, type BaselineProblem } from '../../../src/core/baseline/index.js';
import { DomainError } from '../../../src/core/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baseline-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(rel: string, content: unknown): string {
  const file = join(dir, rel);
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

function loadError(path: string): DomainError {
  try {
    loadBaseline(path);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected loadBaseline to throw');
}

const ALLOW = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: 'arn:{{Partition}}:iam::{{AccountId}}:user/${aws:username}' }] };

describe('loadBaseline: the shipped config/baseline.json', () => {
  it('loads with zero problems and renders with no placeholder left', () => {
    const loaded = loadBaseline('config/baseline.json');
    expect(loaded.path).toBe(resolve('config/baseline.json'));
    expect(loaded.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.baseline.policies.map((p) => p.name)).toEqual(['RequireMFAPolicy']);
    expect(loaded.baseline.groups.map((g) => g.name)).toEqual(['Users', 'Administrators']);
    expect(loaded.baseline.roles.map((r) => r.name)).toEqual(['admin']);

    const desired = renderBaseline(loaded.baseline, { accountId: '123456789012', partition: 'aws' });
    const text = JSON.stringify(desired);
    expect(text).not.toContain('{{');
    expect(text).not.toContain('PASTE_ACCOUNT_NUMBER');
    expect(text).toContain('arn:aws:iam::123456789012:user/${aws:username}');
    expect(desired.roles[0].managedPolicyArns).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    expect(desired.groups[0].managedPolicyArns).toEqual(['arn:aws:iam::123456789012:policy/RequireMFAPolicy']);
  });

  it('hashes the same content the same way, wherever it lives', () => {
    const copy = join(dir, 'copy');
    cpSync('config', copy, { recursive: true });
    expect(loadBaseline(join(copy, 'baseline.json')).hash).toBe(loadBaseline('config/baseline.json').hash);
  });
});

describe('loadBaseline', () => {
  it('reads documents relative to the baseline file, not the working directory', () => {
    write('policies/p.json', ALLOW);
    const file = write('baseline.json', { version: 1, policies: [{ name: 'P', document: 'policies/p.json' }] });
    const loaded = loadBaseline(file);
    expect(loaded.baseline.policies[0]).toMatchObject({ name: 'P', path: '/', document: ALLOW, source: join(dir, 'policies/p.json') });
  });

  it('throws BASELINE.NOT_FOUND when the baseline file does not exist', () => {
    const e = loadError(join(dir, 'nope.json'));
    expect(e.code).toBe('BASELINE.NOT_FOUND');
    expect(e.details?.problems).toEqual([{ file: join(dir, 'nope.json'), field: '$', rule: 'file-exists', message: 'the baseline file does not exist' }]);
    expect(e.message).toContain('nope.json');
  });

  it('throws BASELINE.NOT_FOUND when only documents are missing, naming each', () => {
    const file = write('baseline.json', { version: 1, policies: [{ name: 'P', document: 'a.json' }, { name: 'Q', document: 'b.json' }] });
    const e = loadError(file);
    expect(e.code).toBe('BASELINE.NOT_FOUND');
    expect((e.details?.problems as BaselineProblem[]).map((p) => p.field)).toEqual(['policies[0].document', 'policies[1].document']);
  });

  it('throws BASELINE.INVALID with line and column for broken JSON', () => {
    const file = write('baseline.json', '{\n  "version": 1,\n  "policies": [\n    { "name": "P" "document": {} }\n  ]\n}\n');
    const e = loadError(file);
    expect(e.code).toBe('BASELINE.INVALID');
    const [p] = e.details?.problems as BaselineProblem[];
    expect(p).toMatchObject({ file, field: '$', rule: 'json-syntax' });
    expect(p.message).toMatch(/line 4, column 19/);
  });

  it('reports every problem, each naming file, field and rule, in the message and in details.problems', () => {
    write('policies/p.json', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: 'arn:{{Foo}}' }] });
    const file = write('baseline.json', {
      version: 1,
      policies: [{ name: 'P', document: 'policies/p.json' }],
      groups: [{ name: 'G', managedPolicies: ['Q'], extra: 1 }],
      roles: [{ name: 'R', trustPolicy: 'policies/missing.json' }],
    });
    const e = loadError(file);
    expect(e.code).toBe('BASELINE.INVALID');
    const problems = e.details?.problems as BaselineProblem[];
    expect(problems.map((p) => [p.file, p.field, p.rule])).toEqual([
      [join(dir, 'policies/p.json'), 'Statement[0].Resource', 'placeholder'],
      [file, 'groups[0].extra', 'unknown-key'],
      [file, 'groups[0].managedPolicies[0]', 'policy-reference'],
      [file, 'roles[0].trustPolicy', 'file-exists'],
    ]);
    expect(e.message).toMatch(/^The baseline has 4 problems:/);
    for (const p of problems) expect(e.message).toContain(`${p.file} ${p.field}: ${p.message} [rule ${p.rule}]`);
  });

  it('accepts a UTF-8 byte order mark', () => {
    write('p.json', `\uFEFF${JSON.stringify(ALLOW)}`);
    const file = write('baseline.json', `\uFEFF${JSON.stringify({ version: 1, policies: [{ name: 'P', document: 'p.json' }] })}`);
    expect(loadBaseline(file).baseline.policies).toHaveLength(1);
  });

  describe('hash', () => {
    const setup = (doc: string, baseline: unknown = { version: 1, policies: [{ name: 'P', document: 'p.json' }] }) => {
      write('p.json', doc);
      return loadBaseline(write('baseline.json', baseline)).hash;
    };

    it('ignores formatting and key order, and defaults written out', () => {
      const a = setup(JSON.stringify(ALLOW));
      const b = setup(JSON.stringify({ Statement: ALLOW.Statement, Version: ALLOW.Version }, null, 4));
      const c = setup(JSON.stringify(ALLOW), { policies: [{ path: '/', document: 'p.json', name: 'P' }], version: 1 });
      const d = setup(JSON.stringify(ALLOW), { version: 1, policies: [{ name: 'P', document: ALLOW }] });
      expect(new Set([a, b, c, d]).size).toBe(1);
    });

    it('changes when a document changes', () => {
      const a = setup(JSON.stringify(ALLOW));
      const changed = structuredClone(ALLOW);
      changed.Statement[0].Action = 'iam:ListUsers';
      expect(setup(JSON.stringify(changed))).not.toBe(a);
      expect(setup(JSON.stringify(ALLOW))).toBe(a);
    });
  });
});
