import { Type, type Static } from '@fastify/type-provider-typebox';

// Patterns are the contract's; the descriptions end up in the OpenAPI document.
export const ACCOUNT_ID_PATTERN = '^\\d{12}$';
export const OU_OR_ROOT_ID_PATTERN = '^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$';
export const ROLLOUT_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

export const AccountId = Type.String({ pattern: ACCOUNT_ID_PATTERN, description: 'A 12-digit AWS account id.' });
export const OrganizationalUnitId = Type.String({
  pattern: OU_OR_ROOT_ID_PATTERN,
  description: 'An organizational unit id (ou-…) or a root id (r-…).',
});
export const RolloutId = Type.String({ pattern: ROLLOUT_ID_PATTERN, description: 'A rollout id.' });

export const RolloutIdParams = Type.Object({ id: RolloutId }, { additionalProperties: false });
export const AccountIdParams = Type.Object({ accountId: AccountId }, { additionalProperties: false });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'A stable code from the error catalogue.' }),
      message: Type.String(),
      heldBy: Type.Optional(Type.String({ description: 'ROLLOUT.LOCKED only: the rollout that holds the lock.' })),
    }),
  },
  { description: 'Every error answer has this shape.' },
);
export type ErrorBodyType = Static<typeof ErrorBody>;

export const ACCOUNT_STATUSES = ['compliant', 'updated', 'planned', 'failed', 'unreachable', 'skipped'] as const;
export const ROLLOUT_STATUSES = ['running', 'succeeded', 'failed', 'aborted', 'cancelled', 'interrupted'] as const;
export const ROLLOUT_TRIGGERS = ['cli', 'http', 'schedule', 'retry', 'resume'] as const;

export const AccountStatus = Type.Enum(ACCOUNT_STATUSES);
export const RolloutStatus = Type.Enum(ROLLOUT_STATUSES);
export const RolloutTrigger = Type.Enum(ROLLOUT_TRIGGERS);

/** Error answers, declared on every route so the OpenAPI document lists them and they serialize by schema. */
export const ERROR_RESPONSES = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
  503: ErrorBody,
} as const;
