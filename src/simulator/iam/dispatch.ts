import { type CallerContext, IAM_XMLNS, type QueryParams, queryResponse } from '../protocol.js';
import { AUTHORIZATION_DETAILS_ACTIONS } from './actions/authorization-details.js';
import { ActionContext, type ActionHandler } from './actions/context.js';
import { GROUP_ACTIONS } from './actions/groups.js';
import { MANAGED_POLICY_ACTIONS } from './actions/managed-policies.js';
import { ROLE_ACTIONS } from './actions/roles.js';
import { USER_ACTIONS } from './actions/users.js';
import { invalidAction } from './failures.js';
import type { IamWorld } from './world.js';

const ACTIONS: ReadonlyMap<string, { write: boolean; run: ActionHandler }> = new Map(
  Object.entries({ ...MANAGED_POLICY_ACTIONS, ...GROUP_ACTIONS, ...ROLE_ACTIONS, ...USER_ACTIONS, ...AUTHORIZATION_DETAILS_ACTIONS }),
);

/** Every IAM action the simulator implements. */
export const IAM_ACTIONS: ReadonlySet<string> = new Set(ACTIONS.keys());

/** True for actions that change state (for stats: writes vs reads). */
export function isIamWriteAction(action: string): boolean {
  return ACTIONS.get(action)?.write ?? false;
}

/** Handles one IAM query-protocol action for the caller's account; returns the full XML response body (queryResponse(...)); throws SimError. */
export function handleIamAction(world: IamWorld, caller: CallerContext, action: string, params: QueryParams, requestId: string): string {
  const entry = ACTIONS.get(action);
  if (!entry) throw invalidAction(action);
  const result = entry.run(new ActionContext(world, caller, params));
  return queryResponse(action, result, requestId, IAM_XMLNS);
}
