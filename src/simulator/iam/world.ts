import { isoSeconds } from './identifiers.js';
import { AccountIam, nameKey } from './model.js';
import { dumpAccount } from './dump.js';
import { applySeed, type IamSeed } from './seed.js';

/** What every IAM operation needs besides the account: the partition for ARNs and the request time. */
export interface IamEnv {
  partition: string;
  /** ISO-8601 to the second. */
  now: string;
}

export interface IamWorldOptions {
  partition: string;
  /** Injectable for deterministic dates in tests; defaults to the wall clock. */
  clock?: () => Date;
}

/**
 * IAM state of every simulated account. An account's state is created on its first write;
 * reads of an untouched account see an empty account and allocate nothing.
 */
export class IamWorld {
  readonly partition: string;
  private readonly clock: () => Date;
  private readonly accounts = new Map<string, AccountIam>();
  private static readonly EMPTY = Object.freeze(new AccountIam('000000000000'));

  constructor(options: IamWorldOptions) {
    this.partition = options.partition;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Seeds pre-existing objects into an account (roles, policies, groups, users). */
  seed(accountId: string, seed: IamSeed): void {
    applySeed(this.account(accountId), { partition: this.partition, now: this.now() }, seed);
  }

  hasRole(accountId: string, roleName: string): boolean {
    return this.accounts.get(accountId)?.roles.has(nameKey(roleName)) ?? false;
  }

  /** JSON-able dump of one account's IAM state, for GET /_sim/state/:accountId (documents as parsed JSON, not encoded). */
  dump(accountId: string): unknown {
    return dumpAccount(accountId, this.accounts.get(accountId));
  }

  /** How many accounts hold IAM state (seeded or written to); reads alone create none. */
  get accountCount(): number {
    return this.accounts.size;
  }

  /** The account's state, created if needed: for writes. */
  account(accountId: string): AccountIam {
    let a = this.accounts.get(accountId);
    if (!a) {
      a = new AccountIam(accountId);
      this.accounts.set(accountId, a);
    }
    return a;
  }

  /** The account's state for reading only: a shared empty account when untouched. Never mutate the result. */
  peek(accountId: string): AccountIam {
    return this.accounts.get(accountId) ?? IamWorld.EMPTY;
  }

  now(): string {
    return isoSeconds(this.clock());
  }
}
