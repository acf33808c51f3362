/**
 * Validation of a parsed baseline: every problem is collected (not just the first),
 * each naming the file, the JSON path of the field and the rule it breaks. Policy
 * documents given as file paths are read through `readDocument`, so this stays free
 * of file-system access and can be tested with in-memory documents.
 */
import { isDomainError } from '../errors.js';
import type { Baseline, GroupSpec, InlinePolicySpec, ManagedPolicySpec, PolicyDocument, RoleSpec } from '../model.js';
import type { BaselineProblem } from './baseline-problem.js';
import {
  DESCRIPTION_CHAR_PATTERN,
  IAM_LIMITS,
  NAME_PATTERN,
  PATH_PATTERN,
} from './iam-limits.js';
import { parseJsonText } from './parse-json.js';
import { policySize } from './policy-size.js';
import { placeholderProblems, renderJsonLenient } from './templates.js';
import { SIZE_CONTEXT, validateDocument, type DocumentKind } from './validate-document.js';

export interface ValidateBaselineOptions {
  /** The baseline file, as it should appear in problems. */
  file: string;
  /** Reads a document path relative to the baseline's folder. Throws DomainError BASELINE.NOT_FOUND when it does not exist. */
  readDocument(relPath: string): { text: string; file: string };
}

/** Validates an already-parsed baseline object (what loadBaseline uses after reading files). */
export function validateBaseline(raw: unknown, opts: ValidateBaselineOptions): { baseline?: Baseline; problems: BaselineProblem[] } {
  const v = new Validator(opts);
  const baseline = v.baseline(raw);
  const problems = dedupe(v.problems);
  return problems.length === 0 && baseline ? { baseline, problems } : { problems };
}

const POLICY_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|\{\{Partition\}\}):iam::(aws|\d{12}|\{\{AccountId\}\}|PASTE_ACCOUNT_NUMBER):policy\/([\x21-\x7E]*\/)?[\w+=,.@-]{1,128}$/;

// POSIX and Windows absolute paths; kept as a pattern so validation needs no file-system module.
const ABSOLUTE_PATH = /^([\\/]|[A-Za-z]:[\\/])/;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describeType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

class Validator {
  readonly problems: BaselineProblem[] = [];
  private readonly file: string;
  private readonly policyNames = new Set<string>();

  constructor(private readonly opts: ValidateBaselineOptions) {
    this.file = opts.file;
  }

  private add(field: string, rule: string, message: string, file = this.file): void {
    this.problems.push({ file, field, rule, message });
  }

  baseline(raw: unknown): Baseline | undefined {
    if (!isObject(raw)) {
      this.add('$', 'type', `the baseline must be a JSON object, not ${describeType(raw)}`);
      return undefined;
    }
    this.knownKeys(raw, '', ['version', 'policies', 'groups', 'roles']);
    if (!('version' in raw)) this.add('version', 'required', 'version is required; this tool reads version 1');
    else if (raw.version !== 1) this.add('version', 'version', `unsupported version ${JSON.stringify(raw.version)}; this tool reads version 1`);

    // Names first, so references from groups and roles can be checked whatever the order of problems.
    for (const p of this.list(raw, 'policies')) {
      if (isObject(p) && typeof p.name === 'string') this.policyNames.add(p.name);
    }
    const policies = this.uniqueIn(this.list(raw, 'policies').map((p, i) => this.policy(p, `policies[${i}]`)), 'policies', 'policy');
    const groups = this.uniqueIn(this.list(raw, 'groups').map((g, i) => this.group(g, `groups[${i}]`)), 'groups', 'group');
    const roles = this.uniqueIn(this.list(raw, 'roles').map((r, i) => this.role(r, `roles[${i}]`)), 'roles', 'role');
    return { policies, groups, roles };
  }

  private policy(raw: unknown, f: string): ManagedPolicySpec | undefined {
    if (!isObject(raw)) return this.notObject(f, 'policy');
    this.knownKeys(raw, f, ['name', 'path', 'description', 'document']);
    const name = this.name(raw, f, 'policy', IAM_LIMITS.nameLength);
    const path = this.path(raw, f);
    const description = this.description(raw, f);
    const doc = this.requiredDocument(raw, 'document', f, 'managed');
    if (name === undefined || doc === undefined) return undefined;
    return { name, path, ...(description !== undefined && { description }), document: doc.document, source: doc.source };
  }

  private group(raw: unknown, f: string): GroupSpec | undefined {
    if (!isObject(raw)) return this.notObject(f, 'group');
    this.knownKeys(raw, f, ['name', 'path', 'managedPolicies', 'inlinePolicies', 'exclusive']);
    const name = this.name(raw, f, 'group', IAM_LIMITS.nameLength);
    const path = this.path(raw, f);
    const managedPolicies = this.managedPolicies(raw, f);
    const inlinePolicies = this.inlinePolicies(raw, f, 'group-inline', IAM_LIMITS.groupInlineSize);
    const exclusive = this.exclusive(raw, f);
    if (name === undefined) return undefined;
    return { name, path, managedPolicies, inlinePolicies, exclusive };
  }

  private role(raw: unknown, f: string): RoleSpec | undefined {
    if (!isObject(raw)) return this.notObject(f, 'role');
    this.knownKeys(raw, f, ['name', 'path', 'description', 'maxSessionDuration', 'trustPolicy', 'managedPolicies', 'inlinePolicies', 'exclusive']);
    const name = this.name(raw, f, 'role', IAM_LIMITS.roleNameLength);
    const path = this.path(raw, f);
    const description = this.description(raw, f);
    const maxSessionDuration = this.maxSessionDuration(raw, f);
    const trust = this.requiredDocument(raw, 'trustPolicy', f, 'trust');
    const managedPolicies = this.managedPolicies(raw, f);
    const inlinePolicies = this.inlinePolicies(raw, f, 'role-inline', IAM_LIMITS.roleInlineSize);
    const exclusive = this.exclusive(raw, f);
    if (name === undefined || trust === undefined) return undefined;
    return {
      name,
      path,
      ...(description !== undefined && { description }),
      ...(maxSessionDuration !== undefined && { maxSessionDuration }),
      trustPolicy: trust.document,
      trustPolicySource: trust.source,
      managedPolicies,
      inlinePolicies,
      exclusive,
    };
  }

  // -- fields -----------------------------------------------------------------

  private knownKeys(raw: Obj, f: string, allowed: string[]): void {
    for (const key of Object.keys(raw)) {
      if (!allowed.includes(key)) {
        this.add(f === '' ? key : `${f}.${key}`, 'unknown-key', `unknown key "${key}"; allowed here: ${allowed.join(', ')}`);
      }
    }
  }

  private list(raw: Obj, key: string): unknown[] {
    const v = raw[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.add(key, 'type', `${key} must be an array, not ${describeType(v)}`);
      return [];
    }
    return v;
  }

  private notObject(f: string, what: string): undefined {
    this.add(f, 'type', `each ${what} must be a JSON object`);
    return undefined;
  }

  private name(raw: Obj, f: string, what: string, max: number): string | undefined {
    const field = `${f}.name`;
    const v = raw.name;
    if (v === undefined) {
      this.add(f, 'required', `a ${what} needs a name`);
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(field, 'type', `name must be a string, not ${describeType(v)}`);
      return undefined;
    }
    if (v.length === 0 || v.length > max) {
      this.add(field, 'name-length', `a ${what} name must be 1 to ${max} characters; "${v.slice(0, 40)}" has ${v.length}`);
    }
    if (!NAME_PATTERN.test(v)) {
      this.add(field, 'name-format', `${what} name "${v}" may contain only letters, digits and + = , . @ _ -`);
    }
    return v;
  }

  private path(raw: Obj, f: string): string {
    const v = raw.path;
    if (v === undefined) return '/';
    const field = `${f}.path`;
    if (typeof v !== 'string') {
      this.add(field, 'type', `path must be a string, not ${describeType(v)}`);
      return '/';
    }
    if (v.length > IAM_LIMITS.pathLength) this.add(field, 'path-length', `a path may have at most ${IAM_LIMITS.pathLength} characters; this one has ${v.length}`);
    if (!PATH_PATTERN.test(v)) {
      this.add(field, 'path-format', `path "${v}" must begin and end with "/" and hold only printable ASCII, e.g. "/" or "/security/"`);
    }
    return v;
  }

  private description(raw: Obj, f: string): string | undefined {
    const v = raw.description;
    if (v === undefined) return undefined;
    const field = `${f}.description`;
    if (typeof v !== 'string') {
      this.add(field, 'type', `description must be a string, not ${describeType(v)}`);
      return undefined;
    }
    if (v.length > IAM_LIMITS.descriptionLength) {
      this.add(field, 'description-length', `a description may have at most ${IAM_LIMITS.descriptionLength} characters; this one has ${v.length}`);
    }
    if (!DESCRIPTION_CHAR_PATTERN.test(v)) {
      this.add(field, 'description-charset', 'a description may contain only tab, LF, CR, printable ASCII and U+00A1–U+00FF');
    }
    return v;
  }

  private maxSessionDuration(raw: Obj, f: string): number | undefined {
    const v = raw.maxSessionDuration;
    if (v === undefined) return undefined;
    const { minSessionDuration: min, maxSessionDuration: max } = IAM_LIMITS;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.add(`${f}.maxSessionDuration`, 'max-session-duration', `maxSessionDuration must be a whole number of seconds from ${min} to ${max}, not ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  }

  private exclusive(raw: Obj, f: string): boolean {
    const v = raw.exclusive;
    if (v === undefined) return false;
    if (typeof v !== 'boolean') {
      this.add(`${f}.exclusive`, 'type', `exclusive must be true or false, not ${JSON.stringify(v)}`);
      return false;
    }
    return v;
  }

  private managedPolicies(raw: Obj, f: string): string[] {
    const v = raw.managedPolicies;
    const field = `${f}.managedPolicies`;
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.add(field, 'type', `managedPolicies must be an array of policy names or ARNs, not ${describeType(v)}`);
      return [];
    }
    if (v.length > IAM_LIMITS.managedPoliciesPerEntity) {
      this.add(field, 'max-managed-policies', `at most ${IAM_LIMITS.managedPoliciesPerEntity} managed policies may be attached to a group or role; ${v.length} are listed`);
    }
    const seen = new Map<string, number>();
    const refs: string[] = [];
    v.forEach((ref, i) => {
      const rf = `${field}[${i}]`;
      if (typeof ref !== 'string') {
        this.add(rf, 'type', `a managed policy reference must be a string, not ${describeType(ref)}`);
        return;
      }
      refs.push(ref);
      const first = seen.get(ref);
      if (first !== undefined) this.add(rf, 'duplicate-reference', `"${ref}" is already listed at ${field}[${first}]`);
      else seen.set(ref, i);
      this.reference(ref, rf);
    });
    return refs;
  }

  private reference(ref: string, field: string): void {
    if (ref.startsWith('arn:')) {
      const placeholders = placeholderProblems(ref);
      for (const p of placeholders) this.add(field, p.rule, p.message);
      if (placeholders.length === 0 && !POLICY_ARN.test(ref)) {
        this.add(field, 'policy-reference', `"${ref}" is not a policy ARN; expected arn:PARTITION:iam::ACCOUNT_ID:policy/[PATH/]NAME (PARTITION aws, aws-cn, aws-us-gov or {{Partition}}; ACCOUNT_ID 12 digits, aws or {{AccountId}})`);
      }
      return;
    }
    if (this.policyNames.has(ref)) return;
    const declared = [...this.policyNames];
    const near = declared.find((n) => n.toLowerCase() === ref.toLowerCase());
    const hint = near ? `; did you mean "${near}"?` : declared.length ? `; declared policies: ${declared.join(', ')}` : '; the baseline declares no policies';
    this.add(field, 'policy-reference', `"${ref}" is neither a policy declared in this baseline nor a policy ARN${hint}`);
  }

  private inlinePolicies(raw: Obj, f: string, kind: DocumentKind, aggregateLimit: number): InlinePolicySpec[] {
    const v = raw.inlinePolicies;
    const field = `${f}.inlinePolicies`;
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.add(field, 'type', `inlinePolicies must be an array of {"name", "document"}, not ${describeType(v)}`);
      return [];
    }
    const specs: (InlinePolicySpec | undefined)[] = v.map((p, i) => {
      const pf = `${field}[${i}]`;
      if (!isObject(p)) return this.notObject(pf, 'inline policy');
      this.knownKeys(p, pf, ['name', 'document']);
      const name = this.name(p, pf, 'inline policy', IAM_LIMITS.nameLength);
      const doc = this.requiredDocument(p, 'document', pf, kind);
      if (name === undefined || doc === undefined) return undefined;
      return { name, document: doc.document, source: doc.source };
    });
    const inline = this.uniqueIn(specs, field, 'inline policy');
    // IAM limits the sum of an entity's inline policies; one oversized document is already reported on its own.
    const sizes = inline.map((p) => policySize(renderJsonLenient(p.document, SIZE_CONTEXT)));
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total > aggregateLimit && sizes.every((s) => s <= aggregateLimit)) {
      this.add(field, 'inline-aggregate-size', `the inline policies of one ${kind === 'group-inline' ? 'group' : 'role'} may total at most ${aggregateLimit} characters (white space not counted); these total ${total}`);
    }
    return inline;
  }

  private requiredDocument(raw: Obj, key: string, f: string, kind: DocumentKind): { document: PolicyDocument; source: string } | undefined {
    const field = `${f}.${key}`;
    const ref = raw[key];
    if (ref === undefined) {
      this.add(f, 'required', `${key} is required: a path to a JSON file (relative to the baseline's folder) or an inline JSON object`);
      return undefined;
    }
    if (isObject(ref)) {
      this.problems.push(...validateDocument(ref, kind, { file: this.file, field }));
      return { document: ref, source: `${this.file}#${field}` };
    }
    if (typeof ref !== 'string' || ref === '') {
      this.add(field, 'type', `${key} must be a path to a JSON file or an inline JSON object, not ${describeType(ref)}`);
      return undefined;
    }
    if (ABSOLUTE_PATH.test(ref)) {
      this.add(field, 'relative-path', `document path "${ref}" must be relative to the baseline file's folder`);
      return undefined;
    }
    let read: { text: string; file: string };
    try {
      read = this.opts.readDocument(ref);
    } catch (e) {
      if (isDomainError(e) && e.code === 'BASELINE.NOT_FOUND') {
        this.add(field, 'file-exists', `document file "${ref}" does not exist (paths are relative to the baseline file's folder)`);
      } else {
        this.add(field, 'file-readable', `document file "${ref}" cannot be read: ${e instanceof Error ? e.message : String(e)}`);
      }
      return undefined;
    }
    const parsed = parseJsonText(read.text);
    if (!parsed.ok) {
      this.add('$', 'json-syntax', `${parsed.message} (used as ${field} in ${this.file})`, read.file);
      return undefined;
    }
    this.problems.push(...validateDocument(parsed.value, kind, { file: read.file, field: '', usedAs: `${field} in ${this.file}` }));
    return isObject(parsed.value) ? { document: parsed.value, source: read.file } : undefined;
  }

  // -- uniqueness (IAM names are not case-sensitive) ---------------------------

  private uniqueIn<T extends { name: string }>(specs: (T | undefined)[], list: string, what: string): T[] {
    const seen = new Map<string, number>();
    const out: T[] = [];
    specs.forEach((spec, i) => {
      if (!spec) return;
      const key = spec.name.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        this.add(`${list}[${i}].name`, 'unique-name', `duplicate ${what} name "${spec.name}" (first at ${list}[${first}].name; IAM names are not case-sensitive)`);
        return;
      }
      seen.set(key, i);
      out.push(spec);
    });
    return out;
  }
}

function dedupe(problems: BaselineProblem[]): BaselineProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}\u0000${p.field}\u0000${p.rule}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
