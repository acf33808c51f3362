/**
 * Request counters by service, operation, account and outcome, cheap enough to
 * update on every request (one map lookup per dimension).
 */
import type { SimService } from './faults.js';

/** `ok`, `throttled`, `dropped`, or the AWS error code answered. */
export type Outcome = string;

export interface OutcomeCounts {
  total: number;
  ok: number;
  /** Error answers other than throttling. */
  errors: number;
  throttled: number;
  dropped: number;
  /** Requests for actions that change state (whatever the outcome). */
  writes: number;
  reads: number;
}

/** `GET /_sim/stats`. */
export interface SimStats {
  /** ISO-8601: when counting started (start-up or the last reset). */
  since: string;
  totals: OutcomeCounts;
  services: Record<string, OutcomeCounts>;
  /** Keyed `service:Operation`; `codes` counts each error code. */
  operations: Record<string, OutcomeCounts & { codes: Record<string, number> }>;
  /** Keyed by account id (`-` when the caller could not be identified). */
  accounts: Record<string, OutcomeCounts>;
  /** Every error code answered, throttling included. */
  errorCodes: Record<string, number>;
  /** The full cross product, one row per (service, operation, account, outcome). */
  counters: { service: SimService; operation: string; account: string; outcome: Outcome; count: number }[];
}

function empty(): OutcomeCounts {
  return { total: 0, ok: 0, errors: 0, throttled: 0, dropped: 0, writes: 0, reads: 0 };
}

function bump(c: OutcomeCounts, outcome: Outcome, write: boolean): void {
  c.total++;
  if (outcome === 'ok') c.ok++;
  else if (outcome === 'throttled') c.throttled++;
  else if (outcome === 'dropped') c.dropped++;
  else c.errors++;
  if (write) c.writes++;
  else c.reads++;
}

interface Row {
  service: SimService;
  operation: string;
  account: string;
  outcome: Outcome;
  count: number;
}

export class StatsCollector {
  private since = new Date();
  private totals = empty();
  private services = new Map<string, OutcomeCounts>();
  private operations = new Map<string, OutcomeCounts & { codes: Record<string, number> }>();
  private accounts = new Map<string, OutcomeCounts>();
  private errorCodes = new Map<string, number>();
  private rows = new Map<string, Row>();

  /** `code` is the error code for error and throttled outcomes. */
  record(service: SimService, operation: string, account: string, outcome: Outcome, write: boolean, code?: string): void {
    bump(this.totals, outcome, write);
    let s = this.services.get(service);
    if (!s) this.services.set(service, (s = empty()));
    bump(s, outcome, write);
    const opKey = `${service}:${operation}`;
    let o = this.operations.get(opKey);
    if (!o) this.operations.set(opKey, (o = { ...empty(), codes: {} }));
    bump(o, outcome, write);
    let a = this.accounts.get(account);
    if (!a) this.accounts.set(account, (a = empty()));
    bump(a, outcome, write);
    if (code) {
      o.codes[code] = (o.codes[code] ?? 0) + 1;
      this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
    }
    const rowKey = `${opKey}\u0000${account}\u0000${outcome}`;
    const row = this.rows.get(rowKey);
    if (row) row.count++;
    else this.rows.set(rowKey, { service, operation, account, outcome, count: 1 });
  }

  snapshot(): SimStats {
    const copy = <T extends object>(m: Map<string, T>): Record<string, T> => {
      const out: Record<string, T> = {};
      for (const [k, v] of m) out[k] = structuredClone(v);
      return out;
    };
    return {
      since: this.since.toISOString(),
      totals: { ...this.totals },
      services: copy(this.services),
      operations: copy(this.operations),
      accounts: copy(this.accounts),
      errorCodes: Object.fromEntries(this.errorCodes),
      counters: [...this.rows.values()].map((r) => ({ ...r })),
    };
  }

  reset(): void {
    this.since = new Date();
    this.totals = empty();
    this.services.clear();
    this.operations.clear();
    this.accounts.clear();
    this.errorCodes.clear();
    this.rows.clear();
  }
}
