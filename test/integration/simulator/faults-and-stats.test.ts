import { afterEach, describe, expect, it } from 'vitest';
import { ListRootsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { CreateGroupCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { startSimulator, type RunningSimulator, type SimStats, type SimulatorOptions } from '../../../src/simulator/index.js';
import { iam, orgs, rejection, sts, type Creds } from './sim-helpers.js';

const ROLE = 'OrganizationAccountAccessRole';
let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  sim = await startSimulator({ port: 0, accounts: 12, seed: 21, ...options });
  return sim;
}

function member(s: RunningSimulator) {
  return s.org.accounts.find((a) => !a.isManagement && !a.missingRole && a.state === 'ACTIVE')!;
}

async function memberCreds(s: RunningSimulator): Promise<Creds> {
  const { Credentials: c } = await sts(s).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member(s).id}:role/${ROLE}`, RoleSessionName: 'faults' }));
  return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
}

describe('simulator faults', () => {
  it('throttles with a token bucket per (account, service): Throttling for STS/IAM, TooManyRequestsException for Organizations', async () => {
    let now = 1_000_000;
    const s = await start({ clock: () => now });
    const creds = await memberCreds(s);
    s.setFaults({ throttle: { rate: 1, burst: 3 } });

    for (let i = 0; i < 3; i++) await sts(s).send(new GetCallerIdentityCommand({}));
    const throttled = await rejection(sts(s).send(new GetCallerIdentityCommand({})));
    expect(throttled.name).toBe('Throttling');
    expect(throttled.message).toBe('Rate exceeded');
    expect(throttled.$metadata?.httpStatusCode).toBe(400);

    // Another service, and the same service in another account, have buckets of their own.
    for (let i = 0; i < 3; i++) await orgs(s).send(new ListRootsCommand({}));
    const orgThrottled = await rejection(orgs(s).send(new ListRootsCommand({})));
    expect(orgThrottled.name).toBe('TooManyRequestsException');
    expect(orgThrottled.$metadata?.httpStatusCode).toBe(400);
    for (let i = 0; i < 3; i++) await sts(s, creds).send(new GetCallerIdentityCommand({}));
    expect((await rejection(sts(s, creds).send(new GetCallerIdentityCommand({})))).name).toBe('Throttling');
    for (let i = 0; i < 3; i++) await iam(s, creds).send(new GetRoleCommand({ RoleName: ROLE }));
    expect((await rejection(iam(s, creds).send(new GetRoleCommand({ RoleName: ROLE })))).name).toBe('Throttling');

    // One second refills one token at rate 1.
    now += 1000;
    await sts(s).send(new GetCallerIdentityCommand({}));
    expect((await rejection(sts(s).send(new GetCallerIdentityCommand({})))).name).toBe('Throttling');
    expect(s.stats().totals.throttled).toBe(5);
  });

  it('the SDK retries throttling and succeeds once the bucket refills', async () => {
    const s = await start({ throttle: { rate: 50, burst: 1 } });
    for (let i = 0; i < 4; i++) await sts(s, undefined, 8).send(new GetCallerIdentityCommand({}));
    const st = s.stats();
    expect(st.operations['sts:GetCallerIdentity'].ok).toBe(4);
    expect(st.operations['sts:GetCallerIdentity'].throttled).toBeGreaterThan(0);
  });

  it('scripted faults fire for matching requests exactly `times` times', async () => {
    const s = await start();
    const target = member(s);
    const creds = await memberCreds(s);
    s.setFaults({
      scripted: [
        { service: 'organizations', operation: 'ListRoots', code: 'AccessDeniedException', status: 400, message: 'no', times: 2 },
        { account: target.id, operation: 'GetRole', code: 'AccessDenied', status: 403, times: 1 },
        { account: target.id, operation: 'AssumeRole', code: 'AccessDenied', status: 403, message: 'scripted deny', times: 1 },
      ],
    });
    for (let i = 0; i < 2; i++) {
      const e = await rejection(orgs(s).send(new ListRootsCommand({})));
      expect(e.name).toBe('AccessDeniedException');
      expect(e.message).toBe('no');
    }
    expect((await orgs(s).send(new ListRootsCommand({}))).Roots).toHaveLength(1);

    const denied = await rejection(iam(s, creds).send(new GetRoleCommand({ RoleName: ROLE })));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    expect((await iam(s, creds).send(new GetRoleCommand({ RoleName: ROLE }))).Role?.RoleName).toBe(ROLE);

    const assume = () => sts(s).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${target.id}:role/${ROLE}`, RoleSessionName: 'again' }));
    expect((await rejection(assume())).message).toBe('scripted deny');
    expect((await assume()).Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(s.stats().errorCodes).toEqual({ AccessDeniedException: 2, AccessDenied: 2 });
  });

  it('drops connections without an answer', async () => {
    const s = await start({ dropRate: 1 });
    const e = await rejection(sts(s).send(new GetCallerIdentityCommand({})));
    expect(`${(e as { code?: string }).code ?? ''} ${e.message}`).toMatch(/ECONNRESET|socket hang up/);
    expect(s.stats().totals).toMatchObject({ total: 1, dropped: 1 });
  });

  it('answers random server errors per service: ServiceFailure/ServiceUnavailable, ServiceException, InternalFailure', async () => {
    const s = await start({ failureRate: 1 });
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const e = await rejection(iam(s).send(new GetRoleCommand({ RoleName: ROLE })));
      expect(e.$metadata?.httpStatusCode).toBeGreaterThanOrEqual(500);
      names.add(e.name);
    }
    expect([...names].every((n) => n === 'ServiceFailureException' || n === 'ServiceFailure' || n === 'ServiceUnavailable')).toBe(true);
    const o = await rejection(orgs(s).send(new ListRootsCommand({})));
    expect(o.name).toBe('ServiceException');
    const t = await rejection(sts(s).send(new GetCallerIdentityCommand({})));
    expect(['InternalFailure', 'ServiceUnavailable']).toContain(t.name);
  });

  it('faults are reproducible from the seed', async () => {
    const outcomes = async (): Promise<string[]> => {
      const s = await startSimulator({ port: 0, accounts: 3, seed: 99, failureRate: 0.5 });
      try {
        const out: string[] = [];
        for (let i = 0; i < 12; i++) {
          out.push(await sts(s).send(new GetCallerIdentityCommand({})).then(() => 'ok', (e: Error) => e.name));
        }
        return out;
      } finally {
        await s.close();
      }
    };
    const first = await outcomes();
    expect(first).toContain('ok');
    expect(first.some((o) => o !== 'ok')).toBe(true);
    expect(await outcomes()).toEqual(first);
  });

  it('changes at run time through POST /_sim/faults, per service, and refuses invalid settings naming the field', async () => {
    const s = await start();
    const post = (body: unknown) => fetch(`${s.endpoint}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const res = await post({ latencyMs: 2, jitterMs: 2, services: { organizations: { failureRate: 1 } } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ latencyMs: 2, jitterMs: 2, services: { organizations: { failureRate: 1 } } });
    expect((await rejection(orgs(s).send(new ListRootsCommand({})))).name).toBe('ServiceException');
    expect((await sts(s).send(new GetCallerIdentityCommand({}))).Account).toBe(s.managementAccountId);

    const bad = await post({ scripted: [{ operation: 'GetRole' }] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'REQUEST.INVALID', message: 'faults: scripted[0].code: must be an error code such as AccessDenied' } });
    const unknown = await post({ throttel: { rate: 1 } });
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/throttel: unknown field/);
    const range = await post({ dropRate: 2 });
    expect(((await range.json()) as { error: { message: string } }).error.message).toBe('faults: dropRate: must be a number from 0 to 1');

    await post({ services: { organizations: { failureRate: 0 } } });
    expect((await orgs(s).send(new ListRootsCommand({}))).Roots).toHaveLength(1);
    expect(((await (await fetch(`${s.endpoint}/_sim/faults`)).json()) as { latencyMs: number }).latencyMs).toBe(2);
    expect(() => s.setFaults({ failureRate: -1 })).toThrow(/failureRate: must be a number from 0 to 1/);
  });
});

describe('simulator stats', () => {
  it('counts per service, operation, account and outcome, with reads and writes; GET /_sim/stats and POST /_sim/reset-stats', async () => {
    const s = await start();
    const target = member(s);
    const invited = s.org.accounts.find((a) => a.missingRole && !a.isManagement)!;
    await sts(s).send(new GetCallerIdentityCommand({}));
    const creds = await memberCreds(s);
    await rejection(sts(s).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${invited.id}:role/${ROLE}`, RoleSessionName: 'x1' })));
    await iam(s, creds).send(new GetRoleCommand({ RoleName: ROLE }));
    await iam(s, creds).send(new CreateGroupCommand({ GroupName: 'Users' }));
    await rejection(iam(s, creds).send(new CreateGroupCommand({ GroupName: 'Users' })));
    await orgs(s).send(new ListRootsCommand({}));

    const st = (await (await fetch(`${s.endpoint}/_sim/stats`)).json()) as SimStats;
    expect(st.totals).toEqual({ total: 7, ok: 5, errors: 2, throttled: 0, dropped: 0, writes: 2, reads: 5 });
    expect(st.services.iam).toMatchObject({ total: 3, ok: 2, errors: 1, writes: 2, reads: 1 });
    expect(st.services.sts).toMatchObject({ total: 3, ok: 2, errors: 1 });
    expect(st.operations['iam:CreateGroup']).toMatchObject({ total: 2, ok: 1, errors: 1, codes: { EntityAlreadyExists: 1 } });
    expect(st.operations['sts:AssumeRole'].codes).toEqual({ AccessDenied: 1 });
    // AssumeRole counts for the account of the role, as a rollout's per-account apiCalls do.
    expect(st.accounts[target.id]).toMatchObject({ total: 4, reads: 2, writes: 2, ok: 3, errors: 1 });
    expect(st.accounts[invited.id]).toMatchObject({ total: 1, errors: 1 });
    expect(st.accounts[s.managementAccountId]).toMatchObject({ total: 2, ok: 2 });
    expect(st.counters).toContainEqual({ service: 'iam', operation: 'CreateGroup', account: target.id, outcome: 'EntityAlreadyExists', count: 1 });
    expect(st.counters.reduce((n, c) => n + c.count, 0)).toBe(7);
    expect(s.stats().totals).toEqual(st.totals);

    const reset = await fetch(`${s.endpoint}/_sim/reset-stats`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(s.stats().totals.total).toBe(0);
    expect(s.stats().counters).toEqual([]);
  });

  it('counts refused requests under account "-"', async () => {
    const s = await start();
    const res = await fetch(s.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    expect(res.status).toBe(403);
    expect(s.stats().accounts['-']).toMatchObject({ total: 1, errors: 1 });
    expect(s.stats().errorCodes).toEqual({ MissingAuthenticationToken: 1 });
  });
});
