/**
 * Configuration: one schema, validated once at start-up, frozen, passed down.
 * Sources, lowest first: defaults, a JSON config file (ROLLOUT_CONFIG, keys are the
 * variable names below), the environment, then command-line options.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DomainError } from './core/errors.js';

export interface ApiToken {
  /** A short label for logs and `requestedBy` (the token's first characters are never logged). */
  name: string;
  token: string;
  readOnly: boolean;
}

export interface Config {
  region: string;
  roleName: string;
  externalId?: string;
  sessionDurationSeconds: number;
  concurrency: number;
  failureTolerance: string;
  accountTimeoutMs: number;
  maxAttempts: number;
  includeManagementAccount: boolean;
  baselinePath: string;
  storeUrl: string;
  retention: number;
  lockTtlMs: number;
  apiTokens: ApiToken[];
  port: number;
  host: string;
  logLevel: string;
  schedule?: string;
}

/** Every key, its default and its meaning; the README's configuration table is checked against this. */
export const CONFIG_KEYS = {
  AWS_REGION: { default: 'us-east-1', doc: 'Region for STS and request signing; the partition comes from the caller identity.' },
  ROLLOUT_ROLE_NAME: { default: 'OrganizationAccountAccessRole', doc: 'Role assumed in each member account.' },
  ROLLOUT_EXTERNAL_ID: { default: undefined, doc: 'External id passed to AssumeRole.' },
  ROLLOUT_SESSION_DURATION: { default: '3600', doc: 'AssumeRole session length in seconds (900–43200; credentials refresh before expiry).' },
  ROLLOUT_CONCURRENCY: { default: '25', doc: 'Most accounts in flight at once (1–500); a hard cap under which throttling backs off.' },
  ROLLOUT_FAILURE_TOLERANCE: { default: '10%', doc: 'Failed or unreachable accounts allowed before the rollout aborts: a count (3) or a percent (10%).' },
  ROLLOUT_ACCOUNT_TIMEOUT_MS: { default: '120000', doc: 'Time one account may take before it is failed with ROLLOUT.ACCOUNT_TIMEOUT.' },
  ROLLOUT_MAX_ATTEMPTS: { default: '8', doc: 'Attempts per AWS call for transient errors (throttling, 5xx, timeouts).' },
  ROLLOUT_INCLUDE_MANAGEMENT_ACCOUNT: { default: 'false', doc: 'Also converge the management account, with the caller\'s own credentials.' },
  ROLLOUT_BASELINE: { default: 'config/baseline.json', doc: 'The baseline file.' },
  ROLLOUT_RETENTION: { default: '200', doc: 'Rollouts kept in the store; older ones and their account results are pruned.' },
  ROLLOUT_LOCK_TTL_MS: { default: '60000', doc: 'Lease of the one-rollout lock; the running process renews it every third of this. A rollout whose process died is marked interrupted once it expires.' },
  ROLLOUT_SCHEDULE: { default: undefined, doc: 'Cron expression for in-process scheduled rollouts in `serve` (e.g. "0 3 * * *").' },
  STORE_URL: { default: 'sqlite:./data/rollouts.db', doc: '`sqlite:PATH` or `postgres://…`.' },
  API_TOKENS: { default: undefined, doc: 'Comma-separated bearer tokens for `serve`: `TOKEN`, `NAME=TOKEN`, a `:ro` suffix marks read-only.' },
  PORT: { default: '8080', doc: 'Port `serve` listens on.' },
  HOST: { default: '127.0.0.1', doc: 'Address `serve` listens on (the container image sets 0.0.0.0).' },
  LOG_LEVEL: { default: 'info', doc: 'pino level: fatal, error, warn, info, debug, trace, silent.' },
  ROLLOUT_CONFIG: { default: undefined, doc: 'A JSON file whose keys are the variables of this table; the environment wins over it.' },
} as const satisfies Record<string, { default: string | undefined; doc: string }>;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export type ConfigInput = Partial<Record<ConfigKey, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const NAME_RE = /^[\w+=,.@-]{1,64}$/;

function fail(key: string, value: unknown, rule: string, source: string): never {
  throw new DomainError('CONFIG.INVALID', `${source} ${key}=${JSON.stringify(value)}: ${rule}`, { key, rule });
}

function int(key: string, raw: string, min: number, max: number, source: string): number {
  if (!/^\d+$/.test(raw.trim())) fail(key, raw, `must be a whole number from ${min} to ${max}`, source);
  const n = Number(raw.trim());
  if (n < min || n > max) fail(key, raw, `must be a whole number from ${min} to ${max}`, source);
  return n;
}

/** Parses `3` or `10%`; throws a CONFIG.INVALID naming the key. */
export function parseFailureTolerance(raw: string, key = 'ROLLOUT_FAILURE_TOLERANCE', source = 'option'): string {
  const v = raw.trim();
  const m = /^(\d+)(%)?$/.exec(v);
  if (!m) fail(key, raw, 'must be a count (e.g. 3) or a percent (e.g. 10%)', source);
  if (m[2] && Number(m[1]) > 100) fail(key, raw, 'a percent must be from 0% to 100%', source);
  return v;
}

function parseBool(key: string, raw: string, source: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  return fail(key, raw, 'must be true or false', source);
}

/** `TOKEN`, `NAME=TOKEN`, either with a `:ro` suffix. Tokens are at least 16 characters. */
export function parseApiTokens(raw: string | undefined, source = 'environment'): ApiToken[] {
  if (!raw || !raw.trim()) return [];
  const tokens: ApiToken[] = [];
  raw.split(',').forEach((entry, i) => {
    let e = entry.trim();
    if (!e) return;
    let readOnly = false;
    if (e.endsWith(':ro')) {
      readOnly = true;
      e = e.slice(0, -3);
    }
    let name = `token${i + 1}`;
    const eq = e.indexOf('=');
    if (eq > 0) {
      name = e.slice(0, eq);
      e = e.slice(eq + 1);
    }
    // The value is a secret: never echo it in the error.
    if (e.length < 16) fail('API_TOKENS', `<entry ${i + 1}>`, 'each token must be at least 16 characters', source);
    if (!/^[\x21-\x7e]+$/.test(e)) fail('API_TOKENS', `<entry ${i + 1}>`, 'tokens are printable ASCII without spaces or commas', source);
    tokens.push({ name, token: e, readOnly });
  });
  return tokens;
}

function readConfigFile(path: string): ConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DomainError('CONFIG.INVALID', `config file ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DomainError('CONFIG.INVALID', `config file ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new DomainError('CONFIG.INVALID', `config file ${path}: must be a JSON object whose keys are configuration variables`);
  }
  const out: ConfigInput = {};
  for (const [k, v] of Object.entries(data)) {
    if (!(k in CONFIG_KEYS)) throw new DomainError('CONFIG.INVALID', `config file ${path}: unknown key "${k}"`, { key: k });
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new DomainError('CONFIG.INVALID', `config file ${path}: key "${k}" must be a string, number or boolean`, { key: k });
    }
    out[k as ConfigKey] = String(v);
  }
  return out;
}

/**
 * Builds the frozen config from the environment (and ROLLOUT_CONFIG's file).
 * `overrides` are command-line options; they win over everything.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigInput = {}): Readonly<Config> {
  const file = env.ROLLOUT_CONFIG ? readConfigFile(env.ROLLOUT_CONFIG) : {};
  const sourceOf = (k: ConfigKey): string =>
    overrides[k] !== undefined ? 'option' : env[k] !== undefined ? 'environment' : file[k] !== undefined ? `config file ${env.ROLLOUT_CONFIG}` : 'default';
  const get = (k: ConfigKey): string | undefined => overrides[k] ?? env[k] ?? file[k] ?? CONFIG_KEYS[k].default;
  const req = (k: ConfigKey): string => get(k) as string;

  const roleName = req('ROLLOUT_ROLE_NAME');
  if (!NAME_RE.test(roleName)) fail('ROLLOUT_ROLE_NAME', roleName, 'must be 1–64 characters of [A-Za-z0-9+=,.@_-]', sourceOf('ROLLOUT_ROLE_NAME'));
  const externalId = get('ROLLOUT_EXTERNAL_ID') || undefined;
  if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
    fail('ROLLOUT_EXTERNAL_ID', '<hidden>', 'must be 2–1224 characters of [\\w+=,.@:/-]', sourceOf('ROLLOUT_EXTERNAL_ID'));
  }
  const region = req('AWS_REGION');
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) fail('AWS_REGION', region, 'must be a region name such as us-east-1', sourceOf('AWS_REGION'));
  const logLevel = req('LOG_LEVEL').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) fail('LOG_LEVEL', logLevel, `must be one of ${LOG_LEVELS.join(', ')}`, sourceOf('LOG_LEVEL'));
  const storeUrl = req('STORE_URL');
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(storeUrl)) {
    fail('STORE_URL', storeUrl.replace(/\/\/[^@/]*@/, '//***@'), 'must be sqlite:PATH or postgres://…', sourceOf('STORE_URL'));
  }
  const host = req('HOST');
  if (!host.trim()) fail('HOST', host, 'must not be empty', sourceOf('HOST'));
  const schedule = get('ROLLOUT_SCHEDULE')?.trim() || undefined;

  const config: Config = {
    region,
    roleName,
    externalId,
    sessionDurationSeconds: int('ROLLOUT_SESSION_DURATION', req('ROLLOUT_SESSION_DURATION'), 900, 43200, sourceOf('ROLLOUT_SESSION_DURATION')),
    concurrency: int('ROLLOUT_CONCURRENCY', req('ROLLOUT_CONCURRENCY'), 1, 500, sourceOf('ROLLOUT_CONCURRENCY')),
    failureTolerance: parseFailureTolerance(req('ROLLOUT_FAILURE_TOLERANCE'), 'ROLLOUT_FAILURE_TOLERANCE', sourceOf('ROLLOUT_FAILURE_TOLERANCE')),
    accountTimeoutMs: int('ROLLOUT_ACCOUNT_TIMEOUT_MS', req('ROLLOUT_ACCOUNT_TIMEOUT_MS'), 1000, 3_600_000, sourceOf('ROLLOUT_ACCOUNT_TIMEOUT_MS')),
    maxAttempts: int('ROLLOUT_MAX_ATTEMPTS', req('ROLLOUT_MAX_ATTEMPTS'), 1, 20, sourceOf('ROLLOUT_MAX_ATTEMPTS')),
    includeManagementAccount: parseBool('ROLLOUT_INCLUDE_MANAGEMENT_ACCOUNT', req('ROLLOUT_INCLUDE_MANAGEMENT_ACCOUNT'), sourceOf('ROLLOUT_INCLUDE_MANAGEMENT_ACCOUNT')),
    // The default baseline ships with the package: resolve it from here, not from the working directory.
    baselinePath:
      sourceOf('ROLLOUT_BASELINE') === 'default' ? fileURLToPath(new URL('../config/baseline.json', import.meta.url)) : req('ROLLOUT_BASELINE'),
    storeUrl,
    retention: int('ROLLOUT_RETENTION', req('ROLLOUT_RETENTION'), 1, 1_000_000, sourceOf('ROLLOUT_RETENTION')),
    lockTtlMs: int('ROLLOUT_LOCK_TTL_MS', req('ROLLOUT_LOCK_TTL_MS'), 1000, 3_600_000, sourceOf('ROLLOUT_LOCK_TTL_MS')),
    apiTokens: parseApiTokens(get('API_TOKENS'), sourceOf('API_TOKENS')),
    port: int('PORT', req('PORT'), 0, 65535, sourceOf('PORT')),
    host,
    logLevel,
    schedule,
  };
  return Object.freeze({ ...config, apiTokens: Object.freeze(config.apiTokens.map((t) => Object.freeze(t))) as ApiToken[] });
}
