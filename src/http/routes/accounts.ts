import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.js';
import type { RolloutService, RolloutStore } from '../../core/ports.js';
import { AccountDetail, AccountHistoryQuery, AccountList, AccountListQuery } from '../schemas/account.js';
import { AccountIdParams, ERROR_RESPONSES } from '../schemas/common.js';
import { AccountResult } from '../schemas/rollout.js';
import type { RateLimitRule } from '../rate-limit.js';

export interface AccountRoutesOptions {
  store: RolloutStore;
  rollouts: RolloutService;
  /** Drift makes live AWS calls, so it is limited like the write routes. */
  driftRateLimit: RateLimitRule;
}

export const accountRoutes: FastifyPluginAsyncTypebox<AccountRoutesOptions> = async (app, { store, rollouts, driftRateLimit }) => {
  const tags = ['accounts'];

  app.get(
    '/accounts',
    {
      schema: {
        tags,
        summary: 'The latest result of every account (from any rollout; `dryRun` tells which kind), in pages by account id',
        querystring: AccountListQuery,
        response: { 200: AccountList, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      // One more than asked tells whether another page follows.
      const rows = await store.latestAccountResults({ limit: limit + 1, after: req.query.after, status: req.query.status });
      const items = rows.slice(0, limit);
      return rows.length > limit ? { items, nextCursor: items[items.length - 1].accountId } : { items };
    },
  );

  app.get(
    '/accounts/:accountId',
    {
      schema: {
        tags,
        summary: 'One account: its latest result and recent history',
        params: AccountIdParams,
        querystring: AccountHistoryQuery,
        response: { 200: AccountDetail, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const history = await store.accountHistory(req.params.accountId, req.query.historyLimit ?? 10);
      if (history.length === 0) throw new DomainError('ACCOUNT.NOT_FOUND', `no result recorded for account ${req.params.accountId}`);
      return { accountId: req.params.accountId, latest: history[0], history };
    },
  );

  app.get(
    '/accounts/:accountId/drift',
    {
      schema: {
        tags,
        summary: 'A live dry-run of one account (not recorded)',
        params: AccountIdParams,
        response: { 200: AccountResult, ...ERROR_RESPONSES },
      },
      config: { rateLimit: driftRateLimit },
    },
    async (req) => rollouts.drift(req.params.accountId),
  );
};
