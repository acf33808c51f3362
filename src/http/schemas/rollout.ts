import { Type, type Static } from '@fastify/type-provider-typebox';
import { AccountId, AccountStatus, OrganizationalUnitId, RolloutId, RolloutStatus, RolloutTrigger } from './common.js';

/** Generous ceilings: an organization has at most a few thousand accounts, and the body limit applies first. */
const MAX_LIST = 5000;

export const StartRolloutBody = Type.Object(
  {
    dryRun: Type.Optional(Type.Boolean({ description: 'Plan only; nothing is changed.' })),
    accounts: Type.Optional(Type.Array(AccountId, { maxItems: MAX_LIST, uniqueItems: true, description: 'Only these accounts.' })),
    excludeAccounts: Type.Optional(Type.Array(AccountId, { maxItems: MAX_LIST, uniqueItems: true })),
    organizationalUnits: Type.Optional(
      Type.Array(OrganizationalUnitId, { maxItems: 1000, uniqueItems: true, description: 'Only accounts under these OUs or roots.' }),
    ),
    accountTags: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 128 }), Type.String({ maxLength: 256 }), {
        maxProperties: 50,
        description: 'Only accounts carrying every tag (value `*` matches any value).',
      }),
    ),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Most accounts in flight at once.' })),
    failureTolerance: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^\\d+%?$' })], {
        description: 'Failed accounts allowed before the rollout aborts: a count (3 or "3") or a percent ("10%").',
      }),
    ),
  },
  { additionalProperties: false },
);
export type StartRolloutBodyType = Static<typeof StartRolloutBody>;

export const RolloutSummary = Type.Object({
  total: Type.Integer(),
  compliant: Type.Integer(),
  updated: Type.Integer(),
  planned: Type.Integer(),
  failed: Type.Integer(),
  unreachable: Type.Integer(),
  skipped: Type.Integer(),
});

export const RolloutOptions = Type.Object({
  dryRun: Type.Boolean(),
  accounts: Type.Optional(Type.Array(Type.String())),
  excludeAccounts: Type.Optional(Type.Array(Type.String())),
  organizationalUnits: Type.Optional(Type.Array(Type.String())),
  accountTags: Type.Optional(Type.Record(Type.String(), Type.String())),
  concurrency: Type.Integer(),
  failureTolerance: Type.String(),
  includeManagementAccount: Type.Optional(Type.Boolean()),
});

export const RolloutRecord = Type.Object({
  id: Type.String(),
  status: RolloutStatus,
  dryRun: Type.Boolean(),
  trigger: RolloutTrigger,
  requestedBy: Type.Optional(Type.String()),
  options: RolloutOptions,
  parentId: Type.Optional(Type.String()),
  startedAt: Type.String({ description: 'ISO-8601' }),
  finishedAt: Type.Union([Type.String(), Type.Null()], { description: 'ISO-8601, or null while running.' }),
  baselineHash: Type.String(),
  summary: RolloutSummary,
});

export const AccountResult = Type.Object({
  accountId: Type.String(),
  accountName: Type.String(),
  status: AccountStatus,
  reason: Type.Optional(Type.String()),
  actions: Type.Array(
    Type.Object({
      type: Type.String(),
      resource: Type.String(),
      detail: Type.Optional(Type.String()),
    }),
  ),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  durationMs: Type.Number(),
  apiCalls: Type.Object({ reads: Type.Integer(), writes: Type.Integer() }),
});

/** The contract's report: the record, with `accounts` when asked for. */
export const RolloutReport = Type.Object({
  ...RolloutRecord.properties,
  accounts: Type.Optional(Type.Array(AccountResult)),
});

export const RolloutPage = Type.Object({
  items: Type.Array(RolloutRecord),
  nextCursor: Type.Optional(Type.String({ description: 'Pass as `before` for the next (older) page; absent on the last page.' })),
});

export const ListRolloutsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    before: Type.Optional(RolloutId),
  },
  { additionalProperties: false },
);

export const GetRolloutQuery = Type.Object(
  { include: Type.Optional(Type.Literal('accounts', { description: '`accounts` adds the per-account results.' })) },
  { additionalProperties: false },
);

export const RolloutAccountsQuery = Type.Object({ status: Type.Optional(AccountStatus) }, { additionalProperties: false });

export const AccountResultList = Type.Object({ items: Type.Array(AccountResult) });

