import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  paginateListRoles,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IamWorld } from '../../../src/simulator/iam/index.js';
import { failure, freshAccount, type IamTestServer, startIamTestServer } from './iam-test-server.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const trust = (account: string): string =>
  JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AllowThisAccountWithMFA', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } },
      ],
    },
    null,
    2,
  );
const doc = (action: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

let server: IamTestServer;
beforeAll(async () => {
  server = await startIamTestServer(new IamWorld({ partition: 'aws', clock: () => NOW }));
});
afterAll(async () => server.close());

describe('CreateRole / GetRole', () => {
  it('creates a role and GetRole returns every field, the trust policy URL-encoded', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: 'admin',
        Path: '/',
        AssumeRolePolicyDocument: trust(account),
        Description: 'Administrator access with MFA',
        MaxSessionDuration: 7200,
        Tags: [{ Key: 'managed-by', Value: 'org-iam-rollout' }],
      }),
    );
    expect(created.Role).toMatchObject({
      RoleName: 'admin',
      Path: '/',
      Arn: `arn:aws:iam::${account}:role/admin`,
      Description: 'Administrator access with MFA',
      MaxSessionDuration: 7200,
      CreateDate: NOW,
      Tags: [{ Key: 'managed-by', Value: 'org-iam-rollout' }],
    });
    expect(created.Role!.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);

    const got = await iam.send(new GetRoleCommand({ RoleName: 'ADMIN' }));
    expect(got.Role).toMatchObject({ RoleName: 'admin', RoleId: created.Role!.RoleId, MaxSessionDuration: 7200, Tags: [{ Key: 'managed-by', Value: 'org-iam-rollout' }] });
    expect(got.Role!.AssumeRolePolicyDocument).toMatch(/^%7B%0A/);
    expect(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!)).toBe(trust(account));
    expect(server.world.hasRole(account, 'admin')).toBe(true);
    expect(server.world.hasRole(account, 'other')).toBe(false);
  });

  it('defaults MaxSessionDuration to 3600 and rejects values outside 3600–43200 with ValidationError', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    const out = await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust(account) }));
    expect(out.Role!.MaxSessionDuration).toBe(3600);
    for (const d of [3599, 43201]) {
      const err = await failure(iam.send(new CreateRoleCommand({ RoleName: `r${d}`, AssumeRolePolicyDocument: trust(account), MaxSessionDuration: d })));
      expect(err.name).toBe('ValidationError');
      expect(err.$metadata?.httpStatusCode).toBe(400);
    }
  });

  it('rejects duplicates, unknown roles and names over 64 characters', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    await iam.send(new CreateRoleCommand({ RoleName: 'admin', AssumeRolePolicyDocument: trust(account) }));
    expect((await failure(iam.send(new CreateRoleCommand({ RoleName: 'Admin', AssumeRolePolicyDocument: trust(account) })))).name).toBe(
      'EntityAlreadyExistsException',
    );
    expect((await failure(iam.send(new GetRoleCommand({ RoleName: 'nope' })))).name).toBe('NoSuchEntityException');
    const long = await failure(iam.send(new CreateRoleCommand({ RoleName: 'r'.repeat(65), AssumeRolePolicyDocument: trust(account) })));
    expect(long.name).toBe('ValidationError');
    await iam.send(new CreateRoleCommand({ RoleName: 'r'.repeat(64), AssumeRolePolicyDocument: trust(account) }));
  });

  it('validates trust policies: Principal required, Resource prohibited, 2,048 characters at most', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] });
    const withResource = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }] });
    for (const d of [noPrincipal, withResource]) {
      const err = await failure(iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: d })));
      expect(err.name).toBe('MalformedPolicyDocumentException');
    }
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(2048), Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }] });
    const err = await failure(iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: big })));
    expect(err.name).toBe('LimitExceededException');
  });
});

describe('role updates', () => {
  it('UpdateAssumeRolePolicy, UpdateRole and UpdateRoleDescription change what GetRole returns', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    await iam.send(new CreateRoleCommand({ RoleName: 'admin', AssumeRolePolicyDocument: trust(account) }));
    const newTrust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'admin', PolicyDocument: newTrust }));
    await iam.send(new UpdateRoleCommand({ RoleName: 'admin', Description: 'first', MaxSessionDuration: 43200 }));
    let role = (await iam.send(new GetRoleCommand({ RoleName: 'admin' }))).Role!;
    expect(decodeURIComponent(role.AssumeRolePolicyDocument!)).toBe(newTrust);
    expect(role).toMatchObject({ Description: 'first', MaxSessionDuration: 43200 });

    const described = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'admin', Description: 'second' }));
    expect(described.Role).toMatchObject({ RoleName: 'admin', Description: 'second', MaxSessionDuration: 43200 });
    role = (await iam.send(new GetRoleCommand({ RoleName: 'admin' }))).Role!;
    expect(role.Description).toBe('second');

    const bad = await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'admin', PolicyDocument: 'not json' })));
    expect(bad.name).toBe('MalformedPolicyDocumentException');
    const badDuration = await failure(iam.send(new UpdateRoleCommand({ RoleName: 'admin', MaxSessionDuration: 60 })));
    expect(badDuration.name).toBe('ValidationError');
  });

  it('tags, untags and lists role tags', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    await iam.send(new CreateRoleCommand({ RoleName: 'admin', AssumeRolePolicyDocument: trust(account) }));
    await iam.send(new TagRoleCommand({ RoleName: 'admin', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await iam.send(new UntagRoleCommand({ RoleName: 'admin', TagKeys: ['a'] }));
    const tags = await iam.send(new ListRoleTagsCommand({ RoleName: 'admin' }));
    expect(tags.Tags).toEqual([{ Key: 'b', Value: '2' }]);
    expect(tags.IsTruncated).toBe(false);
    const dupKeys = await failure(iam.send(new TagRoleCommand({ RoleName: 'admin', Tags: [{ Key: 'k', Value: '1' }, { Key: 'K', Value: '2' }] })));
    expect(dupKeys.name).toBe('InvalidInputException');
  });
});

describe('role policies', () => {
  it('attaches AWS-managed and local policies, lists and detaches them', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    await iam.send(new CreateRoleCommand({ RoleName: 'admin', AssumeRolePolicyDocument: trust(account) }));
    const local = await iam.send(new CreatePolicyCommand({ PolicyName: 'Local', PolicyDocument: doc('s3:*') }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'admin', PolicyArn: local.Policy!.Arn }));
    const listed = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'admin' }));
    expect(listed.AttachedPolicies).toEqual([
      { PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      { PolicyName: 'Local', PolicyArn: local.Policy!.Arn },
    ]);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'admin' }))).AttachedPolicies!.map((p) => p.PolicyName)).toEqual(['Local']);
    const again = await failure(iam.send(new DetachRolePolicyCommand({ RoleName: 'admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })));
    expect(again.name).toBe('NoSuchEntityException');
  });

  it('caps managed policies per role at 10', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust(account) }));
    for (let i = 1; i <= 10; i++) await iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: `arn:aws:iam::aws:policy/Made-Up-${i}` }));
    const err = await failure(iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })));
    expect(err.name).toBe('LimitExceededException');
  });

  it('puts, gets (URL-encoded), lists and deletes inline role policies, up to 10,240 characters', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust(account) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'Inline', PolicyDocument: doc('s3:*') }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'r', PolicyName: 'Inline' }));
    expect(got).toMatchObject({ RoleName: 'r', PolicyName: 'Inline' });
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(doc('s3:*'));
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'r' }))).PolicyNames).toEqual(['Inline']);

    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(10240), Effect: 'Allow', Action: '*', Resource: '*' }] });
    expect((await failure(iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'Big', PolicyDocument: big })))).name).toBe('LimitExceededException');

    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'r', PolicyName: 'Inline' }));
    expect((await failure(iam.send(new GetRolePolicyCommand({ RoleName: 'r', PolicyName: 'Inline' })))).name).toBe('NoSuchEntityException');
  });

  it('refuses to delete a role with policies (DeleteConflict), then deletes it', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust(account) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'Inline', PolicyDocument: doc('s3:*') }));
    expect((await failure(iam.send(new DeleteRoleCommand({ RoleName: 'r' })))).name).toBe('DeleteConflictException');
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    expect((await failure(iam.send(new DeleteRoleCommand({ RoleName: 'r' })))).name).toBe('DeleteConflictException');
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'r', PolicyName: 'Inline' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'r' }));
    expect(server.world.hasRole(account, 'r')).toBe(false);
    expect((await failure(iam.send(new DeleteRoleCommand({ RoleName: 'r' })))).name).toBe('NoSuchEntityException');
  });
});

describe('ListRoles', () => {
  it('lists roles with their encoded trust policies, by path prefix and in pages', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    for (const [name, path] of [['a', '/'], ['b', '/svc/'], ['c', '/svc/']] as const) {
      await iam.send(new CreateRoleCommand({ RoleName: name, Path: path, AssumeRolePolicyDocument: trust(account) }));
    }
    const all = await iam.send(new ListRolesCommand({}));
    expect(all.Roles!.map((r) => r.RoleName)).toEqual(['a', 'b', 'c']);
    expect(decodeURIComponent(all.Roles![0].AssumeRolePolicyDocument!)).toBe(trust(account));
    expect((await iam.send(new ListRolesCommand({ PathPrefix: '/svc/' }))).Roles!.map((r) => r.RoleName)).toEqual(['b', 'c']);
    const pages: string[][] = [];
    for await (const page of paginateListRoles({ client: iam, pageSize: 2 }, {})) pages.push(page.Roles!.map((r) => r.RoleName!));
    expect(pages).toEqual([['a', 'b'], ['c']]);
  });
});
