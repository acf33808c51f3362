/** ROLLOUT_INCLUDE_MANAGEMENT_ACCOUNT: the management account converges with the caller's own credentials. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MGMT_ID, smallOrg, startRolloutEnv, type RolloutEnv } from '../../helpers/rollout-env.js';

let env: RolloutEnv;
beforeAll(async () => {
  env = await startRolloutEnv({ org: smallOrg() }, { ROLLOUT_INCLUDE_MANAGEMENT_ACCOUNT: 'true' });
});
afterAll(async () => {
  await env?.close();
});

describe('including the management account', () => {
  it('is converged without AssumeRole, then compliant', async () => {
    env.sim.resetStats();
    const first = await (await env.ctx.rollouts.start({ accounts: [MGMT_ID] }, { trigger: 'cli' })).done;
    expect(first.accounts).toHaveLength(1);
    expect(first.accounts[0]).toMatchObject({ accountId: MGMT_ID, status: 'updated' });
    expect(env.sim.stats().operations['sts:AssumeRole']).toBeUndefined();
    const state = env.sim.iam.dump(MGMT_ID) as { groups: { name: string }[] };
    expect(state.groups.map((g) => g.name).sort()).toEqual(['Administrators', 'Users']);
    const second = await (await env.ctx.rollouts.start({ accounts: [MGMT_ID] }, { trigger: 'cli' })).done;
    expect(second.accounts[0].status).toBe('compliant');
  });
});
