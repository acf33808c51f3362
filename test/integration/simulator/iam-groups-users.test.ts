import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DeleteUserCommand,
  DetachGroupPolicyCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
  paginateGetGroup,
  paginateListGroups,
  PutGroupPolicyCommand,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IamWorld } from '../../../src/simulator/iam/index.js';
import { failure, freshAccount, type IamTestServer, startIamTestServer } from './iam-test-server.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const doc = (action: string, resource = '*'): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });

let server: IamTestServer;
beforeAll(async () => {
  server = await startIamTestServer(new IamWorld({ partition: 'aws', clock: () => NOW }));
});
afterAll(async () => server.close());

describe('groups', () => {
  it('creates, gets and lists groups with parsed fields', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    const created = await iam.send(new CreateGroupCommand({ GroupName: 'Administrators', Path: '/ops/' }));
    expect(created.Group).toMatchObject({
      GroupName: 'Administrators',
      Path: '/ops/',
      Arn: `arn:aws:iam::${account}:group/ops/Administrators`,
      CreateDate: NOW,
    });
    expect(created.Group!.GroupId).toMatch(/^AGPA[A-Z2-7]{17}$/);
    await iam.send(new CreateGroupCommand({ GroupName: 'Users' }));

    const got = await iam.send(new GetGroupCommand({ GroupName: 'administrators' }));
    expect(got.Group).toEqual(created.Group);
    expect(got.Users).toEqual([]);
    expect(got.IsTruncated).toBe(false);

    expect((await iam.send(new ListGroupsCommand({}))).Groups!.map((g) => g.GroupName)).toEqual(['Administrators', 'Users']);
    expect((await iam.send(new ListGroupsCommand({ PathPrefix: '/ops/' }))).Groups!.map((g) => g.GroupName)).toEqual(['Administrators']);
    const pages: string[][] = [];
    for await (const page of paginateListGroups({ client: iam, pageSize: 1 }, {})) pages.push(page.Groups!.map((g) => g.GroupName!));
    expect(pages).toEqual([['Administrators'], ['Users']]);
  });

  it('rejects duplicates and unknown groups', async () => {
    const iam = server.client(freshAccount());
    await iam.send(new CreateGroupCommand({ GroupName: 'Users' }));
    const dup = await failure(iam.send(new CreateGroupCommand({ GroupName: 'USERS' })));
    expect(dup.name).toBe('EntityAlreadyExistsException');
    const missing = await failure(iam.send(new GetGroupCommand({ GroupName: 'Nope' })));
    expect(missing.name).toBe('NoSuchEntityException');
    expect(missing.$metadata?.httpStatusCode).toBe(404);
  });

  it('attaches, lists and detaches managed policies; attaching twice is a no-op', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    await iam.send(new CreateGroupCommand({ GroupName: 'Users' }));
    const policy = await iam.send(new CreatePolicyCommand({ PolicyName: 'RequireMFAPolicy', Path: '/baseline/', PolicyDocument: doc('iam:*') }));
    const arn = policy.Policy!.Arn!;
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: arn }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: arn }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: 'arn:aws:iam::aws:policy/IAMUserChangePassword' }));
    const listed = await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'Users' }));
    expect(listed.AttachedPolicies).toEqual([
      { PolicyName: 'RequireMFAPolicy', PolicyArn: arn },
      { PolicyName: 'IAMUserChangePassword', PolicyArn: 'arn:aws:iam::aws:policy/IAMUserChangePassword' },
    ]);
    const baseline = await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'Users', PathPrefix: '/baseline/' }));
    expect(baseline.AttachedPolicies!.map((p) => p.PolicyName)).toEqual(['RequireMFAPolicy']);

    await iam.send(new DetachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: arn }));
    const notAttached = await failure(iam.send(new DetachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: arn })));
    expect(notAttached.name).toBe('NoSuchEntityException');
    expect((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'Users' }))).AttachedPolicies!.length).toBe(1);
  });

  it('answers NoSuchEntity for an unknown local policy and PolicyNotAttachable for a service-role policy', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    await iam.send(new CreateGroupCommand({ GroupName: 'Users' }));
    const unknown = await failure(iam.send(new AttachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: `arn:aws:iam::${account}:policy/Missing` })));
    expect(unknown.name).toBe('NoSuchEntityException');
    expect(unknown.$metadata?.httpStatusCode).toBe(404);
    const serviceRole = await failure(
      iam.send(new AttachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy' })),
    );
    expect(serviceRole.name).toBe('PolicyNotAttachableException');
    expect(serviceRole.$metadata?.httpStatusCode).toBe(400);
  });

  it('caps managed policies per group at 10 with LimitExceededException', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    await iam.send(new CreateGroupCommand({ GroupName: 'Users' }));
    for (let i = 1; i <= 11; i++) await iam.send(new CreatePolicyCommand({ PolicyName: `P${i}`, PolicyDocument: doc('s3:*') }));
    for (let i = 1; i <= 10; i++) await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: `arn:aws:iam::${account}:policy/P${i}` }));
    const err = await failure(iam.send(new AttachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: `arn:aws:iam::${account}:policy/P11` })));
    expect(err.name).toBe('LimitExceededException');
    expect(err.$metadata?.httpStatusCode).toBe(409);
  });

  it('puts, gets (URL-encoded), lists and deletes inline policies', async () => {
    const iam = server.client(freshAccount());
    await iam.send(new CreateGroupCommand({ GroupName: 'Administrators' }));
    const sent = JSON.stringify(
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/admin', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }] },
      null,
      2,
    );
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'Administrators', PolicyName: 'AssumeAdminRole', PolicyDocument: sent }));
    const got = await iam.send(new GetGroupPolicyCommand({ GroupName: 'Administrators', PolicyName: 'AssumeAdminRole' }));
    expect(got.GroupName).toBe('Administrators');
    expect(got.PolicyName).toBe('AssumeAdminRole');
    expect(got.PolicyDocument).toMatch(/^%7B%0A/);
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(sent);

    // Put again overwrites.
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'Administrators', PolicyName: 'AssumeAdminRole', PolicyDocument: doc('sts:AssumeRole') }));
    const again = await iam.send(new GetGroupPolicyCommand({ GroupName: 'Administrators', PolicyName: 'AssumeAdminRole' }));
    expect(decodeURIComponent(again.PolicyDocument!)).toBe(doc('sts:AssumeRole'));
    expect((await iam.send(new ListGroupPoliciesCommand({ GroupName: 'Administrators' }))).PolicyNames).toEqual(['AssumeAdminRole']);

    await iam.send(new DeleteGroupPolicyCommand({ GroupName: 'Administrators', PolicyName: 'AssumeAdminRole' }));
    expect((await iam.send(new ListGroupPoliciesCommand({ GroupName: 'Administrators' }))).PolicyNames).toEqual([]);
    const missing = await failure(iam.send(new GetGroupPolicyCommand({ GroupName: 'Administrators', PolicyName: 'AssumeAdminRole' })));
    expect(missing.name).toBe('NoSuchEntityException');
    const missingDelete = await failure(iam.send(new DeleteGroupPolicyCommand({ GroupName: 'Administrators', PolicyName: 'AssumeAdminRole' })));
    expect(missingDelete.name).toBe('NoSuchEntityException');
  });

  it('caps group inline policies at 5,120 characters not counting white space', async () => {
    const iam = server.client(freshAccount());
    await iam.send(new CreateGroupCommand({ GroupName: 'G' }));
    const padded = (n: number): string => {
      // Fill a Sid so the document has exactly n non-white-space characters; indentation does not count.
      const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: '', Effect: 'Allow', Action: '*', Resource: '*' }] });
      return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(n - base.length), Effect: 'Allow', Action: '*', Resource: '*' }] }, null, 8);
    };
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'G', PolicyName: 'Fits', PolicyDocument: padded(5120) }));
    const err = await failure(iam.send(new PutGroupPolicyCommand({ GroupName: 'G', PolicyName: 'TooBig', PolicyDocument: padded(5121) })));
    expect(err.name).toBe('LimitExceededException');
  });

  it('refuses to delete a group with members or policies (DeleteConflict), then deletes it', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    await iam.send(new CreateGroupCommand({ GroupName: 'Users' }));
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'Users', UserName: 'alice' }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'Users', PolicyName: 'Inline', PolicyDocument: doc('s3:*') }));

    const steps: [string, () => Promise<unknown>][] = [
      ['members', () => iam.send(new RemoveUserFromGroupCommand({ GroupName: 'Users', UserName: 'alice' }))],
      ['attached', () => iam.send(new DetachGroupPolicyCommand({ GroupName: 'Users', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }))],
      ['inline', () => iam.send(new DeleteGroupPolicyCommand({ GroupName: 'Users', PolicyName: 'Inline' }))],
    ];
    for (const [, fix] of steps) {
      const err = await failure(iam.send(new DeleteGroupCommand({ GroupName: 'Users' })));
      expect(err.name).toBe('DeleteConflictException');
      expect(err.$metadata?.httpStatusCode).toBe(409);
      await fix();
    }
    await iam.send(new DeleteGroupCommand({ GroupName: 'Users' }));
    expect((await iam.send(new ListGroupsCommand({}))).Groups).toEqual([]);
  });
});

describe('group membership', () => {
  it('adds and removes users, listed by GetGroup (paged) and ListGroupsForUser', async () => {
    const iam = server.client(freshAccount());
    await iam.send(new CreateGroupCommand({ GroupName: 'Users' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'Administrators' }));
    for (const name of ['alice', 'bob', 'carol']) {
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new AddUserToGroupCommand({ GroupName: 'Users', UserName: name }));
    }
    await iam.send(new AddUserToGroupCommand({ GroupName: 'Users', UserName: 'alice' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'Administrators', UserName: 'alice' }));

    const pages: string[][] = [];
    for await (const page of paginateGetGroup({ client: iam, pageSize: 2 }, { GroupName: 'Users' })) {
      expect(page.Group!.GroupName).toBe('Users');
      pages.push(page.Users!.map((u) => u.UserName!));
    }
    expect(pages).toEqual([['alice', 'bob'], ['carol']]);

    const groups = await iam.send(new ListGroupsForUserCommand({ UserName: 'alice' }));
    expect(groups.Groups!.map((g) => g.GroupName)).toEqual(['Users', 'Administrators']);

    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'Users', UserName: 'alice' }));
    expect((await iam.send(new ListGroupsForUserCommand({ UserName: 'alice' }))).Groups!.map((g) => g.GroupName)).toEqual(['Administrators']);
    const notMember = await failure(iam.send(new RemoveUserFromGroupCommand({ GroupName: 'Users', UserName: 'alice' })));
    expect(notMember.name).toBe('NoSuchEntityException');
    const noUser = await failure(iam.send(new AddUserToGroupCommand({ GroupName: 'Users', UserName: 'mallory' })));
    expect(noUser.name).toBe('NoSuchEntityException');
  });
});

describe('users', () => {
  it('creates, gets and lists users', async () => {
    const account = freshAccount();
    const iam = server.client(account);
    const created = await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/people/', Tags: [{ Key: 'team', Value: 'ops' }] }));
    expect(created.User).toMatchObject({ UserName: 'alice', Path: '/people/', Arn: `arn:aws:iam::${account}:user/people/alice`, CreateDate: NOW });
    expect(created.User!.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    const got = await iam.send(new GetUserCommand({ UserName: 'alice' }));
    expect(got.User).toMatchObject({ UserName: 'alice', Tags: [{ Key: 'team', Value: 'ops' }] });
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['alice', 'bob']);
    expect((await iam.send(new ListUsersCommand({ PathPrefix: '/people/' }))).Users!.map((u) => u.UserName)).toEqual(['alice']);

    const dup = await failure(iam.send(new CreateUserCommand({ UserName: 'Alice' })));
    expect(dup.name).toBe('EntityAlreadyExistsException');
    const missing = await failure(iam.send(new GetUserCommand({ UserName: 'zed' })));
    expect(missing.name).toBe('NoSuchEntityException');
  });

  it('describes the root caller when GetUser has no name', async () => {
    const account = freshAccount();
    const out = await server.client(account).send(new GetUserCommand({}));
    expect(out.User).toMatchObject({ UserId: account, Arn: `arn:aws:iam::${account}:root` });
  });

  it('manages login profiles: NoSuchEntity before, created once, EntityAlreadyExists after', async () => {
    const iam = server.client(freshAccount());
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    const none = await failure(iam.send(new GetLoginProfileCommand({ UserName: 'alice' })));
    expect(none.name).toBe('NoSuchEntityException');
    const created = await iam.send(new CreateLoginProfileCommand({ UserName: 'alice', Password: 'Temp#Passw0rd!', PasswordResetRequired: true }));
    expect(created.LoginProfile).toEqual({ UserName: 'alice', CreateDate: NOW, PasswordResetRequired: true });
    const got = await iam.send(new GetLoginProfileCommand({ UserName: 'alice' }));
    expect(got.LoginProfile).toEqual(created.LoginProfile);
    const dup = await failure(iam.send(new CreateLoginProfileCommand({ UserName: 'alice', Password: 'x' })));
    expect(dup.name).toBe('EntityAlreadyExistsException');
  });

  it('lists seeded MFA devices and (empty) access keys', async () => {
    const account = freshAccount();
    server.world.seed(account, { users: [{ name: 'alice', mfa: true, loginProfile: true }, { name: 'bob' }] });
    const iam = server.client(account);
    const mfa = await iam.send(new ListMFADevicesCommand({ UserName: 'alice' }));
    expect(mfa.MFADevices).toEqual([{ UserName: 'alice', SerialNumber: `arn:aws:iam::${account}:mfa/alice`, EnableDate: NOW }]);
    expect(mfa.IsTruncated).toBe(false);
    expect((await iam.send(new ListMFADevicesCommand({ UserName: 'bob' }))).MFADevices).toEqual([]);
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata).toEqual([]);
    const missing = await failure(iam.send(new ListMFADevicesCommand({ UserName: 'nobody' })));
    expect(missing.name).toBe('NoSuchEntityException');
  });

  it('refuses to delete a user still in a group or with a login profile', async () => {
    const account = freshAccount();
    server.world.seed(account, { groups: [{ name: 'Users' }], users: [{ name: 'alice', groups: ['Users'] }, { name: 'bob', loginProfile: true }, { name: 'carol' }] });
    const iam = server.client(account);
    for (const user of ['alice', 'bob']) {
      const err = await failure(iam.send(new DeleteUserCommand({ UserName: user })));
      expect(err.name).toBe('DeleteConflictException');
    }
    await iam.send(new DeleteUserCommand({ UserName: 'carol' }));
    expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['alice', 'bob']);
  });
});
