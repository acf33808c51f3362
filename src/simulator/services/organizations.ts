/**
 * AWS Organizations in JSON 1.1: the read operations a rollout needs. Lists page with
 * MaxResults (1–20) and NextToken, and some pages come back empty with a NextToken still
 * set — AWS documents that, and clients must keep looping.
 */
import { SimError, type CallerContext } from '../protocol.js';
import type { SimOrganization } from '../org/organization.js';

export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128.';

/** An Organizations error with the extra members its shape carries (e.g. `Reason`). */
export class OrgError extends SimError {
  constructor(
    code: string,
    message: string,
    readonly extra: Record<string, string> = {},
    status = 400,
  ) {
    super(code, message, status);
  }
}

export interface OrganizationsContext {
  org: SimOrganization;
  /** After this many non-empty pages comes one empty page (0: never). */
  emptyPageEvery: number;
}

type Input = Record<string, unknown>;

const ACCOUNT_ID_RE = /^\d{12}$/;
const PARENT_ID_RE = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const CHILD_ID_RE = /^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const RESOURCE_ID_RE = /^(\d{12}|r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|p-[0-9a-zA-Z_]{8,128})$/;

function invalid(reason: string, message: string): OrgError {
  return new OrgError('InvalidInputException', message, { Reason: reason });
}

function requiredId(input: Input, field: string, re: RegExp): string {
  const v = input[field];
  if (v === undefined || v === null) throw invalid('INVALID_INPUT', `You must specify a value for ${field}.`);
  if (typeof v !== 'string' || !re.test(v)) throw invalid('INVALID_PATTERN', `You specified an invalid value for ${field}.`);
  return v;
}

interface Page {
  /** Already-serialized JSON items. */
  items: string[];
  nextToken?: string;
}

/**
 * Offset paging. The token carries the operation, a scope key (the parent), the offset
 * and the page number, so a token from another call is refused as AWS does.
 */
function paginate(ctx: OrganizationsContext, op: string, scope: string, all: readonly string[], input: Input): Page {
  const max = input.MaxResults;
  let size = 20;
  if (max !== undefined && max !== null) {
    if (typeof max !== 'number' || !Number.isInteger(max)) throw invalid('INVALID_INPUT', 'MaxResults must be a whole number.');
    if (max < 1) throw invalid('MIN_VALUE_EXCEEDED', 'You provided a value that is below the minimum allowed value: MaxResults must be at least 1.');
    if (max > 20) throw invalid('MAX_VALUE_EXCEEDED', 'You provided a value that exceeds the maximum allowed value: MaxResults must be at most 20.');
    size = max;
  }
  let offset = 0;
  let page = 0;
  const token = input.NextToken;
  if (token !== undefined && token !== null) {
    const parts = typeof token === 'string' ? Buffer.from(token, 'base64url').toString('utf8').split('\u0000') : [];
    if (parts.length !== 4 || parts[0] !== op || parts[1] !== scope || !/^\d+$/.test(parts[2]) || !/^\d+$/.test(parts[3]) || Number(parts[2]) > all.length) {
      throw invalid('INVALID_NEXT_TOKEN', 'You provided an invalid NextToken value.');
    }
    offset = Number(parts[2]);
    page = Number(parts[3]);
  }
  const encode = (o: number, p: number): string => Buffer.from(`${op}\u0000${scope}\u0000${o}\u0000${p}`, 'utf8').toString('base64url');
  const k = ctx.emptyPageEvery;
  if (k > 0 && page % (k + 1) === k && offset < all.length) return { items: [], nextToken: encode(offset, page + 1) };
  const end = Math.min(all.length, offset + size);
  return { items: all.slice(offset, end), nextToken: end < all.length ? encode(end, page + 1) : undefined };
}

function listBody(key: string, page: Page): string {
  return page.nextToken === undefined ? `{"${key}":[${page.items.join(',')}]}` : `{"${key}":[${page.items.join(',')}],"NextToken":${JSON.stringify(page.nextToken)}}`;
}

function parent(ctx: OrganizationsContext, input: Input): string {
  const id = requiredId(input, 'ParentId', PARENT_ID_RE);
  if (!ctx.org.isParent(id)) throw new OrgError('ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified.");
  return id;
}

// The organization is immutable, so each list's JSON items are built once and reused by every page.
const listCache = new WeakMap<SimOrganization, Map<string, string[]>>();
function cachedList(org: SimOrganization, key: string, build: () => string[]): string[] {
  let lists = listCache.get(org);
  if (!lists) listCache.set(org, (lists = new Map()));
  let items = lists.get(key);
  if (!items) lists.set(key, (items = build()));
  return items;
}

type Handler = (ctx: OrganizationsContext, input: Input, caller: CallerContext) => string;

const HANDLERS: Record<string, Handler> = {
  DescribeOrganization: ({ org }) => {
    const m = org.managementAccount;
    return JSON.stringify({
      Organization: {
        Id: org.id,
        Arn: org.arn,
        FeatureSet: 'ALL',
        MasterAccountArn: m.arn,
        MasterAccountId: m.id,
        MasterAccountEmail: m.email,
        AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
      },
    });
  },
  DescribeAccount: ({ org }, input) => {
    const id = requiredId(input, 'AccountId', ACCOUNT_ID_RE);
    const account = org.account(id);
    if (!account) throw new OrgError('AccountNotFoundException', "You specified an account that doesn't exist.");
    return `{"Account":${account.json}}`;
  },
  ListAccounts: (ctx, input) => listBody('Accounts', paginate(ctx, 'ListAccounts', '', cachedList(ctx.org, 'accounts', () => ctx.org.accounts.map((a) => a.json)), input)),
  ListRoots: (ctx, input) => listBody('Roots', paginate(ctx, 'ListRoots', '', [ctx.org.rootJson], input)),
  ListOrganizationalUnitsForParent: (ctx, input) => {
    const id = parent(ctx, input);
    const ous = cachedList(ctx.org, `ous:${id}`, () => ctx.org.childOus(id).map((o) => o.json));
    return listBody('OrganizationalUnits', paginate(ctx, 'ListOrganizationalUnitsForParent', id, ous, input));
  },
  ListAccountsForParent: (ctx, input) => {
    const id = parent(ctx, input);
    const accounts = cachedList(ctx.org, `accounts:${id}`, () => ctx.org.childAccounts(id).map((a) => a.json));
    return listBody('Accounts', paginate(ctx, 'ListAccountsForParent', id, accounts, input));
  },
  ListChildren: (ctx, input) => {
    const id = parent(ctx, input);
    const type = input.ChildType;
    if (type === undefined || type === null) throw invalid('INVALID_INPUT', 'You must specify a value for ChildType.');
    if (type !== 'ACCOUNT' && type !== 'ORGANIZATIONAL_UNIT') throw invalid('INVALID_ENUM', 'ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT.');
    const children = cachedList(ctx.org, `children:${id}:${type}`, () =>
      (type === 'ACCOUNT' ? ctx.org.childAccounts(id) : ctx.org.childOus(id)).map((c) => `{"Id":"${c.id}","Type":"${type}"}`),
    );
    return listBody('Children', paginate(ctx, 'ListChildren', `${id}/${type}`, children, input));
  },
  ListParents: (ctx, input) => {
    const id = requiredId(input, 'ChildId', CHILD_ID_RE);
    const p = ctx.org.parentOf(id);
    if (!p) throw new OrgError('ChildNotFoundException', "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.");
    return listBody('Parents', paginate(ctx, 'ListParents', id, [JSON.stringify(p)], input));
  },
  ListTagsForResource: (ctx, input) => {
    const id = requiredId(input, 'ResourceId', RESOURCE_ID_RE);
    const tags = ctx.org.tagsOf(id);
    if (!tags) throw new OrgError('TargetNotFoundException', "We can't find a root, OU, account, or policy with the TargetId that you specified.");
    // At most 50 tags per resource, so one page always holds them.
    return JSON.stringify({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
  },
};

export const ORGANIZATIONS_OPERATIONS: readonly string[] = Object.keys(HANDLERS);

/** Handles one operation; returns the JSON body or throws SimError/OrgError. */
export function handleOrganizationsOperation(ctx: OrganizationsContext, caller: CallerContext, operation: string, body: string): string {
  const handler = Object.hasOwn(HANDLERS, operation) ? HANDLERS[operation] : undefined;
  if (!handler) throw new SimError('UnknownOperationException', `Operation ${operation} is not supported by this simulator.`, 400);
  let input: Input;
  try {
    const parsed: unknown = body.length ? JSON.parse(body) : {};
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    input = parsed as Input;
  } catch {
    throw new SimError('SerializationException', 'The request body is not a JSON object.', 400);
  }
  const callerAccount = ctx.org.account(caller.accountId);
  if (!callerAccount) throw new OrgError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
  // Members may describe their organization; everything else is for the management account.
  if (!callerAccount.isManagement && operation !== 'DescribeOrganization') {
    throw new OrgError('AccessDeniedException', "You don't have permissions to access this resource.");
  }
  return handler(ctx, input, caller);
}
