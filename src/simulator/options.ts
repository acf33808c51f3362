/**
 * The simulator's options, validated once at start-up (DomainError CONFIG.INVALID naming the option).
 */
import { DomainError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import type { OrgDescription } from './org/description.js';
import type { FaultOptions, ScriptedFault, ThrottleOptions } from './faults.js';
import { validateFaults } from './faults.js';

export interface SimulatorOptions {
  /** Default 4566; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Member accounts of a generated organization (default 25). Not with `org`/`orgFile`. */
  accounts?: number;
  /** Seeds the generated organization and the fault PRNG (default 1). */
  seed?: number;
  /** A JSON file describing the organization exactly. */
  orgFile?: string;
  /** The organization described inline (wins over `orgFile`). */
  org?: OrgDescription;
  /** Default `aws`; used in every ARN. */
  partition?: string;
  latencyMs?: number;
  jitterMs?: number;
  /** Token bucket per (caller account, service). */
  throttle?: ThrottleOptions | null;
  /** Probability (0–1) of a random 500/503. */
  failureRate?: number;
  /** Probability (0–1) of destroying the connection without an answer. */
  dropRate?: number;
  /** Per-service overrides of the fault settings. */
  services?: FaultOptions['services'];
  scripted?: ScriptedFault[];
  /** Issued credentials expire after this many seconds, whatever DurationSeconds asked (to test refresh). */
  credentialTtlSeconds?: number;
  /** After this many non-empty list pages, one empty page with a NextToken (default 1; 0: never). */
  emptyPageEvery?: number;
  /** Epoch-milliseconds clock for credential expiry and throttling (tests advance it by hand). */
  clock?: () => number;
  /** Where unexpected handler errors are logged. */
  logger?: Logger;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  accounts?: number;
  seed: number;
  partition: string;
  faults: FaultOptions;
  credentialTtlSeconds?: number;
  emptyPageEvery: number;
}

function fail(option: string, value: unknown, rule: string): never {
  throw new DomainError('CONFIG.INVALID', `simulator option ${option}=${JSON.stringify(value)}: ${rule}`, { option, rule });
}

function int(option: string, v: number | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(option, v, `must be a whole number from ${min} to ${max}`);
  return v;
}

export function resolveOptions(o: SimulatorOptions): ResolvedOptions {
  const port = int('port', o.port, 0, 65535) ?? 4566;
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || !host.trim()) fail('host', host, 'must not be empty');
  const accounts = int('accounts', o.accounts, 1, 20_000);
  if (accounts !== undefined && (o.org || o.orgFile)) fail('accounts', accounts, 'cannot be combined with an org file: the file lists the accounts');
  const seed = int('seed', o.seed, 0, 2 ** 32 - 1) ?? 1;
  const partition = o.partition ?? 'aws';
  if (typeof partition !== 'string' || !/^aws(-[a-z]+)*$/.test(partition)) fail('partition', partition, 'must be a partition such as aws, aws-cn or aws-us-gov');
  const credentialTtlSeconds = int('credentialTtlSeconds', o.credentialTtlSeconds, 1, 43_200);
  const emptyPageEvery = int('emptyPageEvery', o.emptyPageEvery, 0, 1_000_000) ?? 1;

  const raw: Record<string, unknown> = {};
  for (const k of ['latencyMs', 'jitterMs', 'throttle', 'failureRate', 'dropRate', 'services', 'scripted'] as const) {
    if (o[k] !== undefined) raw[k] = o[k];
  }
  let patch: Partial<FaultOptions>;
  try {
    patch = validateFaults(raw);
  } catch (e) {
    throw new DomainError('CONFIG.INVALID', `simulator faults: ${(e as Error).message}`);
  }
  const faults: FaultOptions = {
    latencyMs: patch.latencyMs ?? 0,
    jitterMs: patch.jitterMs ?? 0,
    throttle: patch.throttle ?? null,
    failureRate: patch.failureRate ?? 0,
    dropRate: patch.dropRate ?? 0,
    services: patch.services ?? {},
    scripted: patch.scripted ?? [],
  };
  return { port, host, accounts, seed, partition, faults, credentialTtlSeconds, emptyPageEvery };
}
