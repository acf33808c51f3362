/**
 * Offline checks of one policy document against what IAM would reject, so a bad
 * baseline fails `validate` instead of failing in every account of the organization.
 */
import type { RenderContext } from '../model.js';
import type { BaselineProblem } from './baseline-problem.js';
import { DOCUMENT_CHAR_PATTERN, IAM_LIMITS } from './iam-limits.js';
import { joinPath, walkStrings } from './json-path.js';
import { policySize } from './policy-size.js';
import { placeholderProblems, renderJsonLenient } from './templates.js';

export type DocumentKind = 'managed' | 'group-inline' | 'role-inline' | 'trust';

export interface DocumentLocation {
  file: string;
  /** Path of the document inside `file`; '' when the document is the whole file. */
  field: string;
  /** Where the baseline refers to it, added to messages when the document is its own file. */
  usedAs?: string;
}

/** The longest rendering: sizes are measured for a 12-digit account id and the longest partition name. */
export const SIZE_CONTEXT: RenderContext = { accountId: '123456789012', partition: 'aws-us-gov' };

const SIZE_LIMIT: Record<DocumentKind, { limit: number; rule: string; what: string }> = {
  managed: { limit: IAM_LIMITS.managedPolicySize, rule: 'managed-policy-size', what: 'a managed policy document' },
  'group-inline': { limit: IAM_LIMITS.groupInlineSize, rule: 'inline-policy-size', what: 'a group inline policy' },
  'role-inline': { limit: IAM_LIMITS.roleInlineSize, rule: 'inline-policy-size', what: 'a role inline policy' },
  trust: { limit: IAM_LIMITS.trustPolicySize, rule: 'trust-policy-size', what: 'a role trust policy' },
};

const TOP_LEVEL_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const VERSIONS = ['2012-10-17', '2008-10-17'];

export function validateDocument(doc: unknown, kind: DocumentKind, loc: DocumentLocation): BaselineProblem[] {
  const problems: BaselineProblem[] = [];
  const suffix = loc.usedAs ? ` (used as ${loc.usedAs})` : '';
  const add = (field: string, rule: string, message: string): void => {
    problems.push({ file: loc.file, field: field === '' ? '$' : field, rule, message: message + suffix });
  };
  const at = (key: string | number): string => joinPath(loc.field, key);

  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    add(loc.field, 'document-type', 'a policy document must be a JSON object with Version and Statement');
    return problems;
  }
  const d = doc as Record<string, unknown>;

  for (const key of Object.keys(d)) {
    if (!TOP_LEVEL_KEYS.has(key)) add(at(key), 'unknown-element', `unknown policy element "${key}"; allowed: ${[...TOP_LEVEL_KEYS].join(', ')}`);
  }
  if (!('Version' in d)) add(loc.field, 'document-version', 'Version is required ("2012-10-17")');
  else if (typeof d.Version !== 'string' || !VERSIONS.includes(d.Version)) {
    add(at('Version'), 'document-version', `Version must be "2012-10-17" or "2008-10-17", not ${JSON.stringify(d.Version)}`);
  }

  const statements = checkStatementList(d, at, add, loc.field);
  const sids = new Map<string, number>();
  statements.forEach(({ statement, field }, index) => {
    const sf = (key: string): string => joinPath(field, key);
    if (statement === null || typeof statement !== 'object' || Array.isArray(statement)) {
      add(field, 'document-statement', 'each statement must be a JSON object');
      return;
    }
    const s = statement as Record<string, unknown>;
    for (const key of Object.keys(s)) {
      if (!STATEMENT_KEYS.has(key)) add(sf(key), 'unknown-element', `unknown statement element "${key}"; allowed: ${[...STATEMENT_KEYS].join(', ')}`);
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
      add('Effect' in s ? sf('Effect') : field, 'statement-effect', `Effect must be "Allow" or "Deny", not ${JSON.stringify(s.Effect) ?? 'missing'}`);
    }
    checkActions(s, sf, field, add);
    // IAM User Guide, "IAM JSON policy elements: Sid": ASCII letters and digits, unique within a policy.
    if ('Sid' in s) {
      if (typeof s.Sid !== 'string' || !/^[A-Za-z0-9]*$/.test(s.Sid)) {
        add(sf('Sid'), 'sid-format', 'Sid may contain only ASCII letters and digits');
      } else if (s.Sid !== '') {
        const first = sids.get(s.Sid);
        if (first !== undefined) add(sf('Sid'), 'unique-sid', `Sid "${s.Sid}" is already used by statement ${first}; Sids must be unique within a policy`);
        else sids.set(s.Sid, index);
      }
    }
    const hasResource = 'Resource' in s || 'NotResource' in s;
    const hasPrincipal = 'Principal' in s || 'NotPrincipal' in s;
    if (kind === 'trust') {
      if (!('Principal' in s)) add(field, 'statement-principal', 'a trust policy statement must name a Principal');
      if (hasResource) add(sf('Resource' in s ? 'Resource' : 'NotResource'), 'statement-resource', 'a trust policy statement must not have Resource or NotResource');
    } else {
      if (hasPrincipal) add(sf('Principal' in s ? 'Principal' : 'NotPrincipal'), 'statement-principal', 'an identity policy must not name a Principal (only trust and resource policies do)');
      if (!hasResource) add(field, 'statement-resource', 'an identity policy statement needs Resource or NotResource');
    }
  });

  walkStrings(d, loc.field, (s, path) => {
    for (const p of placeholderProblems(s)) add(path, p.rule, p.message);
    if (!DOCUMENT_CHAR_PATTERN.test(s)) {
      const bad = [...s].find((c) => !DOCUMENT_CHAR_PATTERN.test(c)) ?? '';
      const code = `U+${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
      add(path, 'charset', `character ${code} is not allowed; documents may contain only tab, LF, CR and U+0020–U+00FF`);
    }
  });

  const { limit, rule, what } = SIZE_LIMIT[kind];
  const size = policySize(renderJsonLenient(d, SIZE_CONTEXT));
  if (size > limit) {
    add(loc.field, rule, `${what} may have at most ${limit} characters (white space not counted); this one has ${size} when rendered for the longest account id and partition`);
  }
  return problems;
}

function checkStatementList(
  d: Record<string, unknown>,
  at: (key: string | number) => string,
  add: (field: string, rule: string, message: string) => void,
  root: string,
): { statement: unknown; field: string }[] {
  if (!('Statement' in d)) {
    add(root, 'document-statement', 'Statement is required (an object or a non-empty array)');
    return [];
  }
  const st = d.Statement;
  if (Array.isArray(st)) {
    if (st.length === 0) add(at('Statement'), 'document-statement', 'Statement must not be empty');
    return st.map((statement, i) => ({ statement, field: joinPath(at('Statement'), i) }));
  }
  if (st !== null && typeof st === 'object') return [{ statement: st, field: at('Statement') }];
  add(at('Statement'), 'document-statement', 'Statement must be an object or a non-empty array of objects');
  return [];
}

function checkActions(
  s: Record<string, unknown>,
  sf: (key: string) => string,
  field: string,
  add: (field: string, rule: string, message: string) => void,
): void {
  const has = ['Action', 'NotAction'].filter((k) => k in s);
  if (has.length === 0) {
    add(field, 'statement-action', 'a statement needs Action or NotAction');
    return;
  }
  if (has.length === 2) {
    add(field, 'statement-action', 'a statement may have Action or NotAction, not both');
    return;
  }
  const value = s[has[0]];
  const valid =
    (typeof value === 'string' && value !== '') ||
    (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v !== ''));
  if (!valid) add(sf(has[0]), 'statement-action', `${has[0]} must be a non-empty string or a non-empty array of strings`);
}
