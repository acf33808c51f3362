/**
 * The organization as seen from the management account (or a delegated administrator):
 * who we are, which accounts exist, where they sit in the OU tree, how they are tagged.
 */
import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListTagsForResource,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { DomainError } from '../core/errors.js';
import type { AccountState, OrgAccount } from '../core/model.js';
import type { CallerIdentity, OrganizationDirectory } from '../core/ports.js';
import { partitionOfArn } from './partition.js';
import type { RetryPolicy } from './retry.js';
import { withPolicy } from './sdk-call.js';

// ListAccounts' largest page (MaxResults 1–20).
const ACCOUNTS_PAGE_SIZE = 20;

const STATES = new Set<string>(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED', 'PENDING_ACTIVATION']);

/** `State` when present, else the legacy `Status` (being retired; its values are a subset of State's). */
export function accountState(a: Pick<Account, 'State' | 'Status'>): AccountState {
  const raw = a.State ?? a.Status;
  if (raw && STATES.has(raw)) return raw as AccountState;
  // An unknown or missing state must not look convergeable.
  return raw ? 'SUSPENDED' : 'ACTIVE';
}

export function toOrgAccount(a: Account): OrgAccount {
  return { id: a.Id ?? '', name: a.Name ?? '', ...(a.Email ? { email: a.Email } : {}), state: accountState(a) };
}

export class AwsOrganizationDirectory implements OrganizationDirectory {
  private identity?: Promise<CallerIdentity>;
  private management?: Promise<string>;

  constructor(
    private readonly organizations: OrganizationsClient,
    private readonly sts: STSClient,
    private readonly policy: RetryPolicy,
  ) {}

  whoAmI(): Promise<CallerIdentity> {
    this.identity ??= this.fetchIdentity().catch((e: unknown) => {
      this.identity = undefined;
      throw e;
    });
    return this.identity;
  }

  managementAccountId(): Promise<string> {
    this.management ??= this.fetchManagementAccountId().catch((e: unknown) => {
      this.management = undefined;
      throw e;
    });
    return this.management;
  }

  async *listAccounts(signal?: AbortSignal): AsyncIterable<OrgAccount> {
    // The paginator loops while NextToken is set, so an empty page with a token does not end the listing.
    const pages = paginateListAccounts(
      { client: this.organizations, pageSize: ACCOUNTS_PAGE_SIZE, withCommand: (c) => withPolicy(c, this.policy, { service: 'organizations', signal }) },
      {},
      { abortSignal: signal },
    );
    for await (const page of pages) {
      for (const a of page.Accounts ?? []) yield toOrgAccount(a);
    }
  }

  async listAccountIdsUnder(parentId: string, signal?: AbortSignal): Promise<Set<string>> {
    const ids = new Set<string>();
    const seen = new Set<string>();
    const queue = [parentId];
    const withCommand = <C extends Parameters<typeof withPolicy>[0]>(c: C) => withPolicy(c, this.policy, { service: 'organizations', signal });
    while (queue.length) {
      const parent = queue.shift() as string;
      if (seen.has(parent)) continue;
      seen.add(parent);
      for await (const page of paginateListAccountsForParent({ client: this.organizations, pageSize: ACCOUNTS_PAGE_SIZE, withCommand }, { ParentId: parent }, { abortSignal: signal })) {
        for (const a of page.Accounts ?? []) if (a.Id) ids.add(a.Id);
      }
      for await (const page of paginateListOrganizationalUnitsForParent({ client: this.organizations, pageSize: ACCOUNTS_PAGE_SIZE, withCommand }, { ParentId: parent }, { abortSignal: signal })) {
        for (const ou of page.OrganizationalUnits ?? []) if (ou.Id) queue.push(ou.Id);
      }
    }
    return ids;
  }

  async listAccountTags(accountId: string, signal?: AbortSignal): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    const pages = paginateListTagsForResource(
      { client: this.organizations, withCommand: (c) => withPolicy(c, this.policy, { service: 'organizations', signal }) },
      { ResourceId: accountId },
      { abortSignal: signal },
    );
    for await (const page of pages) {
      for (const t of page.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    }
    return tags;
  }

  async describeAccount(accountId: string, signal?: AbortSignal): Promise<OrgAccount | null> {
    try {
      const out = await this.organizations.send(
        withPolicy(new DescribeAccountCommand({ AccountId: accountId }), this.policy, { service: 'organizations', signal }),
        { abortSignal: signal },
      );
      return out.Account ? toOrgAccount(out.Account) : null;
    } catch (e) {
      if ((e as { awsCode?: string }).awsCode === 'AccountNotFoundException') return null;
      throw e;
    }
  }

  private async fetchIdentity(): Promise<CallerIdentity> {
    const out = await this.sts.send(withPolicy(new GetCallerIdentityCommand({}), this.policy, { service: 'sts' }));
    if (!out.Account || !out.Arn) throw new DomainError('AWS.CALL_FAILED', 'GetCallerIdentity returned no account or ARN', { awsCode: 'InvalidResponse', operation: 'GetCallerIdentity' });
    return { accountId: out.Account, arn: out.Arn, partition: partitionOfArn(out.Arn) };
  }

  private async fetchManagementAccountId(): Promise<string> {
    const out = await this.organizations.send(withPolicy(new DescribeOrganizationCommand({}), this.policy, { service: 'organizations' }));
    const id = out.Organization?.MasterAccountId;
    if (!id) throw new DomainError('AWS.CALL_FAILED', 'DescribeOrganization returned no management account id', { awsCode: 'InvalidResponse', operation: 'DescribeOrganization' });
    return id;
  }
}
