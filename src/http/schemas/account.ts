import { Type } from '@fastify/type-provider-typebox';
import { AccountStatus } from './common.js';
import { AccountResult } from './rollout.js';

export const StoredAccountResult = Type.Object({
  ...AccountResult.properties,
  rolloutId: Type.String(),
  dryRun: Type.Boolean({ description: 'True when the result came from a dry-run (the account was planned, not changed).' }),
});

export const AccountList = Type.Object({
  items: Type.Array(StoredAccountResult),
  nextCursor: Type.Optional(Type.String({ description: 'Pass as `after` for the next page; absent on the last page.' })),
});

export const AccountListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Accounts per page, ordered by account id.' })),
    after: Type.Optional(Type.String({ pattern: '^\\d{12}$', description: 'Account id of the last item of the previous page.' })),
    status: Type.Optional(AccountStatus),
  },
  { additionalProperties: false },
);

export const AccountDetail = Type.Object({
  accountId: Type.String(),
  latest: StoredAccountResult,
  history: Type.Array(StoredAccountResult, { description: 'Newest first, the latest included.' }),
});

export const AccountHistoryQuery = Type.Object(
  { historyLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'History entries to return.' })) },
  { additionalProperties: false },
);
