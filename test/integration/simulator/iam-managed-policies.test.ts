import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  type IAMClient,
  ListEntitiesForPolicyCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  paginateListPolicies,
  paginateListPolicyVersions,
  SetDefaultPolicyVersionCommand,
  TagPolicyCommand,
  UntagPolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IamWorld } from '../../../src/simulator/iam/index.js';
import { failure, freshAccount, type IamTestServer, startIamTestServer } from './iam-test-server.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const doc = (action: string): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] }, null, 2);
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

let server: IamTestServer;
beforeAll(async () => {
  server = await startIamTestServer(new IamWorld({ partition: 'aws', clock: () => NOW }));
});
afterAll(async () => server.close());

async function withPolicy(name = 'RequireMFAPolicy'): Promise<{ iam: IAMClient; account: string; arn: string }> {
  const account = freshAccount();
  const iam = server.client(account);
  const out = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc('s3:GetObject') }));
  return { iam, account, arn: out.Policy!.Arn! };
}

describe('CreatePolicy / GetPolicy', () => {
  it('creates a policy whose output the SDK parses field by field', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    const out = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'RequireMFAPolicy',
        Path: '/baseline/',
        PolicyDocument: doc('iam:ChangePassword'),
        Description: 'Force MFA <&> "quoted"',
        Tags: [{ Key: 'owner', Value: 'platform' }],
      }),
    );
    expect(out.Policy).toMatchObject({
      PolicyName: 'RequireMFAPolicy',
      Path: '/baseline/',
      Arn: `arn:aws:iam::${account}:policy/baseline/RequireMFAPolicy`,
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      IsAttachable: true,
      Description: 'Force MFA <&> "quoted"',
      Tags: [{ Key: 'owner', Value: 'platform' }],
    });
    expect(out.Policy!.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    expect(out.Policy!.CreateDate).toEqual(NOW);

    const got = await iam.send(new GetPolicyCommand({ PolicyArn: out.Policy!.Arn }));
    expect(got.Policy).toEqual(out.Policy);
  });

  it('rejects a duplicate name (any case) with EntityAlreadyExistsException', async () => {
    const { iam } = await withPolicy('Dup');
    const err = await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'dup', PolicyDocument: doc('s3:*') })));
    expect(err.name).toBe('EntityAlreadyExistsException');
    expect(err.$metadata?.httpStatusCode).toBe(409);
  });

  it('answers NoSuchEntityException for an unknown policy, another account or a wrong path', async () => {
    const { iam, account } = await withPolicy('Known');
    for (const arn of [
      `arn:aws:iam::${account}:policy/Unknown`,
      `arn:aws:iam::999999999999:policy/Known`,
      `arn:aws:iam::${account}:policy/other/Known`,
    ]) {
      const err = await failure(iam.send(new GetPolicyCommand({ PolicyArn: arn })));
      expect(err.name).toBe('NoSuchEntityException');
      expect(err.$metadata?.httpStatusCode).toBe(404);
    }
  });

  it('rejects a malformed ARN with InvalidInputException', async () => {
    const iam = server.client(freshAccount());
    const err = await failure(iam.send(new GetPolicyCommand({ PolicyArn: 'not-an-arn' })));
    expect(err.name).toBe('InvalidInputException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('describes AWS-managed policies, listed or not', async () => {
    const iam = server.client(freshAccount());
    const admin = await iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    expect(admin.Policy).toMatchObject({ PolicyName: 'AdministratorAccess', Path: '/', DefaultVersionId: 'v1', IsAttachable: true });
    const billing = await iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/job-function/Billing' }));
    expect(billing.Policy).toMatchObject({ PolicyName: 'Billing', Path: '/job-function/' });
    const unknown = await iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/SomeNewAwsPolicy' }));
    expect(unknown.Policy!.PolicyName).toBe('SomeNewAwsPolicy');
  });
});

describe('policy versions', () => {
  it('GetPolicyVersion returns the RFC 3986-encoded document, which decodes to the JSON sent', async () => {
    const { iam, arn } = await withPolicy();
    const sent = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: "It's (quoted)!", Effect: 'Deny', NotAction: ['iam:*'], Resource: 'arn:aws:iam::*:user/${aws:username}', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }],
    }, null, 2);
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: sent, SetAsDefault: true }));
    const out = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    const encoded = out.PolicyVersion!.Document!;
    // The JS SDK does not decode (aws-sdk-js-v3#1945): the wire format must be the encoded one.
    expect(encoded).not.toContain('{');
    expect(encoded).toMatch(/%27s%20%28quoted%29%21/);
    expect(decodeURIComponent(encoded)).toBe(sent);
    expect(out.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: true, CreateDate: NOW });
  });

  it('creates versions without SetAsDefault, switches the default, lists newest first', async () => {
    const { iam, arn } = await withPolicy();
    const v2 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:PutObject') }));
    expect(v2.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: false });
    expect(v2.PolicyVersion!.Document).toBeUndefined();
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId).toBe('v2');
    const list = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    expect(list.Versions!.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v2', true],
      ['v1', false],
    ]);
    expect(list.IsTruncated).toBe(false);
    const err = await failure(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v9' })));
    expect(err.name).toBe('NoSuchEntityException');
  });

  it('keeps at most 5 versions: the sixth is LimitExceededException (409)', async () => {
    const { iam, arn } = await withPolicy();
    for (let i = 2; i <= 5; i++) {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(`s3:Get${i}`), SetAsDefault: true }));
    }
    const err = await failure(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:Get6') })));
    expect(err.name).toBe('LimitExceededException');
    expect(err.$metadata?.httpStatusCode).toBe(409);
    expect(err.message).toMatch(/A managed policy can have up to 5 versions/);
    expect(server.calls.get('CreatePolicyVersion')).toBeGreaterThanOrEqual(5);

    // Freeing a slot makes room again, and version ids keep counting up.
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    const v6 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:Get6') }));
    expect(v6.PolicyVersion!.VersionId).toBe('v6');

    const pages = [];
    for await (const page of paginateListPolicyVersions({ client: iam, pageSize: 2 }, { PolicyArn: arn })) pages.push(page.Versions!.map((v) => v.VersionId));
    expect(pages).toEqual([['v6', 'v5'], ['v4', 'v3'], ['v2']]);
  });

  it('refuses to delete the default version with DeleteConflictException, and unknown versions with NoSuchEntity', async () => {
    const { iam, arn } = await withPolicy();
    const err = await failure(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })));
    expect(err.name).toBe('DeleteConflictException');
    expect(err.$metadata?.httpStatusCode).toBe(409);
    const missing = await failure(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v3' })));
    expect(missing.name).toBe('NoSuchEntityException');
    const missingGet = await failure(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v3' })));
    expect(missingGet.name).toBe('NoSuchEntityException');
  });

  it('serves the AWS-managed AdministratorAccess document as its v1', async () => {
    const iam = server.client(freshAccount());
    const out = await iam.send(new GetPolicyVersionCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess', VersionId: 'v1' }));
    expect(JSON.parse(decodeURIComponent(out.PolicyVersion!.Document!))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
  });
});

describe('DeletePolicy', () => {
  it('refuses while attached or with non-default versions, then deletes', async () => {
    const { iam, account, arn } = await withPolicy();
    await iam.send(new CreateGroupCommand({ GroupName: 'Users' }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: arn }));
    const attached = await failure(iam.send(new DeletePolicyCommand({ PolicyArn: arn })));
    expect(attached.name).toBe('DeleteConflictException');

    await iam.send(new DetachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: arn }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:*') }));
    const versions = await failure(iam.send(new DeletePolicyCommand({ PolicyArn: arn })));
    expect(versions.name).toBe('DeleteConflictException');

    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    const gone = await failure(iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${account}:policy/RequireMFAPolicy` })));
    expect(gone.name).toBe('NoSuchEntityException');
  });

  it('refuses to delete an AWS-managed policy', async () => {
    const iam = server.client(freshAccount());
    const err = await failure(iam.send(new DeletePolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })));
    expect(err.name).toBe('InvalidInputException');
  });
});

describe('ListPolicies', () => {
  it('filters by scope, attachment and path prefix, and pages with Marker', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    for (const [name, path] of [['A', '/'], ['B', '/team/'], ['C', '/team/']] as const) {
      await iam.send(new CreatePolicyCommand({ PolicyName: name, Path: path, PolicyDocument: doc('s3:*') }));
    }
    await iam.send(new CreateGroupCommand({ GroupName: 'G' }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'G', PolicyArn: `arn:aws:iam::${account}:policy/team/B` }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'G', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));

    const local = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    expect(local.Policies!.map((p) => p.PolicyName)).toEqual(['A', 'B', 'C']);
    expect(local.Policies![0].Description).toBeUndefined();

    const attached = await iam.send(new ListPoliciesCommand({ Scope: 'All', OnlyAttached: true }));
    expect(attached.Policies!.map((p) => [p.PolicyName, p.AttachmentCount]).sort()).toEqual([
      ['B', 1],
      ['ReadOnlyAccess', 1],
    ]);

    const team = await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/team/' }));
    expect(team.Policies!.map((p) => p.PolicyName)).toEqual(['B', 'C']);

    const aws = await iam.send(new ListPoliciesCommand({ Scope: 'AWS' }));
    expect(aws.Policies!.map((p) => p.PolicyName)).toContain('AdministratorAccess');
    expect(aws.Policies!.every((p) => p.Arn!.startsWith('arn:aws:iam::aws:policy/'))).toBe(true);

    const pages: string[][] = [];
    for await (const page of paginateListPolicies({ client: iam, pageSize: 1 }, { Scope: 'Local' })) pages.push(page.Policies!.map((p) => p.PolicyName!));
    expect(pages).toEqual([['A'], ['B'], ['C']]);
  });

  it('lists nothing local in an untouched account', async () => {
    const out = await server.client(freshAccount()).send(new ListPoliciesCommand({ Scope: 'Local' }));
    expect(out.Policies).toEqual([]);
    expect(out.IsTruncated).toBe(false);
  });
});

describe('policy tags', () => {
  it('tags, overwrites case-insensitively, untags and lists', async () => {
    const { iam, arn } = await withPolicy();
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'Team', Value: 'a' }, { Key: 'env', Value: 'prod' }] }));
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'team', Value: 'b' }] }));
    let tags = await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'b' }, { Key: 'env', Value: 'prod' }]);
    expect(tags.IsTruncated).toBe(false);
    await iam.send(new UntagPolicyCommand({ PolicyArn: arn, TagKeys: ['TEAM'] }));
    tags = await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }));
    expect(tags.Tags).toEqual([{ Key: 'env', Value: 'prod' }]);
  });

  it('caps tags at 50 with LimitExceededException', async () => {
    const { iam, arn } = await withPolicy();
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const err = await failure(iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: tags })));
    expect(err.name).toBe('LimitExceededException');
  });

  it('lists no tags for a policy that never had any', async () => {
    const { iam, arn } = await withPolicy();
    const out = await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }));
    expect(out.Tags ?? []).toEqual([]);
  });
});

describe('ListEntitiesForPolicy', () => {
  it('lists the groups and roles a policy is attached to, filtered by entity type', async () => {
    const { iam, arn } = await withPolicy();
    const group = await iam.send(new CreateGroupCommand({ GroupName: 'Users' }));
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'admin', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: arn }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'admin', PolicyArn: arn }));

    const all = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
    expect(all.PolicyGroups).toEqual([{ GroupName: 'Users', GroupId: group.Group!.GroupId }]);
    expect(all.PolicyRoles).toEqual([{ RoleName: 'admin', RoleId: role.Role!.RoleId }]);
    expect(all.PolicyUsers ?? []).toEqual([]);

    const roles = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn, EntityFilter: 'Role' }));
    expect(roles.PolicyGroups ?? []).toEqual([]);
    expect(roles.PolicyRoles!.map((r) => r.RoleName)).toEqual(['admin']);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount).toBe(2);
  });
});
