import { Type } from '@fastify/type-provider-typebox';
import { AccountResult } from './rollout.js';

export const StoredAccountResult = Type.Object({
  ...AccountResult.properties,
  rolloutId: Type.String(),
  dryRun: Type.Boolean({ description: 'True when the result came from a dry-run (the account was planned, not changed).' }),
});

export const AccountList = Type.Object({ items: Type.Array(StoredAccountResult) });

export const AccountDetail = Type.Object({
  accountId: Type.String(),
  latest: StoredAccountResult,
  history: Type.Array(StoredAccountResult, { description: 'Newest first, the latest included.' }),
});

export const AccountHistoryQuery = Type.Object(
  { historyLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'History entries to return.' })) },
  { additionalProperties: false },
);
