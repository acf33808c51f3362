import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';
import { adapters, collect, MANAGEMENT, member, org45, type Harness } from './helpers.js';

let sim: RunningSimulator;
let h: Harness;

beforeAll(async () => {
  // emptyPageEvery 1: an empty ListAccounts page with a NextToken after every full page.
  sim = await startSimulator({ port: 0, org: org45(), emptyPageEvery: 1 });
  h = adapters(sim.endpoint);
});

afterAll(async () => {
  h?.aws.close();
  await sim?.close();
});

beforeEach(() => {
  sim.resetStats();
  sim.setFaults({ scripted: [] });
});

describe('OrganizationDirectory over the simulator', () => {
  it('whoAmI reads the account and the partition from GetCallerIdentity, once', async () => {
    const a = await h.aws.directory.whoAmI();
    const b = await h.aws.directory.whoAmI();
    expect(a).toEqual({ accountId: MANAGEMENT, arn: expect.stringMatching(/^arn:aws:/), partition: 'aws' });
    expect(b).toBe(a);
    expect(sim.stats().operations['sts:GetCallerIdentity']?.total ?? 0).toBeLessThanOrEqual(1);
  });

  it('managementAccountId comes from DescribeOrganization and is cached', async () => {
    expect(await h.aws.directory.managementAccountId()).toBe(MANAGEMENT);
    expect(await h.aws.directory.managementAccountId()).toBe(MANAGEMENT);
    expect(sim.stats().operations['organizations:DescribeOrganization'].total).toBe(1);
  });

  it('lists every account of a 45-account org through empty pages, with states', async () => {
    const accounts = await collect(h.aws.directory.listAccounts());
    expect(accounts).toHaveLength(46);
    expect(new Set(accounts.map((a) => a.id)).size).toBe(46);
    expect(accounts.map((a) => a.id)).toContain(MANAGEMENT);
    for (let i = 1; i <= 45; i++) expect(accounts.map((a) => a.id)).toContain(member(i));
    const byId = new Map(accounts.map((a) => [a.id, a]));
    expect(byId.get(member(1))).toEqual({ id: member(1), name: 'member-1', email: 'member-1@example.com', state: 'ACTIVE' });
    expect(byId.get(member(44))?.state).toBe('SUSPENDED');
    expect(byId.get(member(45))?.state).toBe('CLOSED');
    const pages = sim.stats().operations['organizations:ListAccounts'].total;
    // 46 accounts in pages of 20 → 3 full pages, each but the last followed by an empty one.
    expect(pages).toBeGreaterThan(3);
  });

  it('lists the accounts under an OU, nested OUs included', async () => {
    const rootId = sim.org.rootId;
    const workloads = sim.org.ous.find((o) => o.path === 'Workloads');
    const nonProd = sim.org.ous.find((o) => o.path === 'Workloads/NonProd');
    expect(workloads && nonProd).toBeTruthy();
    const underWorkloads = await h.aws.directory.listAccountIdsUnder(workloads!.id);
    expect([...underWorkloads].sort()).toEqual(Array.from({ length: 25 }, (_, i) => member(i + 1)).sort());
    const underNonProd = await h.aws.directory.listAccountIdsUnder(nonProd!.id);
    expect([...underNonProd].sort()).toEqual(Array.from({ length: 15 }, (_, i) => member(i + 11)).sort());
    const all = await h.aws.directory.listAccountIdsUnder(rootId);
    expect(all.size).toBe(46);
  });

  it('lists an account’s tags', async () => {
    expect(await h.aws.directory.listAccountTags(member(5))).toEqual({ env: 'prod', team: 't5' });
    expect(await h.aws.directory.listAccountTags(member(30))).toEqual({ env: 'sandbox', team: 't30' });
    expect(await h.aws.directory.listAccountTags(member(1))).toEqual({});
  });

  it('retries TooManyRequestsException and reports each throttle', async () => {
    sim.setFaults({ scripted: [{ service: 'organizations', operation: 'ListAccounts', code: 'TooManyRequestsException', times: 2 }] });
    const before = h.throttled.length;
    const accounts = await collect(h.aws.directory.listAccounts());
    expect(accounts).toHaveLength(46);
    expect(h.throttled.length - before).toBe(2);
    expect(sim.stats().operations['organizations:ListAccounts'].throttled).toBe(2);
  });

  it('surfaces a permanent error as AWS.CALL_FAILED with the AWS code, without retrying', async () => {
    sim.setFaults({ scripted: [{ service: 'organizations', operation: 'ListTagsForResource', code: 'AccessDeniedException', times: 1 }] });
    const err = await h.aws.directory.listAccountTags(member(5)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AWS.CALL_FAILED', awsCode: 'AccessDeniedException', operation: 'ListTagsForResource', retryable: false });
    expect(sim.stats().operations['organizations:ListTagsForResource'].total).toBe(1);
  });

  it('stops listing when the signal aborts', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const err = await (async () => {
      for await (const a of h.aws.directory.listAccounts(controller.signal)) {
        seen.push(a.id);
        if (seen.length === 3) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ROLLOUT.CANCELLED' });
    expect(seen.length).toBeLessThan(46);
  });
});
