/**
 * A synthetic organization, deterministic from its seed: the same seed and size
 * always give the same accounts, OUs, states and tags.
 */
import { DomainError } from '../../core/errors.js';
import type { AccountState } from '../../core/model.js';
import { createPrng, type Prng } from '../prng.js';
import { MAX_MEMBER_ACCOUNTS, type AccountDescription, type OrgDescription, type OuDescription } from './description.js';

export interface GenerateOptions {
  /** Member accounts, 1–20,000 (the management account comes on top). */
  accounts: number;
  seed?: number;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const TEAMS = ['payments', 'identity', 'data', 'web', 'mobile', 'platform', 'search', 'analytics'];
// Where member accounts land, by environment; weights sum to 100.
const PLACEMENT: { env: string; ou: string; weight: number }[] = [
  { env: 'prod', ou: 'Workloads/Prod', weight: 35 },
  { env: 'dev', ou: 'Workloads/NonProd/Dev', weight: 25 },
  { env: 'staging', ou: 'Workloads/NonProd/Staging', weight: 15 },
  { env: 'sandbox', ou: 'Sandbox', weight: 20 },
  { env: 'security', ou: 'Security', weight: 5 },
];
const EPOCH_2020 = 1_577_836_800;
const FOUR_YEARS = 4 * 365 * 86_400;

function chars(prng: Prng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[prng.int(ALNUM.length)];
  return s;
}

function accountId(prng: Prng, taken: Set<string>): string {
  for (;;) {
    const id = String(100_000_000_000 + prng.int(900_000_000_000));
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

/** Fisher–Yates over 0..n-1, so the special accounts are spread through the list. */
function shuffledIndexes(prng: Prng, n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * ~2 % suspended and ~1 % closed accounts (parked in the Suspended OU), ~3 % invited
 * accounts without OrganizationAccountAccessRole (at least one from 10 accounts up),
 * `env` and `team` tags, five OUs nested up to three deep.
 */
export function generateOrganization(options: GenerateOptions): OrgDescription {
  const n = options.accounts;
  if (!Number.isInteger(n) || n < 1 || n > MAX_MEMBER_ACCOUNTS) {
    throw new DomainError('CONFIG.INVALID', `accounts=${n}: must be a whole number from 1 to ${MAX_MEMBER_ACCOUNTS}`, { field: 'accounts' });
  }
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new DomainError('CONFIG.INVALID', `seed=${seed}: must be a whole number`, { field: 'seed' });
  const prng = createPrng(seed);

  const organizationId = `o-${chars(prng, 10)}`;
  const root4 = chars(prng, 4);
  const ou = (name: string, children?: OuDescription[]): OuDescription => ({ id: `ou-${root4}-${chars(prng, 8)}`, name, ...(children ? { children } : {}) });
  const ous: OuDescription[] = [
    ou('Security'),
    ou('Workloads', [ou('Prod'), ou('NonProd', [ou('Dev'), ou('Staging')])]),
    ou('Sandbox'),
    ou('Suspended'),
  ];

  const taken = new Set<string>();
  const managementId = accountId(prng, taken);
  const suspended = Math.round(n * 0.02);
  const closed = Math.round(n * 0.01);
  const invited = Math.max(n >= 10 ? 1 : 0, Math.round(n * 0.03));
  const special = new Map<number, 'SUSPENDED' | 'CLOSED' | 'INVITED'>();
  shuffledIndexes(prng, n)
    .slice(0, suspended + closed + invited)
    .forEach((index, k) => special.set(index, k < suspended ? 'SUSPENDED' : k < suspended + closed ? 'CLOSED' : 'INVITED'));

  const width = Math.max(4, String(n).length);
  const accounts: AccountDescription[] = [];
  for (let i = 0; i < n; i++) {
    let r = prng.int(100);
    const place = PLACEMENT.find((p) => (r -= p.weight) < 0) ?? PLACEMENT[0];
    const team = prng.pick(TEAMS);
    const name = `${place.env}-${team}-${String(i + 1).padStart(width, '0')}`;
    const kind = special.get(i);
    const state: AccountState = kind === 'SUSPENDED' || kind === 'CLOSED' ? kind : 'ACTIVE';
    const account: AccountDescription = {
      id: accountId(prng, taken),
      name,
      email: `aws+${name}@example.com`,
      state,
      ou: state === 'ACTIVE' ? place.ou : 'Suspended',
      tags: { env: place.env, team },
      joinedMethod: kind === 'INVITED' ? 'INVITED' : 'CREATED',
      missingRole: kind === 'INVITED',
    };
    accounts.push(account);
  }

  return {
    organizationId,
    rootId: `r-${root4}`,
    managementAccount: { id: managementId, name: 'management', email: 'aws+management@example.com' },
    ous,
    accounts,
  };
}

/** Join dates are derived, not stored in the description: stable per account id and seedless. */
export function joinedTimestamp(accountId: string, isManagement: boolean): number {
  if (isManagement) return EPOCH_2020;
  let h = 2166136261;
  for (let i = 0; i < accountId.length; i++) h = Math.imul(h ^ accountId.charCodeAt(i), 16777619);
  return EPOCH_2020 + 86_400 + ((h >>> 0) % FOUR_YEARS);
}
