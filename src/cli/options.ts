/** Parsing and checking of command-line values; errors name the option and the rule (exit code 2). */
import { DomainError } from '../core/errors.js';

const ACCOUNT_RE = /^\d{12}$/;
const OU_RE = /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
const ROLLOUT_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function usage(message: string): DomainError {
  return new DomainError('USAGE.INVALID', message);
}

/** Commander collector for repeatable options that also take comma lists. */
export function collectList(value: string, previous: string[] = []): string[] {
  return previous.concat(value.split(',').map((v) => v.trim()).filter(Boolean));
}

export function accountIds(option: string, values: string[] | undefined): string[] | undefined {
  if (!values?.length) return undefined;
  for (const v of values) if (!ACCOUNT_RE.test(v)) throw usage(`${option} ${JSON.stringify(v)}: an account id is 12 digits`);
  return values;
}

export function ouIds(values: string[] | undefined): string[] | undefined {
  if (!values?.length) return undefined;
  for (const v of values) if (!OU_RE.test(v)) throw usage(`--ou ${JSON.stringify(v)}: an OU id looks like ou-ab12-cd34ef56 (or a root r-ab12)`);
  return values;
}

export function tagFilters(values: string[] | undefined): Record<string, string> | undefined {
  if (!values?.length) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw usage(`--tag ${JSON.stringify(v)}: expected KEY=VALUE (VALUE * matches any value)`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

export function rolloutId(option: string, value: string): string {
  if (!ROLLOUT_ID_RE.test(value)) throw usage(`${option} ${JSON.stringify(value)}: not a rollout id`);
  return value;
}

export function accountId(value: string): string {
  if (!ACCOUNT_RE.test(value)) throw usage(`ACCOUNT_ID ${JSON.stringify(value)}: an account id is 12 digits`);
  return value;
}
