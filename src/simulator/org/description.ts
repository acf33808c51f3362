/**
 * The JSON description of an organization (`simulate --org FILE`, or `org` in the options),
 * and its validation. Errors name the file and the field so a typo is found at once.
 */
import { readFileSync } from 'node:fs';
import type { AccountState } from '../../core/model.js';
import { DomainError } from '../../core/errors.js';
import type { IamSeed } from '../iam/index.js';

/** One OU of the tree; `id` is generated when absent. */
export interface OuDescription {
  id?: string;
  name: string;
  tags?: Record<string, string>;
  children?: OuDescription[];
}

/** One member account. */
export interface AccountDescription {
  /** 12 digits. */
  id: string;
  name: string;
  email?: string;
  /** Default ACTIVE. */
  state?: AccountState;
  /** The parent OU: its id, its name path (`Workloads/Prod`) or a unique name. Default: the root. */
  ou?: string;
  tags?: Record<string, string>;
  /** Default CREATED, or INVITED when `missingRole` is true. */
  joinedMethod?: 'CREATED' | 'INVITED';
  /** True: no OrganizationAccountAccessRole in the account. Default: true for invited accounts. */
  missingRole?: boolean;
  /** Pre-existing IAM objects, handed to the IAM world's seed. */
  iam?: IamSeed;
}

/** An organization described exactly. */
export interface OrgDescription {
  /** `o-` and 10–32 characters; generated when absent. */
  organizationId?: string;
  /** `r-` and 4–32 characters; generated when absent. */
  rootId?: string;
  managementAccount: { id: string; name?: string; email?: string; iam?: IamSeed };
  ous?: OuDescription[];
  accounts: AccountDescription[];
}

export const ACCOUNT_STATES: readonly AccountState[] = ['PENDING_ACTIVATION', 'ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'];
export const MAX_MEMBER_ACCOUNTS = 20_000;

const ACCOUNT_ID_RE = /^\d{12}$/;
const ORG_ID_RE = /^o-[a-z0-9]{10,32}$/;
const ROOT_ID_RE = /^r-[0-9a-z]{4,32}$/;
const OU_ID_RE = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

type Obj = Record<string, unknown>;

class Checker {
  constructor(private readonly source: string) {}

  fail(field: string, rule: string): never {
    throw new DomainError('CONFIG.INVALID', `${this.source}: ${field}: ${rule}`, { field, rule });
  }

  object(value: unknown, field: string, allowed: readonly string[]): Obj {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, 'must be a JSON object');
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail(field ? `${field}.${key}` : key, `unknown field (allowed: ${allowed.join(', ')})`);
    }
    return value as Obj;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'must be an array');
    return value;
  }

  string(value: unknown, field: string, re?: RegExp, rule?: string): string {
    if (typeof value !== 'string' || value.length === 0) this.fail(field, 'must be a non-empty string');
    if (re && !re.test(value)) this.fail(field, rule ?? `must match ${re}`);
    return value;
  }

  optionalString(value: unknown, field: string, re?: RegExp, rule?: string): string | undefined {
    return value === undefined ? undefined : this.string(value, field, re, rule);
  }

  boolean(value: unknown, field: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.fail(field, 'must be true or false');
    return value;
  }

  tags(value: unknown, field: string): Record<string, string> | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, 'must be an object of tag keys to string values');
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.length < 1 || k.length > 128) this.fail(`${field}.${k}`, 'tag keys are 1–128 characters');
      if (typeof v !== 'string' || v.length > 256) this.fail(`${field}.${k}`, 'tag values are strings of at most 256 characters');
      out[k] = v;
    }
    if (Object.keys(out).length > 50) this.fail(field, 'at most 50 tags');
    return out;
  }

  iamSeed(value: unknown, field: string): IamSeed | undefined {
    if (value === undefined) return undefined;
    const o = this.object(value, field, ['roles', 'policies', 'groups', 'users']);
    for (const kind of ['roles', 'policies', 'groups', 'users'] as const) {
      if (o[kind] === undefined) continue;
      this.array(o[kind], `${field}.${kind}`).forEach((item, i) => {
        const f = `${field}.${kind}[${i}]`;
        if (typeof item !== 'object' || item === null || Array.isArray(item)) this.fail(f, 'must be a JSON object');
        this.string((item as Obj).name, `${f}.name`, /^[\w+=,.@-]{1,128}$/, 'must be 1–128 characters of [\\w+=,.@-]');
        if (kind === 'policies' && (typeof (item as Obj).document !== 'object' || (item as Obj).document === null)) {
          this.fail(`${f}.document`, 'must be a policy document (a JSON object)');
        }
      });
    }
    return o as IamSeed;
  }
}

/** Checks a parsed description; throws DomainError CONFIG.INVALID naming `source` and the field. */
export function validateOrgDescription(raw: unknown, source = 'org'): OrgDescription {
  const c = new Checker(source);
  const top = c.object(raw, '', ['organizationId', 'rootId', 'managementAccount', 'ous', 'accounts']);
  const organizationId = c.optionalString(top.organizationId, 'organizationId', ORG_ID_RE, 'must be o- followed by 10–32 lowercase letters or digits');
  const rootId = c.optionalString(top.rootId, 'rootId', ROOT_ID_RE, 'must be r- followed by 4–32 lowercase letters or digits');

  if (top.managementAccount === undefined) c.fail('managementAccount', 'is required');
  const m = c.object(top.managementAccount, 'managementAccount', ['id', 'name', 'email', 'iam']);
  const managementAccount = {
    id: c.string(m.id, 'managementAccount.id', ACCOUNT_ID_RE, 'must be 12 digits'),
    name: c.optionalString(m.name, 'managementAccount.name'),
    email: c.optionalString(m.email, 'managementAccount.email', EMAIL_RE, 'must be an email address'),
    iam: c.iamSeed(m.iam, 'managementAccount.iam'),
  };

  const ouIds = new Set<string>();
  const ouPaths = new Set<string>();
  const ouNames = new Map<string, number>();
  const readOus = (value: unknown, field: string, parentPath: string): OuDescription[] =>
    c.array(value, field).map((item, i) => {
      const f = `${field}[${i}]`;
      const o = c.object(item, f, ['id', 'name', 'tags', 'children']);
      const id = c.optionalString(o.id, `${f}.id`, OU_ID_RE, 'must look like ou-abcd-12345678');
      const name = c.string(o.name, `${f}.name`);
      if (name.length > 128 || name.includes('/')) c.fail(`${f}.name`, 'must be 1–128 characters without "/"');
      if (id !== undefined) {
        if (ouIds.has(id)) c.fail(`${f}.id`, `duplicate OU id ${id}`);
        ouIds.add(id);
      }
      const path = parentPath ? `${parentPath}/${name}` : name;
      if (ouPaths.has(path)) c.fail(`${f}.name`, `two OUs named "${name}" under the same parent`);
      ouPaths.add(path);
      ouNames.set(name, (ouNames.get(name) ?? 0) + 1);
      const ou: OuDescription = { name };
      if (id !== undefined) ou.id = id;
      const tags = c.tags(o.tags, `${f}.tags`);
      if (tags) ou.tags = tags;
      if (o.children !== undefined) ou.children = readOus(o.children, `${f}.children`, path);
      return ou;
    });
  const ous = top.ous === undefined ? [] : readOus(top.ous, 'ous', '');

  if (top.accounts === undefined) c.fail('accounts', 'is required (an array of member accounts)');
  const rawAccounts = c.array(top.accounts, 'accounts');
  if (rawAccounts.length > MAX_MEMBER_ACCOUNTS) c.fail('accounts', `at most ${MAX_MEMBER_ACCOUNTS} member accounts`);
  const seen = new Set<string>([managementAccount.id]);
  const accounts = rawAccounts.map((item, i): AccountDescription => {
    const f = `accounts[${i}]`;
    const o = c.object(item, f, ['id', 'name', 'email', 'state', 'ou', 'tags', 'joinedMethod', 'missingRole', 'iam']);
    const id = c.string(o.id, `${f}.id`, ACCOUNT_ID_RE, 'must be 12 digits');
    if (seen.has(id)) c.fail(`${f}.id`, id === managementAccount.id ? 'is the management account id' : `duplicate account id ${id}`);
    seen.add(id);
    const name = c.string(o.name, `${f}.name`);
    if (name.length > 50) c.fail(`${f}.name`, 'must be at most 50 characters');
    const account: AccountDescription = { id, name };
    const email = c.optionalString(o.email, `${f}.email`, EMAIL_RE, 'must be an email address');
    if (email !== undefined) account.email = email;
    if (o.state !== undefined) {
      if (!ACCOUNT_STATES.includes(o.state as AccountState)) c.fail(`${f}.state`, `must be one of ${ACCOUNT_STATES.join(', ')}`);
      account.state = o.state as AccountState;
    }
    const ou = c.optionalString(o.ou, `${f}.ou`);
    if (ou !== undefined) {
      const known = ouIds.has(ou) || ouPaths.has(ou) || ouNames.get(ou) === 1 || ou === rootId;
      if (!known) {
        const rule = ouNames.get(ou) ? `OU name "${ou}" is ambiguous; use its path or id` : `no OU "${ou}" (give an OU id, a name path such as Workloads/Prod, or a unique name)`;
        c.fail(`${f}.ou`, rule);
      }
      account.ou = ou;
    }
    const tags = c.tags(o.tags, `${f}.tags`);
    if (tags) account.tags = tags;
    if (o.joinedMethod !== undefined) {
      if (o.joinedMethod !== 'CREATED' && o.joinedMethod !== 'INVITED') c.fail(`${f}.joinedMethod`, 'must be CREATED or INVITED');
      account.joinedMethod = o.joinedMethod as 'CREATED' | 'INVITED';
    }
    const missingRole = c.boolean(o.missingRole, `${f}.missingRole`);
    if (missingRole !== undefined) account.missingRole = missingRole;
    const iam = c.iamSeed(o.iam, `${f}.iam`);
    if (iam) account.iam = iam;
    return account;
  });

  const description: OrgDescription = { managementAccount, accounts };
  if (organizationId) description.organizationId = organizationId;
  if (rootId) description.rootId = rootId;
  if (ous.length) description.ous = ous;
  return description;
}

/** Reads and validates an org file. */
export function loadOrgFile(path: string): OrgDescription {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DomainError('CONFIG.INVALID', `org file ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DomainError('CONFIG.INVALID', `org file ${path}: not valid JSON (${(e as Error).message})`);
  }
  return validateOrgDescription(data, `org file ${path}`);
}
