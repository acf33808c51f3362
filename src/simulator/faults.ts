/**
 * Injected faults: latency, per-(account, service) token-bucket throttling, random
 * server errors, dropped connections and scripted errors. All randomness comes from a
 * seeded PRNG so a run can be replayed.
 */
import { SimError } from './protocol.js';
import { createPrng, type Prng } from './prng.js';

export type SimService = 'iam' | 'sts' | 'organizations';
export const SIM_SERVICES: readonly SimService[] = ['iam', 'sts', 'organizations'];

export interface ThrottleOptions {
  /** Tokens added per second. */
  rate: number;
  /** Bucket size: requests allowed in a burst. */
  burst: number;
}

/** Fault settings that can also be set per service. */
export interface FaultProfile {
  latencyMs?: number;
  jitterMs?: number;
  /** null turns throttling off. */
  throttle?: ThrottleOptions | null;
  /** Probability (0–1) of a random 500/503. */
  failureRate?: number;
  /** Probability (0–1) that the connection is destroyed without an answer. */
  dropRate?: number;
}

/** An error answered for matching requests, `times` times (every time when absent). */
export interface ScriptedFault {
  /** Caller account; for sts:AssumeRole, the account of the role. */
  account?: string;
  /** The action or operation name, e.g. `PutGroupPolicy`. */
  operation?: string;
  service?: SimService;
  code: string;
  /** Default 400. */
  status?: number;
  message?: string;
  times?: number;
}

export interface FaultOptions {
  latencyMs: number;
  jitterMs: number;
  throttle: ThrottleOptions | null;
  failureRate: number;
  dropRate: number;
  /** Overrides of the settings above for one service. */
  services: Partial<Record<SimService, FaultProfile>>;
  scripted: ScriptedFault[];
}

export const DEFAULT_FAULTS: FaultOptions = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  throttle: null,
  failureRate: 0,
  dropRate: 0,
  services: {},
  scripted: [],
});

/** What to do with one request. */
export type FaultDecision =
  | { kind: 'pass'; delayMs: number }
  | { kind: 'drop'; delayMs: number }
  | { kind: 'error'; delayMs: number; error: SimError; throttled: boolean };

export interface FaultRequest {
  service: SimService;
  operation: string;
  /** The account scripted faults match on. */
  account: string;
  /** The account whose bucket is charged (the caller's). */
  bucketAccount: string;
  now: number;
}

class InvalidFaults extends Error {}

function num(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new InvalidFaults(`${field}: must be a number from ${min} to ${max}`);
  return v;
}

function checkProfile(p: unknown, field: string, allowed: readonly string[]): FaultProfile {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new InvalidFaults(`${field || 'faults'}: must be a JSON object`);
  const o = p as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new InvalidFaults(`${field ? `${field}.` : ''}${k}: unknown field (allowed: ${allowed.join(', ')})`);
  const f = (k: string): string => (field ? `${field}.${k}` : k);
  const out: FaultProfile = {};
  if (o.latencyMs !== undefined) out.latencyMs = num(o.latencyMs, f('latencyMs'), 0, 60_000);
  if (o.jitterMs !== undefined) out.jitterMs = num(o.jitterMs, f('jitterMs'), 0, 60_000);
  if (o.failureRate !== undefined) out.failureRate = num(o.failureRate, f('failureRate'), 0, 1);
  if (o.dropRate !== undefined) out.dropRate = num(o.dropRate, f('dropRate'), 0, 1);
  if (o.throttle !== undefined) {
    if (o.throttle === null) out.throttle = null;
    else {
      const t = o.throttle as Record<string, unknown>;
      if (typeof t !== 'object' || Array.isArray(t)) throw new InvalidFaults(`${f('throttle')}: must be {"rate": N, "burst": N} or null`);
      out.throttle = { rate: num(t.rate, f('throttle.rate'), 0, 1_000_000), burst: num(t.burst, f('throttle.burst'), 1, 1_000_000) };
    }
  }
  return out;
}

function checkScripted(v: unknown, field: string): ScriptedFault {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidFaults(`${field}: must be a JSON object`);
  const o = v as Record<string, unknown>;
  const allowed = ['account', 'operation', 'service', 'code', 'status', 'message', 'times'];
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new InvalidFaults(`${field}.${k}: unknown field (allowed: ${allowed.join(', ')})`);
  if (typeof o.code !== 'string' || !/^[A-Za-z][\w.]*$/.test(o.code)) throw new InvalidFaults(`${field}.code: must be an error code such as AccessDenied`);
  const out: ScriptedFault = { code: o.code };
  if (o.account !== undefined) {
    if (typeof o.account !== 'string' || !/^\d{12}$/.test(o.account)) throw new InvalidFaults(`${field}.account: must be a 12-digit account id`);
    out.account = o.account;
  }
  if (o.operation !== undefined) {
    if (typeof o.operation !== 'string' || !o.operation) throw new InvalidFaults(`${field}.operation: must be an operation name such as PutGroupPolicy`);
    out.operation = o.operation;
  }
  if (o.service !== undefined) {
    if (!SIM_SERVICES.includes(o.service as SimService)) throw new InvalidFaults(`${field}.service: must be one of ${SIM_SERVICES.join(', ')}`);
    out.service = o.service as SimService;
  }
  if (o.status !== undefined) out.status = num(o.status, `${field}.status`, 400, 599);
  if (o.message !== undefined) {
    if (typeof o.message !== 'string') throw new InvalidFaults(`${field}.message: must be a string`);
    out.message = o.message;
  }
  if (o.times !== undefined) {
    out.times = num(o.times, `${field}.times`, 1, Number.MAX_SAFE_INTEGER);
    if (!Number.isInteger(out.times)) throw new InvalidFaults(`${field}.times: must be a whole number`);
  }
  return out;
}

/** Validates a (partial) fault setting; throws Error with a message naming the field. */
export function validateFaults(raw: unknown): Partial<FaultOptions> {
  const allowed = ['latencyMs', 'jitterMs', 'throttle', 'failureRate', 'dropRate', 'services', 'scripted'];
  try {
    const out: Partial<FaultOptions> = checkProfile(raw, '', allowed) as Partial<FaultOptions>;
    const o = raw as Record<string, unknown>;
    if (o.services !== undefined) {
      if (typeof o.services !== 'object' || o.services === null || Array.isArray(o.services)) throw new InvalidFaults('services: must be an object keyed by iam, sts, organizations');
      const services: Partial<Record<SimService, FaultProfile>> = {};
      for (const [k, v] of Object.entries(o.services)) {
        if (!SIM_SERVICES.includes(k as SimService)) throw new InvalidFaults(`services.${k}: unknown service (allowed: ${SIM_SERVICES.join(', ')})`);
        services[k as SimService] = checkProfile(v, `services.${k}`, ['latencyMs', 'jitterMs', 'throttle', 'failureRate', 'dropRate']);
      }
      out.services = services;
    }
    if (o.scripted !== undefined) {
      if (!Array.isArray(o.scripted)) throw new InvalidFaults('scripted: must be an array');
      out.scripted = o.scripted.map((s, i) => checkScripted(s, `scripted[${i}]`));
    }
    return out;
  } catch (e) {
    if (e instanceof InvalidFaults) throw new Error(e.message);
    throw e;
  }
}

interface Bucket {
  tokens: number;
  last: number;
}

const THROTTLE_MESSAGE = 'Rate exceeded';
const ORG_THROTTLE_MESSAGE = 'AWS Organizations can\'t complete your request because the request rate is too high. Try again later.';

function throttleError(service: SimService): SimError {
  return service === 'organizations' ? new SimError('TooManyRequestsException', ORG_THROTTLE_MESSAGE, 400) : new SimError('Throttling', THROTTLE_MESSAGE, 400);
}

function failureError(service: SimService, status: 500 | 503): SimError {
  if (service === 'organizations') return new SimError('ServiceException', 'AWS Organizations can\'t complete your request because of an internal service error. Try again later.', status);
  if (status === 503) return new SimError('ServiceUnavailable', 'Service is unavailable. Try again later.', 503);
  return service === 'iam'
    ? new SimError('ServiceFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500)
    : new SimError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
}

export class FaultInjector {
  private options: FaultOptions;
  private readonly prng: Prng;
  private readonly buckets = new Map<string, Bucket>();
  /** Remaining firings of each scripted fault (Infinity when unlimited). */
  private remaining: number[] = [];

  constructor(options: FaultOptions, seed: number) {
    this.options = options;
    this.prng = createPrng(seed ^ 0x5eed);
    this.remaining = options.scripted.map((s) => s.times ?? Infinity);
  }

  get current(): FaultOptions {
    return this.options;
  }

  /** Top-level fields replace; `services` merge per service; `scripted` replaces the list and its counters. */
  update(patch: Partial<FaultOptions>): void {
    const next: FaultOptions = { ...this.options, ...patch, services: { ...this.options.services } };
    for (const [k, v] of Object.entries(patch.services ?? {})) next.services[k as SimService] = { ...next.services[k as SimService], ...v };
    if (patch.scripted) this.remaining = patch.scripted.map((s) => s.times ?? Infinity);
    if (patch.throttle !== undefined || patch.services) this.buckets.clear();
    this.options = next;
  }

  decide(req: FaultRequest): FaultDecision {
    const o = this.options;
    const p = o.services[req.service];
    const latency = p?.latencyMs ?? o.latencyMs;
    const jitter = p?.jitterMs ?? o.jitterMs;
    const delayMs = latency + (jitter > 0 ? this.prng.next() * jitter : 0);

    const dropRate = p?.dropRate ?? o.dropRate;
    if (dropRate > 0 && this.prng.next() < dropRate) return { kind: 'drop', delayMs };

    for (let i = 0; i < o.scripted.length; i++) {
      const s = o.scripted[i];
      if (this.remaining[i] <= 0) continue;
      if (s.service !== undefined && s.service !== req.service) continue;
      if (s.operation !== undefined && s.operation !== req.operation) continue;
      if (s.account !== undefined && s.account !== req.account) continue;
      this.remaining[i] -= 1;
      const status = s.status ?? 400;
      const error = new SimError(s.code, s.message ?? `Scripted fault ${s.code} for ${req.operation}`, status);
      return { kind: 'error', delayMs, error, throttled: s.code === 'Throttling' || s.code === 'TooManyRequestsException' };
    }

    const throttle = p?.throttle !== undefined ? p.throttle : o.throttle;
    if (throttle && !this.take(`${req.bucketAccount}\u0000${req.service}`, throttle, req.now)) {
      return { kind: 'error', delayMs, error: throttleError(req.service), throttled: true };
    }

    const failureRate = p?.failureRate ?? o.failureRate;
    if (failureRate > 0 && this.prng.next() < failureRate) {
      return { kind: 'error', delayMs, error: failureError(req.service, this.prng.next() < 0.5 ? 500 : 503), throttled: false };
    }
    return { kind: 'pass', delayMs };
  }

  private take(key: string, t: ThrottleOptions, now: number): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: t.burst, last: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(t.burst, b.tokens + ((now - b.last) / 1000) * t.rate);
      b.last = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
