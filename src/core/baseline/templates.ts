/**
 * Per-account templates. `{{AccountId}}` and `{{Partition}}` are rendered inside
 * strings of the parsed JSON (never by replacing raw JSON text, so a value can never
 * break the document's syntax). `PASTE_ACCOUNT_NUMBER`, the placeholder of the widely
 * copied force-MFA gist, is an alias of `{{AccountId}}`. IAM policy variables such as
 * `${aws:username}` use a different syntax and pass through untouched.
 */
import { DomainError } from '../errors.js';
import type { RenderContext } from '../model.js';

export const KNOWN_PLACEHOLDERS = ['AccountId', 'Partition'] as const;
export const ACCOUNT_ID_ALIAS = 'PASTE_ACCOUNT_NUMBER';

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** Messages for every unknown or malformed placeholder in `s`; empty when it renders cleanly. */
export function placeholderProblems(s: string): { rule: 'placeholder' | 'placeholder-syntax'; message: string }[] {
  const out: { rule: 'placeholder' | 'placeholder-syntax'; message: string }[] = [];
  for (const m of s.matchAll(PLACEHOLDER)) {
    if (!isKnown(m[1])) {
      out.push({ rule: 'placeholder', message: `unknown placeholder ${m[0]}; known: ${KNOWN_PLACEHOLDERS.join(', ')}` });
    }
  }
  const rest = s.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    out.push({ rule: 'placeholder-syntax', message: `unbalanced "{{" or "}}" in ${JSON.stringify(truncate(s))}; placeholders look like {{AccountId}}` });
  }
  return out;
}

/** Renders one string; throws BASELINE.INVALID on an unknown placeholder (validation reports them first). */
export function renderString(s: string, ctx: RenderContext): string {
  return substitute(s, ctx, (name) => {
    throw new DomainError('BASELINE.INVALID', `unknown placeholder {{${name}}}; known: ${KNOWN_PLACEHOLDERS.join(', ')}`);
  });
}

/** Renders every string of a JSON value, keys included; returns a new value. */
export function renderJson<T>(value: T, ctx: RenderContext): T {
  return mapStrings(value, (s) => renderString(s, ctx)) as T;
}

/** Renders the known placeholders and leaves unknown ones as written: for measuring sizes of documents that also have other problems. */
export function renderJsonLenient<T>(value: T, ctx: RenderContext): T {
  return mapStrings(value, (s) => substitute(s, ctx, (name) => `{{${name}}}`)) as T;
}

function substitute(s: string, ctx: RenderContext, unknown: (name: string) => string): string {
  return s
    .replace(PLACEHOLDER, (whole, raw: string) => {
      const name = raw.trim();
      if (name === 'AccountId') return ctx.accountId;
      if (name === 'Partition') return ctx.partition;
      return unknown(raw);
    })
    .replaceAll(ACCOUNT_ID_ALIAS, ctx.accountId);
}

function isKnown(raw: string): boolean {
  return (KNOWN_PLACEHOLDERS as readonly string[]).includes(raw.trim());
}

function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[f(k)] = mapStrings(v, f);
    return out;
  }
  return value;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
