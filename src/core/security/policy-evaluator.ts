/**
 * A small, dependency-free IAM policy evaluator for the subset of the policy language the
 * baseline's documents use. It exists because the only complete evaluator we know of
 * (@cloud-copilot/iam-simulate) is AGPL and stays a dev dependency; the tests cross-check
 * this one against it.
 *
 * Anything outside the subset yields `cannot evaluate` instead of a guess: a wrong
 * "allowed" or "denied" would be worse than no answer for a security check.
 *
 * References (AWS IAM User Guide): "Policy evaluation logic" (explicit deny > allow >
 * implicit deny), "Condition operators" (…IfExists, negated operators on missing keys),
 * "Policy variables" (an unresolvable variable makes its element not match).
 */
import type { PolicyDocument } from '../model.js';

/** A request context value: single- or multi-valued. Keys are matched case-insensitively. */
export type ContextValue = string | string[];

/** One authorization request as IAM would see it. */
export interface AuthorizationRequest {
  /** The caller: an IAM user or role ARN, or an STS assumed-role session ARN. */
  principal: string;
  /** `service:Operation`, e.g. `iam:ChangePassword`. */
  action: string;
  /** The resource ARN, or `*` for actions that take no resource. */
  resource: string;
  /** Request context keys; a key missing here is absent from the request (e.g. `aws:MultiFactorAuthPresent` with long-term keys). */
  context: Record<string, ContextValue>;
}

export type Decision = 'allowed' | 'explicitly denied' | 'implicitly denied';

/** The verdict, with the statements that decided it, or why no verdict is possible. */
export type EvaluationResult =
  | { decision: Decision; decidedBy: string[] }
  | { decision: 'cannot evaluate'; reason: string };

/** An identity policy; a null document stands for one whose content is unknown (it may allow or deny anything). */
export interface NamedPolicy {
  name: string;
  document: PolicyDocument | null;
}

type Unknown = { unknown: string };
type Tri = boolean | Unknown;

const isUnknown = (t: unknown): t is Unknown => typeof t === 'object' && t !== null && !Array.isArray(t) && 'unknown' in t;

function and(...parts: (() => Tri)[]): Tri {
  let pending: Unknown | undefined;
  for (const part of parts) {
    const t = part();
    if (t === false) return false;
    if (isUnknown(t)) pending ??= t;
  }
  return pending ?? true;
}

function any(items: (() => Tri)[]): Tri {
  let pending: Unknown | undefined;
  for (const item of items) {
    const t = item();
    if (t === true) return true;
    if (isUnknown(t)) pending ??= t;
  }
  return pending ?? false;
}

function not(t: Tri): Tri {
  return isUnknown(t) ? t : !t;
}

// ---------------------------------------------------------------------------
// Context and policy variables
// ---------------------------------------------------------------------------

function lookup(context: Record<string, ContextValue>, key: string): string[] | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(context)) {
    if (k.toLowerCase() === wanted) return Array.isArray(v) ? v : [v];
  }
  return undefined;
}

/** A pattern split into literal text, wildcards and literal characters produced by variables. */
type Token = { literal: string } | { wildcard: '*' | '?' };

const VARIABLE = /\$\{([^}]*)\}/g;

/**
 * Resolves `${…}` in a policy string. Returns tokens (values of variables are literal, never
 * wildcards), null when a variable has no value (the element then matches nothing), or
 * Unknown for syntax this evaluator does not support.
 */
function tokenize(pattern: string, context: Record<string, ContextValue>, variables: boolean): Token[] | null | Unknown {
  const tokens: Token[] = [];
  const pushText = (text: string, wildcards: boolean): void => {
    if (!wildcards) {
      tokens.push({ literal: text });
      return;
    }
    let buf = '';
    for (const ch of text) {
      if (ch === '*' || ch === '?') {
        if (buf) tokens.push({ literal: buf });
        buf = '';
        tokens.push({ wildcard: ch });
      } else buf += ch;
    }
    if (buf) tokens.push({ literal: buf });
  };
  if (!variables) {
    pushText(pattern, true);
    return tokens;
  }
  let last = 0;
  for (const m of pattern.matchAll(VARIABLE)) {
    pushText(pattern.slice(last, m.index), true);
    last = m.index + m[0].length;
    const inner = m[1].trim();
    if (inner === '*' || inner === '?' || inner === '$') {
      tokens.push({ literal: inner });
      continue;
    }
    const withDefault = /^([^,\s]+)\s*,\s*'((?:[^']|'')*)'$/.exec(inner);
    const key = withDefault ? withDefault[1] : inner;
    if (!/^[\w:./-]+$/.test(key)) return { unknown: `unsupported policy variable \${${m[1]}}` };
    const value = lookup(context, key);
    if (value !== undefined && value.length === 1) tokens.push({ literal: value[0] });
    else if (withDefault) tokens.push({ literal: withDefault[2].replaceAll("''", "'") });
    else return null;
  }
  pushText(pattern.slice(last), true);
  return tokens;
}

function toRegExp(tokens: Token[], ignoreCase: boolean): RegExp {
  const body = tokens
    .map((t) => ('literal' in t ? t.literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : t.wildcard === '*' ? '.*' : '.'))
    .join('');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}

/** `*`/`?` glob match of a whole string, with policy variables resolved first. */
function globMatch(pattern: string, value: string, context: Record<string, ContextValue>, opts: { ignoreCase: boolean; variables: boolean }): Tri {
  const tokens = tokenize(pattern, context, opts.variables);
  if (tokens === null) return false;
  if (isUnknown(tokens)) return tokens;
  return toRegExp(tokens, opts.ignoreCase).test(value);
}

/** Splits an ARN into its six colon-separated parts (the last keeps its colons), or null. */
function arnParts(s: string): string[] | null {
  const parts = s.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return null;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * ARN match, part by part, so a wildcard never spans a colon (as ArnLike is documented to
 * behave). Patterns or values that are not six-part ARNs (`*`, say) fall back to a glob.
 */
function arnMatch(pattern: string, value: string, context: Record<string, ContextValue>, variables: boolean): Tri {
  if (pattern === '*') return true;
  const p = arnParts(pattern);
  const v = arnParts(value);
  if (!p || !v) return globMatch(pattern, value, context, { ignoreCase: false, variables });
  return and(...p.map((part, i) => () => globMatch(part, v[i], context, { ignoreCase: false, variables })));
}

// ---------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------

type ValueTest = (contextValue: string, policyValue: string) => Tri;

interface OperatorSpec {
  negated: boolean;
  test: ValueTest;
}

function numeric(compare: (a: number, b: number) => boolean): ValueTest {
  return (c, p) => {
    const a = Number(c);
    const b = Number(p);
    if (c.trim() === '' || p.trim() === '' || Number.isNaN(a) || Number.isNaN(b)) return { unknown: `non-numeric value in a Numeric condition (${c} / ${p})` };
    return compare(a, b);
  };
}

function date(compare: (a: number, b: number) => boolean): ValueTest {
  const parse = (s: string): number => (/^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s));
  return (c, p) => {
    const a = parse(c);
    const b = parse(p);
    if (Number.isNaN(a) || Number.isNaN(b)) return { unknown: `unparsable date in a Date condition (${c} / ${p})` };
    return compare(a, b);
  };
}

function operators(context: Record<string, ContextValue>, variables: boolean): Record<string, OperatorSpec> {
  const str = (ignoreCase: boolean): ValueTest => (c, p) => {
    const tokens = tokenize(p, context, variables);
    if (tokens === null) return false;
    if (isUnknown(tokens)) return tokens;
    const literal = tokens.map((t) => ('literal' in t ? t.literal : t.wildcard)).join('');
    return ignoreCase ? c.toLowerCase() === literal.toLowerCase() : c === literal;
  };
  const like: ValueTest = (c, p) => globMatch(p, c, context, { ignoreCase: false, variables });
  const arn: ValueTest = (c, p) => arnMatch(p, c, context, variables);
  const bool: ValueTest = (c, p) => {
    if (!/^(true|false)$/i.test(p)) return { unknown: `Bool condition value "${p}" is not true or false` };
    return c.toLowerCase() === p.toLowerCase();
  };
  return {
    StringEquals: { negated: false, test: str(false) },
    StringNotEquals: { negated: true, test: str(false) },
    StringEqualsIgnoreCase: { negated: false, test: str(true) },
    StringNotEqualsIgnoreCase: { negated: true, test: str(true) },
    StringLike: { negated: false, test: like },
    StringNotLike: { negated: true, test: like },
    NumericEquals: { negated: false, test: numeric((a, b) => a === b) },
    NumericNotEquals: { negated: true, test: numeric((a, b) => a === b) },
    NumericLessThan: { negated: false, test: numeric((a, b) => a < b) },
    NumericLessThanEquals: { negated: false, test: numeric((a, b) => a <= b) },
    NumericGreaterThan: { negated: false, test: numeric((a, b) => a > b) },
    NumericGreaterThanEquals: { negated: false, test: numeric((a, b) => a >= b) },
    DateEquals: { negated: false, test: date((a, b) => a === b) },
    DateNotEquals: { negated: true, test: date((a, b) => a === b) },
    DateLessThan: { negated: false, test: date((a, b) => a < b) },
    DateLessThanEquals: { negated: false, test: date((a, b) => a <= b) },
    DateGreaterThan: { negated: false, test: date((a, b) => a > b) },
    DateGreaterThanEquals: { negated: false, test: date((a, b) => a >= b) },
    Bool: { negated: false, test: bool },
    ArnEquals: { negated: false, test: arn },
    ArnLike: { negated: false, test: arn },
    ArnNotEquals: { negated: true, test: arn },
    ArnNotLike: { negated: true, test: arn },
  };
}

function policyValues(raw: unknown): string[] | Unknown {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) return { unknown: 'empty condition value list' };
  const out: string[] = [];
  for (const v of list) {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'boolean' || typeof v === 'number') out.push(String(v));
    else return { unknown: `condition value ${JSON.stringify(v)} is not a string, number or boolean` };
  }
  return out;
}

function evaluateConditionKey(
  opName: string,
  key: string,
  rawValues: unknown,
  context: Record<string, ContextValue>,
  variables: boolean,
): Tri {
  const values = policyValues(rawValues);
  if (isUnknown(values)) return values;

  let name = opName;
  let set: 'any' | 'all' | undefined;
  if (name.startsWith('ForAnyValue:')) {
    set = 'any';
    name = name.slice('ForAnyValue:'.length);
  } else if (name.startsWith('ForAllValues:')) {
    set = 'all';
    name = name.slice('ForAllValues:'.length);
  }
  let ifExists = false;
  if (name.endsWith('IfExists')) {
    ifExists = true;
    name = name.slice(0, -'IfExists'.length);
  }
  const present = lookup(context, key);

  if (name === 'Null') {
    if (set || ifExists) return { unknown: `unsupported condition operator ${opName}` };
    return any(
      values.map((v) => () => {
        if (!/^(true|false)$/i.test(v)) return { unknown: `Null condition value "${v}" is not true or false` };
        return (v.toLowerCase() === 'true') === (present === undefined);
      }),
    );
  }

  const spec = operators(context, variables)[name];
  if (!spec) return { unknown: `unsupported condition operator ${opName}` };

  if (present === undefined || present.length === 0) {
    if (set === 'all') return true;
    if (set === 'any') return false;
    return ifExists || spec.negated;
  }
  // A value matches when it satisfies the operator against any of the policy's values;
  // negated operators hold when it matches none of them.
  const holdsFor = (contextValue: string): Tri => {
    const matched = any(values.map((p) => () => spec.test(contextValue, p)));
    return spec.negated ? not(matched) : matched;
  };
  if (set === 'any') return any(present.map((c) => () => holdsFor(c)));
  if (set === 'all') return and(...present.map((c) => () => holdsFor(c)));
  if (present.length > 1) return { unknown: `multi-valued key ${key} used without ForAnyValue/ForAllValues` };
  return holdsFor(present[0]);
}

function evaluateCondition(condition: unknown, context: Record<string, ContextValue>, variables: boolean): Tri {
  if (condition === undefined) return true;
  if (!isObject(condition)) return { unknown: 'Condition is not an object' };
  const checks: (() => Tri)[] = [];
  for (const [op, block] of Object.entries(condition)) {
    if (!isObject(block)) return { unknown: `Condition operator ${op} does not hold an object` };
    for (const [key, values] of Object.entries(block)) {
      checks.push(() => evaluateConditionKey(op, key, values, context, variables));
    }
  }
  return and(...checks);
}

// ---------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, element: string): string[] | Unknown {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((x) => typeof x === 'string')) return { unknown: `${element} must be a string or a non-empty list of strings` };
  return list as string[];
}

function actionMatches(patterns: string[], action: string): Tri {
  return any(
    patterns.map((p) => () => {
      if (p !== '*' && !/^[\w-]+:[\w*?]+$/.test(p)) return { unknown: `malformed action "${p}"` };
      return globMatch(p, action, {}, { ignoreCase: true, variables: false });
    }),
  );
}

function principalMatches(principal: unknown, caller: string): Tri {
  if (principal === '*') return true;
  if (!isObject(principal)) return { unknown: 'Principal must be "*" or an object' };
  const callerArn = arnParts(caller);
  const checks: (() => Tri)[] = [];
  for (const [kind, raw] of Object.entries(principal)) {
    const list = stringList(raw, `Principal.${kind}`);
    if (isUnknown(list)) return list;
    if (kind !== 'AWS') {
      // Service, Federated and CanonicalUser principals never name an IAM user or role session.
      checks.push(() => false);
      continue;
    }
    for (const p of list) {
      checks.push(() => {
        if (p === '*') return true;
        if (/^\d{12}$/.test(p)) return callerArn?.[4] === p;
        const root = /^arn:([\w-]+):iam::(\d{12}):root$/.exec(p);
        if (root) return callerArn !== null && callerArn[1] === root[1] && callerArn[4] === root[2];
        if (p.includes('*') || p.includes('?')) return { unknown: `wildcard in principal "${p}"` };
        if (p === caller) return true;
        // A role named in a trust policy also matches its sessions (the session ARN carries no role path).
        const session = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(caller);
        const role = /^arn:([\w-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(p);
        return session !== null && role !== null && session[1] === role[1] && session[2] === role[2] && session[3] === role[3];
      });
    }
  }
  return any(checks);
}

const IDENTITY_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const TRUST_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Principal', 'Condition']);

type Kind = 'identity' | 'trust';

function statementApplies(st: Record<string, unknown>, request: AuthorizationRequest, kind: Kind, variables: boolean): Tri {
  const allowedKeys = kind === 'identity' ? IDENTITY_KEYS : TRUST_KEYS;
  for (const k of Object.keys(st)) {
    if (!allowedKeys.has(k)) return { unknown: `${k} is not supported in ${kind === 'identity' ? 'an identity' : 'a trust'} policy statement here` };
  }
  if ((st.Action === undefined) === (st.NotAction === undefined)) return { unknown: 'a statement needs exactly one of Action and NotAction' };

  const actionTri = (): Tri => {
    const list = stringList(st.Action ?? st.NotAction, st.Action !== undefined ? 'Action' : 'NotAction');
    if (isUnknown(list)) return list;
    const m = actionMatches(list, request.action);
    return st.Action !== undefined ? m : not(m);
  };
  const targetTri = (): Tri => {
    if (kind === 'trust') return principalMatches(st.Principal, request.principal);
    if ((st.Resource === undefined) === (st.NotResource === undefined)) return { unknown: 'a statement needs exactly one of Resource and NotResource' };
    const list = stringList(st.Resource ?? st.NotResource, st.Resource !== undefined ? 'Resource' : 'NotResource');
    if (isUnknown(list)) return list;
    const m = any(list.map((p) => () => arnMatch(p, request.resource, request.context, variables)));
    return st.Resource !== undefined ? m : not(m);
  };
  if (kind === 'trust' && st.Principal === undefined) return { unknown: 'a trust policy statement needs a Principal' };
  return and(actionTri, targetTri, () => evaluateCondition(st.Condition, request.context, variables));
}

interface Verdicts {
  denies: string[];
  allows: string[];
  unknownDeny?: string;
  unknownAllow?: string;
}

function collect(policies: NamedPolicy[], request: AuthorizationRequest, kind: Kind): Verdicts {
  const out: Verdicts = { denies: [], allows: [] };
  for (const { name, document } of policies) {
    if (document === null) {
      const why = `the content of policy ${name} is unknown`;
      out.unknownDeny ??= why;
      out.unknownAllow ??= why;
      continue;
    }
    // Policy variables exist only in version 2012-10-17; older documents treat ${…} literally.
    const variables = document.Version === '2012-10-17';
    const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    statements.forEach((raw, i) => {
      const label = `${name}/${isObject(raw) && typeof raw.Sid === 'string' && raw.Sid ? raw.Sid : `#${i}`}`;
      if (!isObject(raw) || (raw.Effect !== 'Allow' && raw.Effect !== 'Deny')) {
        const why = `${label}: a statement must be an object with Effect Allow or Deny`;
        out.unknownDeny ??= why;
        out.unknownAllow ??= why;
        return;
      }
      const applies = statementApplies(raw, request, kind, variables);
      if (applies === true) (raw.Effect === 'Deny' ? out.denies : out.allows).push(label);
      else if (isUnknown(applies)) {
        const why = `${label}: ${applies.unknown}`;
        if (raw.Effect === 'Deny') out.unknownDeny ??= why;
        else out.unknownAllow ??= why;
      }
    });
  }
  return out;
}

function decide(v: Verdicts): EvaluationResult {
  if (v.denies.length > 0) return { decision: 'explicitly denied', decidedBy: v.denies };
  if (v.unknownDeny) return { decision: 'cannot evaluate', reason: v.unknownDeny };
  if (v.allows.length > 0) return { decision: 'allowed', decidedBy: v.allows };
  if (v.unknownAllow) return { decision: 'cannot evaluate', reason: v.unknownAllow };
  return { decision: 'implicitly denied', decidedBy: [] };
}

/**
 * Evaluates identity-based policies (those attached to the caller, its groups or role):
 * an explicit deny wins over any allow, an allow over the implicit deny. A statement
 * this evaluator cannot judge makes the result `cannot evaluate` unless the outcome is
 * already settled without it (a matching Deny, or an Allow when only Allows are unknown).
 */
export function evaluateIdentityPolicies(policies: NamedPolicy[], request: AuthorizationRequest): EvaluationResult {
  return decide(collect(policies, request, 'identity'));
}

/**
 * Evaluates a role's trust policy for `sts:AssumeRole` by `request.principal`. Principal
 * `AWS` may be `*`, an account id, an account root ARN (any principal of that account,
 * whose own identity policies must then allow too — evaluate those separately) or an
 * exact user/role ARN. `request.resource` is the role ARN (not used by trust statements).
 */
export function evaluateTrustPolicy(trust: PolicyDocument, request: AuthorizationRequest, name = 'trust'): EvaluationResult {
  return decide(collect([{ name, document: trust }], request, 'trust'));
}
