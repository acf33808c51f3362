import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { parseFailureTolerance } from '../../config.js';
import { DomainError, isDomainError } from '../../core/errors.js';
import type { RolloutRecord } from '../../core/model.js';
import type { RolloutRequest, RolloutService, RolloutStore, StartedRollout } from '../../core/ports.js';
import { requestedBy } from '../auth.js';
import { ERROR_RESPONSES, RolloutIdParams } from '../schemas/common.js';
import {
  AccountResultList,
  GetRolloutQuery,
  ListRolloutsQuery,
  RolloutAccountsQuery,
  RolloutPage,
  RolloutRecord as RolloutRecordSchema,
  RolloutReport,
  StartRolloutBody,
  type StartRolloutBodyType,
} from '../schemas/rollout.js';
import type { RateLimitRule } from '../rate-limit.js';

export interface RolloutRoutesOptions {
  store: RolloutStore;
  rollouts: RolloutService;
  writeRateLimit: RateLimitRule;
}

function toRolloutRequest(body: StartRolloutBodyType): RolloutRequest {
  const request: RolloutRequest = {};
  if (body.dryRun !== undefined) request.dryRun = body.dryRun;
  if (body.accounts !== undefined) request.accounts = body.accounts;
  if (body.excludeAccounts !== undefined) request.excludeAccounts = body.excludeAccounts;
  if (body.organizationalUnits !== undefined) request.organizationalUnits = body.organizationalUnits;
  if (body.accountTags !== undefined) request.accountTags = body.accountTags;
  if (body.concurrency !== undefined) request.concurrency = body.concurrency;
  if (body.failureTolerance !== undefined) {
    try {
      request.failureTolerance = parseFailureTolerance(String(body.failureTolerance), 'failureTolerance', 'body');
    } catch (e) {
      // The schema admits any digits; the percent range is checked by the config's own parser.
      throw new DomainError('REQUEST.INVALID', `body/failureTolerance: ${isDomainError(e) ? String(e.details?.rule ?? e.message) : 'is invalid'}`);
    }
  }
  return request;
}

async function requireRollout(store: RolloutStore, id: string): Promise<RolloutRecord> {
  const record = await store.getRollout(id);
  if (!record) throw new DomainError('ROLLOUT.NOT_FOUND', `no rollout with id ${id}`);
  return record;
}

/** The rollout runs on after the 202; its end is in the store and the log, not in this request. */
function detach(req: FastifyRequest, started: StartedRollout): void {
  started.done.catch((err: unknown) => req.log.error({ err, rolloutId: started.record.id }, 'rollout ended with an error'));
}

export const rolloutRoutes: FastifyPluginAsyncTypebox<RolloutRoutesOptions> = async (app, { store, rollouts, writeRateLimit }) => {
  const tags = ['rollouts'];

  app.post(
    '/rollouts',
    {
      schema: {
        tags,
        summary: 'Start a rollout',
        description: 'Starts a rollout in the background and answers at once. 409 while another rollout holds the lock.',
        body: StartRolloutBody,
        response: { 202: RolloutRecordSchema, ...ERROR_RESPONSES },
      },
      config: { rateLimit: writeRateLimit },
      // No body at all means "every default"; a JSON null or array is still a 400.
      preValidation: async (req) => {
        if (req.body === undefined) req.body = {};
      },
    },
    async (req, reply) => {
      const started = await rollouts.start(toRolloutRequest(req.body), { trigger: 'http', requestedBy: requestedBy(req) });
      detach(req, started);
      return reply.code(202).header('location', `/rollouts/${encodeURIComponent(started.record.id)}`).send(started.record);
    },
  );

  app.get(
    '/rollouts',
    {
      schema: {
        tags,
        summary: 'List rollouts, newest first',
        querystring: ListRolloutsQuery,
        response: { 200: RolloutPage, ...ERROR_RESPONSES },
      },
    },
    async (req) => store.listRollouts({ limit: req.query.limit ?? 20, before: req.query.before }),
  );

  app.get(
    '/rollouts/:id',
    {
      schema: {
        tags,
        summary: 'One rollout with its summary; ?include=accounts adds the per-account results (the report)',
        params: RolloutIdParams,
        querystring: GetRolloutQuery,
        response: { 200: RolloutReport, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const record = await requireRollout(store, req.params.id);
      if (req.query.include !== 'accounts') return record;
      return { ...record, accounts: await store.listAccountResults(record.id) };
    },
  );

  app.get(
    '/rollouts/:id/accounts',
    {
      schema: {
        tags,
        summary: 'Per-account results of one rollout',
        params: RolloutIdParams,
        querystring: RolloutAccountsQuery,
        response: { 200: AccountResultList, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      await requireRollout(store, req.params.id);
      const filter = req.query.status ? { status: req.query.status } : undefined;
      return { items: await store.listAccountResults(req.params.id, filter) };
    },
  );

  app.post(
    '/rollouts/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a running rollout',
        description: 'No new account starts; accounts not yet started are skipped as cancelled. 409 when it is not running in this process.',
        params: RolloutIdParams,
        response: { 202: RolloutRecordSchema, ...ERROR_RESPONSES },
      },
      config: { rateLimit: writeRateLimit },
    },
    async (req, reply) => {
      await requireRollout(store, req.params.id);
      await rollouts.cancel(req.params.id);
      const record = await requireRollout(store, req.params.id);
      return reply.code(202).header('location', `/rollouts/${encodeURIComponent(record.id)}`).send(record);
    },
  );

  app.post(
    '/rollouts/:id/retry',
    {
      schema: {
        tags,
        summary: 'Retry the failed and unreachable accounts of a rollout, as a new rollout',
        params: RolloutIdParams,
        response: { 202: RolloutRecordSchema, ...ERROR_RESPONSES },
      },
      config: { rateLimit: writeRateLimit },
    },
    async (req, reply) => {
      await requireRollout(store, req.params.id);
      const started = await rollouts.retry(req.params.id, { trigger: 'retry', requestedBy: requestedBy(req) });
      detach(req, started);
      return reply.code(202).header('location', `/rollouts/${encodeURIComponent(started.record.id)}`).send(started.record);
    },
  );
};
