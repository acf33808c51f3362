/**
 * The organization the simulator serves: built once from a description, indexed by id,
 * with each account's and OU's JSON pre-serialized so list calls only concatenate.
 */
import { createHash } from 'node:crypto';
import type { AccountState } from '../../core/model.js';
import type { IamSeed } from '../iam/index.js';
import type { OrgDescription, OuDescription } from './description.js';
import { joinedTimestamp } from './generate.js';

export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';

export interface SimAccount {
  id: string;
  name: string;
  email: string;
  state: AccountState;
  /** The legacy field, derived from `state`. */
  status: AccountStatus;
  joinedMethod: 'CREATED' | 'INVITED';
  /** Epoch seconds. */
  joinedTimestamp: number;
  parentId: string;
  tags: Record<string, string>;
  /** True: no OrganizationAccountAccessRole was seeded. */
  missingRole: boolean;
  isManagement: boolean;
  arn: string;
  /** The `Account` structure as Organizations serializes it. */
  json: string;
}

export interface SimOu {
  id: string;
  name: string;
  /** Name path from the root, e.g. `Workloads/NonProd/Dev`. */
  path: string;
  parentId: string;
  tags: Record<string, string>;
  arn: string;
  json: string;
}

export const MEMBER_ROLE_NAME = 'OrganizationAccountAccessRole';

const STATUS_OF: Record<AccountState, AccountStatus> = {
  PENDING_ACTIVATION: 'ACTIVE',
  ACTIVE: 'ACTIVE',
  SUSPENDED: 'SUSPENDED',
  PENDING_CLOSURE: 'PENDING_CLOSURE',
  // Closed accounts read as SUSPENDED in the legacy field, as AWS reports them.
  CLOSED: 'SUSPENDED',
};

function hashChars(input: string, n: number): string {
  const digest = createHash('sha256').update(input).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[digest[i] % alphabet.length];
  return s;
}

export class SimOrganization {
  readonly id: string;
  readonly arn: string;
  readonly rootId: string;
  readonly rootArn: string;
  readonly rootJson: string;
  readonly partition: string;
  readonly managementAccount: SimAccount;
  /** Management account first, then the members in description order (the ListAccounts order). */
  readonly accounts: readonly SimAccount[];
  readonly ous: readonly SimOu[];
  private readonly byId = new Map<string, SimAccount>();
  private readonly ouById = new Map<string, SimOu>();
  private readonly childAccountsOf = new Map<string, SimAccount[]>();
  private readonly childOusOf = new Map<string, SimOu[]>();
  private readonly seeds = new Map<string, IamSeed>();
  private accessRole?: NonNullable<IamSeed['roles']>[number];

  constructor(desc: OrgDescription, partition: string) {
    this.partition = partition;
    const mgmtId = desc.managementAccount.id;
    this.id = desc.organizationId ?? `o-${hashChars(`org:${mgmtId}`, 10)}`;
    this.rootId = desc.rootId ?? `r-${hashChars(`root:${mgmtId}`, 4)}`;
    const prefix = `arn:${partition}:organizations::${mgmtId}:`;
    this.arn = `${prefix}organization/${this.id}`;
    this.rootArn = `${prefix}root/${this.id}/${this.rootId}`;
    this.rootJson = JSON.stringify({
      Id: this.rootId,
      Arn: this.rootArn,
      Name: 'Root',
      PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
    });
    this.childAccountsOf.set(this.rootId, []);
    this.childOusOf.set(this.rootId, []);

    const root4 = this.rootId.slice(2, 6);
    const ouList: SimOu[] = [];
    const byPath = new Map<string, SimOu>();
    const nameCount = new Map<string, SimOu[]>();
    const addOus = (items: OuDescription[] | undefined, parentId: string, parentPath: string): void => {
      for (const d of items ?? []) {
        const path = parentPath ? `${parentPath}/${d.name}` : d.name;
        const id = d.id ?? `ou-${root4}-${hashChars(`ou:${this.id}:${path}`, 8)}`;
        const arn = `${prefix}ou/${this.id}/${id}`;
        const ou: SimOu = { id, name: d.name, path, parentId, tags: d.tags ?? {}, arn, json: JSON.stringify({ Id: id, Arn: arn, Name: d.name }) };
        ouList.push(ou);
        this.ouById.set(id, ou);
        byPath.set(path, ou);
        nameCount.set(d.name, [...(nameCount.get(d.name) ?? []), ou]);
        this.childOusOf.get(parentId)!.push(ou);
        this.childAccountsOf.set(id, []);
        this.childOusOf.set(id, []);
        addOus(d.children, id, path);
      }
    };
    addOus(desc.ous, this.rootId, '');
    this.ous = ouList;
    const resolveOu = (ref: string | undefined): string => {
      if (ref === undefined || ref === this.rootId) return this.rootId;
      const ou = this.ouById.get(ref) ?? byPath.get(ref) ?? nameCount.get(ref)?.[0];
      // The description was validated, so an unknown reference cannot reach here.
      return ou ? ou.id : this.rootId;
    };

    const mgmt = this.makeAccount(
      {
        id: mgmtId,
        name: desc.managementAccount.name ?? 'management',
        email: desc.managementAccount.email ?? 'management@example.com',
        state: 'ACTIVE',
        joinedMethod: 'CREATED',
        parentId: this.rootId,
        tags: {},
        missingRole: true,
        isManagement: true,
      },
      prefix,
    );
    this.managementAccount = mgmt;
    const list: SimAccount[] = [mgmt];
    if (desc.managementAccount.iam) this.seeds.set(mgmtId, desc.managementAccount.iam);
    for (const a of desc.accounts) {
      const joinedMethod = a.joinedMethod ?? (a.missingRole ? 'INVITED' : 'CREATED');
      const missingRole = a.missingRole ?? joinedMethod === 'INVITED';
      const account = this.makeAccount(
        {
          id: a.id,
          name: a.name,
          email: a.email ?? `aws+${a.id}@example.com`,
          state: a.state ?? 'ACTIVE',
          joinedMethod,
          parentId: resolveOu(a.ou),
          tags: a.tags ?? {},
          missingRole,
          isManagement: false,
        },
        prefix,
      );
      list.push(account);
      const seed = this.memberSeed(account, a.iam);
      if (seed) this.seeds.set(a.id, seed);
    }
    for (const account of list) {
      this.byId.set(account.id, account);
      this.childAccountsOf.get(account.parentId)!.push(account);
    }
    this.accounts = list;
  }

  private makeAccount(a: Omit<SimAccount, 'status' | 'joinedTimestamp' | 'arn' | 'json'>, prefix: string): SimAccount {
    const arn = `${prefix}account/${this.id}/${a.id}`;
    const status = STATUS_OF[a.state];
    const ts = joinedTimestamp(a.id, a.isManagement);
    const json = JSON.stringify({
      Id: a.id,
      Arn: arn,
      Email: a.email,
      Name: a.name,
      Status: status,
      State: a.state,
      JoinedMethod: a.joinedMethod,
      JoinedTimestamp: ts,
    });
    return { ...a, status, joinedTimestamp: ts, arn, json };
  }

  /** Organizations creates the access role in the accounts it creates, trusting the management account. */
  private memberSeed(account: SimAccount, extra: IamSeed | undefined): IamSeed | undefined {
    if (account.missingRole) return extra;
    // One shared role description: 20,000 accounts need not allocate 20,000 copies.
    this.accessRole ??= {
      name: MEMBER_ROLE_NAME,
      path: '/',
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:${this.partition}:iam::${this.managementAccount.id}:root` }, Action: 'sts:AssumeRole' }],
      },
      managedPolicyArns: [`arn:${this.partition}:iam::aws:policy/AdministratorAccess`],
    };
    if (!extra) return { roles: [this.accessRole] };
    const roles = [...(extra.roles ?? [])];
    if (!roles.some((r) => r.name === MEMBER_ROLE_NAME)) roles.push(this.accessRole);
    return { ...extra, roles };
  }

  get memberCount(): number {
    return this.accounts.length - 1;
  }

  account(id: string): SimAccount | undefined {
    return this.byId.get(id);
  }

  ou(id: string): SimOu | undefined {
    return this.ouById.get(id);
  }

  /** True for the root and every OU id. */
  isParent(id: string): boolean {
    return id === this.rootId || this.ouById.has(id);
  }

  childAccounts(parentId: string): readonly SimAccount[] {
    return this.childAccountsOf.get(parentId) ?? [];
  }

  childOus(parentId: string): readonly SimOu[] {
    return this.childOusOf.get(parentId) ?? [];
  }

  /** The parent of an account or OU, or undefined when the id is unknown. */
  parentOf(childId: string): { Id: string; Type: 'ROOT' | 'ORGANIZATIONAL_UNIT' } | undefined {
    const parentId = this.byId.get(childId)?.parentId ?? this.ouById.get(childId)?.parentId;
    if (parentId === undefined) return undefined;
    return { Id: parentId, Type: parentId === this.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' };
  }

  /** Tags of an account, OU or the root; undefined when the id is unknown. */
  tagsOf(resourceId: string): Record<string, string> | undefined {
    if (resourceId === this.rootId) return {};
    return this.byId.get(resourceId)?.tags ?? this.ouById.get(resourceId)?.tags;
  }

  /** The IAM objects each account starts with (the member role, plus what the description adds). */
  iamSeeds(): IterableIterator<[string, IamSeed]> {
    return this.seeds.entries();
  }

  /** A JSON-able summary for tests and `GET /_sim/org`. */
  toJSON(): unknown {
    return {
      id: this.id,
      arn: this.arn,
      rootId: this.rootId,
      partition: this.partition,
      managementAccountId: this.managementAccount.id,
      ous: this.ous.map(({ id, name, path, parentId, tags }) => ({ id, name, path, parentId, tags })),
      accounts: this.accounts.map(({ id, name, email, state, status, joinedMethod, parentId, tags, missingRole, isManagement }) => ({
        id,
        name,
        email,
        state,
        status,
        joinedMethod,
        parentId,
        tags,
        missingRole,
        isManagement,
      })),
    };
  }
}
