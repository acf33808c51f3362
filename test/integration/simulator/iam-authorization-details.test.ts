import {
  GetAccountAuthorizationDetailsCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  paginateGetAccountAuthorizationDetails,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IamWorld, type IamSeed } from '../../../src/simulator/iam/index.js';
import { failure, freshAccount, type IamTestServer, startIamTestServer } from './iam-test-server.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const REQUIRE_MFA = { Version: '2012-10-17', Statement: [{ Sid: 'DenyAllExceptListedIfNoMFA', Effect: 'Deny', NotAction: ['iam:ChangePassword'], Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }] };
const ASSUME_ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/admin' }] };

function baselineSeed(account: string): IamSeed {
  return {
    policies: [{ name: 'RequireMFAPolicy', document: REQUIRE_MFA }],
    groups: [
      { name: 'Users', managedPolicyArns: [`arn:aws:iam::${account}:policy/RequireMFAPolicy`] },
      { name: 'Administrators', inlinePolicies: { AssumeAdminRole: ASSUME_ADMIN } },
    ],
    roles: [{ name: 'admin', managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }, { name: 'OrganizationAccountAccessRole' }],
    users: [{ name: 'alice', groups: ['Users', 'Administrators'], mfa: true, loginProfile: true }],
  };
}

let server: IamTestServer;
beforeAll(async () => {
  server = await startIamTestServer(new IamWorld({ partition: 'aws', clock: () => NOW }));
});
afterAll(async () => server.close());

describe('GetAccountAuthorizationDetails', () => {
  it('returns users, groups, roles and policies with URL-encoded documents that decode to the originals', async () => {
    const account = freshAccount();
    server.world.seed(account, baselineSeed(account));
    const iam = server.client(account);
    await iam.send(new TagRoleCommand({ RoleName: 'admin', Tags: [{ Key: 'managed-by', Value: 'rollout' }] }));
    const out = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
    expect(out.IsTruncated).toBe(false);

    expect(out.UserDetailList).toHaveLength(1);
    expect(out.UserDetailList![0]).toMatchObject({ UserName: 'alice', Path: '/', GroupList: ['Users', 'Administrators'], CreateDate: NOW });

    const groups = Object.fromEntries(out.GroupDetailList!.map((g) => [g.GroupName!, g] as const));
    expect(groups.Users).toMatchObject({
      Path: '/',
      Arn: `arn:aws:iam::${account}:group/Users`,
      AttachedManagedPolicies: [{ PolicyName: 'RequireMFAPolicy', PolicyArn: `arn:aws:iam::${account}:policy/RequireMFAPolicy` }],
      GroupPolicyList: [],
    });
    expect(groups.Users.GroupId).toMatch(/^AGPA/);
    const inline = groups.Administrators.GroupPolicyList!;
    expect(inline.map((p) => p.PolicyName)).toEqual(['AssumeAdminRole']);
    expect(inline[0].PolicyDocument).toMatch(/^%7B%22/);
    expect(JSON.parse(decodeURIComponent(inline[0].PolicyDocument!))).toEqual(ASSUME_ADMIN);

    const roles = Object.fromEntries(out.RoleDetailList!.map((r) => [r.RoleName!, r] as const));
    expect(roles.admin).toMatchObject({
      Path: '/',
      Arn: `arn:aws:iam::${account}:role/admin`,
      InstanceProfileList: [],
      RolePolicyList: [],
      AttachedManagedPolicies: [{ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
      Tags: [{ Key: 'managed-by', Value: 'rollout' }],
    });
    expect(JSON.parse(decodeURIComponent(roles.admin.AssumeRolePolicyDocument!))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
    });

    const policies = Object.fromEntries(out.Policies!.map((p) => [p.PolicyName!, p] as const));
    expect(Object.keys(policies).sort()).toEqual(['AdministratorAccess', 'RequireMFAPolicy']);
    expect(policies.RequireMFAPolicy).toMatchObject({
      Arn: `arn:aws:iam::${account}:policy/RequireMFAPolicy`,
      Path: '/',
      DefaultVersionId: 'v1',
      AttachmentCount: 1,
      IsAttachable: true,
      CreateDate: NOW,
      UpdateDate: NOW,
    });
    const versions = policies.RequireMFAPolicy.PolicyVersionList!;
    expect(versions.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([['v1', true]]);
    expect(decodeURIComponent(versions[0].Document!)).toBe(JSON.stringify(REQUIRE_MFA));
    expect(policies.AdministratorAccess).toMatchObject({ Arn: 'arn:aws:iam::aws:policy/AdministratorAccess', AttachmentCount: 1 });
  });

  it('honours Filter: Group, Role and LocalManagedPolicy leave out users and AWS-managed policies', async () => {
    const account = freshAccount();
    server.world.seed(account, baselineSeed(account));
    const out = await server
      .client(account)
      .send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Group', 'Role', 'LocalManagedPolicy'] }));
    expect(out.UserDetailList).toEqual([]);
    expect(out.GroupDetailList!.map((g) => g.GroupName)).toEqual(['Users', 'Administrators']);
    expect(out.RoleDetailList!.map((r) => r.RoleName)).toEqual(['admin', 'OrganizationAccountAccessRole']);
    expect(out.Policies!.map((p) => p.PolicyName)).toEqual(['RequireMFAPolicy']);

    const aws = await server.client(account).send(new GetAccountAuthorizationDetailsCommand({ Filter: ['AWSManagedPolicy'] }));
    expect(aws.Policies!.map((p) => p.PolicyName)).toEqual(['AdministratorAccess']);
    expect(aws.GroupDetailList).toEqual([]);
  });

  it('pages with MaxItems 1 through paginateGetAccountAuthorizationDetails, every version included', async () => {
    const account = freshAccount();
    server.world.seed(account, baselineSeed(account));
    const iam = server.client(account);
    const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
    for await (const page of paginateGetAccountAuthorizationDetails({ client: iam, pageSize: 1 }, { Filter: ['Group', 'Role', 'LocalManagedPolicy'] })) {
      pages.push(page);
    }
    // 2 groups + 2 roles + 1 policy, one item a page.
    expect(pages).toHaveLength(5);
    expect(pages.slice(0, 4).every((p) => p.IsTruncated === true && typeof p.Marker === 'string')).toBe(true);
    expect(pages[4].IsTruncated).toBe(false);
    for (const p of pages) {
      expect(p.GroupDetailList!.length + p.RoleDetailList!.length + p.Policies!.length + p.UserDetailList!.length).toBe(1);
    }
    expect(pages.flatMap((p) => p.GroupDetailList!.map((g) => g.GroupName))).toEqual(['Users', 'Administrators']);
    expect(pages.flatMap((p) => p.RoleDetailList!.map((r) => r.RoleName))).toEqual(['admin', 'OrganizationAccountAccessRole']);
    expect(pages.flatMap((p) => p.Policies!.map((x) => x.PolicyName))).toEqual(['RequireMFAPolicy']);
    expect(server.calls.get('GetAccountAuthorizationDetails')).toBeGreaterThanOrEqual(5);
  });

  it('rejects MaxItems outside 1–1000 and unknown filters with ValidationError', async () => {
    const iam = server.client(freshAccount());
    for (const input of [{ MaxItems: 0 }, { MaxItems: 1001 }, { Filter: ['Everything' as never] }]) {
      const err = await failure(iam.send(new GetAccountAuthorizationDetailsCommand(input)));
      expect(err.name).toBe('ValidationError');
      expect(err.$metadata?.httpStatusCode).toBe(400);
    }
    const marker = await failure(iam.send(new GetAccountAuthorizationDetailsCommand({ Marker: 'garbage' })));
    expect(marker.name).toBe('InvalidInputException');
  });

  it('describes an untouched account as empty', async () => {
    const out = await server.client(freshAccount()).send(new GetAccountAuthorizationDetailsCommand({}));
    expect([out.UserDetailList, out.GroupDetailList, out.RoleDetailList, out.Policies]).toEqual([[], [], [], []]);
    expect(out.IsTruncated).toBe(false);
  });
});
