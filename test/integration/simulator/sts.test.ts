import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';
import { authHeader, iam, rejection, sts, type Creds } from './sim-helpers.js';

const ROLE = 'OrganizationAccountAccessRole';

describe('simulator: STS over the query protocol, through @aws-sdk/client-sts', () => {
  let sim: RunningSimulator;
  let nowMs = Date.UTC(2025, 0, 1, 12, 0, 0);
  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      org: {
        managementAccount: { id: '111111111111' },
        accounts: [
          { id: '222222222222', name: 'active' },
          { id: '333333333333', name: 'invited', joinedMethod: 'INVITED' },
          { id: '444444444444', name: 'suspended', state: 'SUSPENDED' },
          { id: '555555555555', name: 'closed', state: 'CLOSED' },
        ],
      },
      clock: () => nowMs,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  const assume = (account: string, extra: Partial<{ DurationSeconds: number; RoleSessionName: string }> = {}, creds?: Creds) =>
    sts(sim, creds).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${ROLE}`, RoleSessionName: 'rollout', ...extra }));
  const asCreds = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): Creds => ({
    accessKeyId: c!.AccessKeyId!,
    secretAccessKey: c!.SecretAccessKey!,
    sessionToken: c!.SessionToken!,
  });

  it('GetCallerIdentity: any unknown access key is the management account root', async () => {
    const id = await sts(sim, { accessKeyId: 'AKIAWHATEVER', secretAccessKey: 'any' }).send(new GetCallerIdentityCommand({}));
    expect(id).toMatchObject({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:root', UserId: '111111111111' });
  });

  it('AssumeRole issues ASIA credentials that expire after DurationSeconds and act as the member account', async () => {
    const out = await assume('222222222222', { DurationSeconds: 900 });
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.SecretAccessKey?.length).toBeGreaterThanOrEqual(40);
    expect(out.Credentials?.SessionToken).toBeTruthy();
    expect(out.Credentials?.Expiration?.getTime()).toBe(nowMs + 900_000);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::222222222222:assumed-role/${ROLE}/rollout`);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:rollout$/);

    const creds = asCreds(out.Credentials);
    const id = await sts(sim, creds).send(new GetCallerIdentityCommand({}));
    expect(id).toMatchObject({ Account: '222222222222', Arn: `arn:aws:sts::222222222222:assumed-role/${ROLE}/rollout`, UserId: out.AssumedRoleUser?.AssumedRoleId });
    const role = await iam(sim, creds).send(new GetRoleCommand({ RoleName: ROLE }));
    expect(role.Role?.Arn).toBe(`arn:aws:iam::222222222222:role/${ROLE}`);
  });

  it('AssumeRole is AccessDenied (403) where the role is missing or the account is suspended, closed or unknown', async () => {
    for (const account of ['333333333333', '444444444444', '555555555555', '999999999999', '111111111111']) {
      const err = await rejection(assume(account));
      expect(err.name).toBe('AccessDenied');
      expect(err.$metadata?.httpStatusCode).toBe(403);
      expect(err.message).toBe(`User: arn:aws:iam::111111111111:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${account}:role/${ROLE}`);
    }
    const noSuchRole = await rejection(sts(sim).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/admin', RoleSessionName: 'rollout' })));
    expect(noSuchRole.name).toBe('AccessDenied');
  });

  it('validates RoleSessionName (2–64 of [\\w+=,.@-]) and DurationSeconds (900–43200) with ValidationError', async () => {
    for (const extra of [{ RoleSessionName: 'a' }, { RoleSessionName: 'x'.repeat(65) }, { RoleSessionName: 'has space' }, { DurationSeconds: 899 }, { DurationSeconds: 43201 }]) {
      const err = await rejection(assume('222222222222', extra));
      expect(err.name).toBe('ValidationError');
      expect(err.$metadata?.httpStatusCode).toBe(400);
    }
    const ok = await assume('222222222222', { RoleSessionName: 'a+b=c,d.e@f-g_h', DurationSeconds: 43200 });
    expect(ok.Credentials?.Expiration?.getTime()).toBe(nowMs + 43_200_000);
  });

  it('role chaining is limited to one hour', async () => {
    const first = asCreds((await assume('222222222222')).Credentials);
    const chained = await rejection(assume('222222222222', { DurationSeconds: 7200 }, first));
    expect(chained.name).toBe('ValidationError');
    const ok = await assume('222222222222', { DurationSeconds: 3600 }, first);
    expect(ok.AssumedRoleUser?.Arn).toContain('assumed-role');
  });

  it('expired credentials raise ExpiredToken; a wrong or missing session token InvalidClientTokenId', async () => {
    const creds = asCreds((await assume('222222222222', { DurationSeconds: 900 })).Credentials);
    const wrong = await rejection(sts(sim, { ...creds, sessionToken: 'forged' }).send(new GetCallerIdentityCommand({})));
    expect(wrong.name).toBe('InvalidClientTokenId');
    expect(wrong.$metadata?.httpStatusCode).toBe(403);
    const missing = await rejection(sts(sim, { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }).send(new GetCallerIdentityCommand({})));
    expect(missing.name).toBe('InvalidClientTokenId');

    nowMs += 900_000;
    const expired = await rejection(sts(sim, creds).send(new GetCallerIdentityCommand({})));
    expect(expired.name).toBe('ExpiredToken');
    expect(expired.$metadata?.httpStatusCode).toBe(403);
    const expiredIam = await rejection(iam(sim, creds).send(new GetRoleCommand({ RoleName: ROLE })));
    expect(expiredIam.name).toBe('ExpiredToken');
  });

  it('answers query errors as ErrorResponse XML with Type, Code, Message and RequestId; unsigned requests get MissingAuthenticationToken', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(sim.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers }, body });
    const res = await post({ authorization: authHeader('AKIAX', 'sts') }, 'Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1&RoleArn=arn%3Aaws%3Aiam%3A%3A333333333333%3Arole%2FOrganizationAccountAccessRole');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('text/xml');
    const requestId = res.headers.get('x-amzn-requestid');
    const xml = await res.text();
    expect(xml).toContain('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>');
    expect(xml).toContain(`<RequestId>${requestId}</RequestId>`);

    const ok = await post({ authorization: authHeader('AKIAX', 'sts') }, 'Action=GetCallerIdentity&Version=2011-06-15');
    const okXml = await ok.text();
    expect(okXml).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>');
    expect(okXml).toContain(`<RequestId>${ok.headers.get('x-amzn-requestid')}</RequestId>`);

    const unsigned = await post({}, 'Action=GetCallerIdentity&Version=2011-06-15');
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    const garbled = await post({ authorization: 'Bearer abc' }, 'Action=GetCallerIdentity&Version=2011-06-15');
    expect(garbled.status).toBe(403);
    expect(await garbled.text()).toContain('<Code>IncompleteSignature</Code>');
  });
});

describe('simulator: partition and credential lifetime options', () => {
  it('uses the partition in every ARN and refuses roles of another partition', async () => {
    const sim = await startSimulator({ port: 0, accounts: 3, seed: 3, partition: 'aws-cn' });
    try {
      const id = await sts(sim).send(new GetCallerIdentityCommand({}));
      expect(id.Arn).toBe(`arn:aws-cn:iam::${sim.managementAccountId}:root`);
      const member = sim.org.accounts.find((a) => !a.isManagement && !a.missingRole && a.state === 'ACTIVE')!;
      const wrong = await rejection(sts(sim).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member.id}:role/${ROLE}`, RoleSessionName: 's1' })));
      expect(wrong.name).toBe('AccessDenied');
      const ok = await sts(sim).send(new AssumeRoleCommand({ RoleArn: `arn:aws-cn:iam::${member.id}:role/${ROLE}`, RoleSessionName: 's1' }));
      expect(ok.AssumedRoleUser?.Arn).toBe(`arn:aws-cn:sts::${member.id}:assumed-role/${ROLE}/s1`);
      expect(member.arn.startsWith('arn:aws-cn:organizations::')).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it('credentialTtlSeconds shortens issued credentials so fromTemporaryCredentials re-assumes; the default lifetime is reused', async () => {
    const countAssumeRoles = async (credentialTtlSeconds: number | undefined): Promise<number> => {
      const sim = await startSimulator({ port: 0, accounts: 2, seed: 5, credentialTtlSeconds });
      try {
        const member = sim.org.accounts.find((a) => !a.isManagement && !a.missingRole && a.state === 'ACTIVE')!;
        const credentials = fromTemporaryCredentials({
          params: { RoleArn: `arn:aws:iam::${member.id}:role/${ROLE}`, RoleSessionName: 'refresh-test' },
          masterCredentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' },
          clientConfig: { endpoint: sim.endpoint, region: 'us-east-1' },
        });
        const memberClient = new IAMClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials });
        for (let i = 0; i < 3; i++) {
          const role = await memberClient.send(new GetRoleCommand({ RoleName: ROLE }));
          expect(role.Role?.Arn).toBe(`arn:aws:iam::${member.id}:role/${ROLE}`);
        }
        return sim.stats().operations['sts:AssumeRole']?.ok ?? 0;
      } finally {
        await sim.close();
      }
    };
    // The provider refreshes credentials that expire within five minutes: with a 60 s lifetime every call
    // re-assumes (the SDK may resolve credentials more than once per call, hence at least).
    expect(await countAssumeRoles(60)).toBeGreaterThanOrEqual(3);
    expect(await countAssumeRoles(undefined)).toBe(1);
  });
});
