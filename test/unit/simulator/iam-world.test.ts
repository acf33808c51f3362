import { describe, expect, it } from 'vitest';
import { handleIamAction, IAM_ACTIONS, IamWorld, isIamWriteAction } from '../../../src/simulator/iam/index.js';
import { type CallerContext, SimError } from '../../../src/simulator/protocol.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const caller = (accountId: string): CallerContext => ({ accountId, partition: 'aws', arn: `arn:aws:iam::${accountId}:root` });
const params = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));
const ALLOW = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };

function call(world: IamWorld, accountId: string, action: string, p: Record<string, string> = {}): string {
  return handleIamAction(world, caller(accountId), action, params(p), 'req-1');
}

function thrown(fn: () => unknown): SimError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SimError) return err;
    throw err;
  }
  throw new Error('expected a SimError');
}

describe('IAM_ACTIONS / isIamWriteAction', () => {
  const expected = [
    'CreatePolicy', 'GetPolicy', 'ListPolicies', 'DeletePolicy', 'GetPolicyVersion', 'CreatePolicyVersion', 'DeletePolicyVersion',
    'ListPolicyVersions', 'SetDefaultPolicyVersion', 'TagPolicy', 'UntagPolicy', 'ListPolicyTags', 'ListEntitiesForPolicy',
    'CreateGroup', 'GetGroup', 'ListGroups', 'DeleteGroup', 'AttachGroupPolicy', 'DetachGroupPolicy', 'ListAttachedGroupPolicies',
    'PutGroupPolicy', 'GetGroupPolicy', 'DeleteGroupPolicy', 'ListGroupPolicies', 'AddUserToGroup', 'RemoveUserFromGroup', 'ListGroupsForUser',
    'CreateRole', 'GetRole', 'ListRoles', 'DeleteRole', 'UpdateAssumeRolePolicy', 'UpdateRole', 'UpdateRoleDescription', 'TagRole',
    'UntagRole', 'ListRoleTags', 'AttachRolePolicy', 'DetachRolePolicy', 'ListAttachedRolePolicies', 'PutRolePolicy', 'GetRolePolicy',
    'DeleteRolePolicy', 'ListRolePolicies',
    'CreateUser', 'GetUser', 'ListUsers', 'DeleteUser', 'GetLoginProfile', 'CreateLoginProfile', 'ListMFADevices', 'ListAccessKeys',
    'GetAccountAuthorizationDetails',
  ];

  it('lists every implemented action', () => {
    expect([...IAM_ACTIONS].sort()).toEqual([...expected].sort());
  });

  it('classifies Get/List as reads and everything else as writes', () => {
    for (const action of IAM_ACTIONS) expect(isIamWriteAction(action), action).toBe(!/^(Get|List)/.test(action));
    expect(isIamWriteAction('LaunchRockets')).toBe(false);
  });

  it('throws InvalidAction (400, Sender) for an unknown action', () => {
    const err = thrown(() => call(new IamWorld({ partition: 'aws' }), '111111111111', 'LaunchRockets'));
    expect([err.code, err.status, err.type]).toEqual(['InvalidAction', 400, 'Sender']);
  });
});

describe('IamWorld', () => {
  it('creates no state for reads of untouched accounts', () => {
    const world = new IamWorld({ partition: 'aws' });
    for (let i = 0; i < 1000; i++) {
      const account = String(200000000000 + i);
      call(world, account, 'ListRoles');
      call(world, account, 'GetAccountAuthorizationDetails');
      expect(thrown(() => call(world, account, 'GetRole', { RoleName: 'admin' })).code).toBe('NoSuchEntity');
      expect(world.hasRole(account, 'admin')).toBe(false);
    }
    expect(world.accountCount).toBe(0);
    expect(world.dump('200000000000')).toEqual({ accountId: '200000000000', policies: [], groups: [], roles: [], users: [] });
    call(world, '200000000000', 'CreateGroup', { GroupName: 'Users' });
    expect(world.accountCount).toBe(1);
  });

  it('keeps accounts apart', () => {
    const world = new IamWorld({ partition: 'aws' });
    call(world, '111111111111', 'CreateGroup', { GroupName: 'Users' });
    expect(thrown(() => call(world, '222222222222', 'GetGroup', { GroupName: 'Users' })).code).toBe('NoSuchEntity');
    call(world, '222222222222', 'CreateGroup', { GroupName: 'Users' });
  });

  it('dumps seeded state with documents parsed, not encoded', () => {
    const world = new IamWorld({ partition: 'aws', clock: () => NOW });
    world.seed('111111111111', {
      policies: [{ name: 'RequireMFAPolicy', document: ALLOW }],
      groups: [
        { name: 'Users', managedPolicyArns: ['arn:aws:iam::111111111111:policy/RequireMFAPolicy'] },
        { name: 'Administrators', inlinePolicies: { AssumeAdminRole: ALLOW } },
      ],
      roles: [{ name: 'OrganizationAccountAccessRole', managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }],
      users: [{ name: 'alice', groups: ['Users'], mfa: true, loginProfile: true }],
    });
    expect(world.hasRole('111111111111', 'organizationaccountaccessrole')).toBe(true);
    const dump = world.dump('111111111111') as Record<string, Record<string, unknown>[]>;
    expect(dump.policies[0]).toMatchObject({
      name: 'RequireMFAPolicy',
      arn: 'arn:aws:iam::111111111111:policy/RequireMFAPolicy',
      defaultVersionId: 'v1',
      attachmentCount: 1,
      versions: [{ versionId: 'v1', isDefaultVersion: true, createDate: '2026-01-01T00:00:00Z', document: ALLOW }],
    });
    expect(dump.groups).toMatchObject([
      { name: 'Users', attachedPolicyArns: ['arn:aws:iam::111111111111:policy/RequireMFAPolicy'], members: ['alice'], inlinePolicies: {} },
      { name: 'Administrators', attachedPolicyArns: [], members: [], inlinePolicies: { AssumeAdminRole: ALLOW } },
    ]);
    expect(dump.roles[0]).toMatchObject({
      name: 'OrganizationAccountAccessRole',
      maxSessionDuration: 3600,
      attachedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sts:AssumeRole' }] },
    });
    expect(dump.users[0]).toMatchObject({ name: 'alice', groups: ['Users'], loginProfile: true, mfaDevices: ['arn:aws:iam::111111111111:mfa/alice'] });
    // JSON-able: the dump survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(dump))).toEqual(JSON.parse(JSON.stringify(world.dump('111111111111'))));
  });

  it('rejects a seed that attaches a policy the account does not have', () => {
    const world = new IamWorld({ partition: 'aws' });
    const err = thrown(() => world.seed('111111111111', { groups: [{ name: 'Users', managedPolicyArns: ['arn:aws:iam::111111111111:policy/Missing'] }] }));
    expect(err.code).toBe('NoSuchEntity');
  });

  it('uses the partition in ARNs', () => {
    const world = new IamWorld({ partition: 'aws-cn' });
    world.seed('111111111111', { roles: [{ name: 'admin' }] });
    const xml = handleIamAction(world, { accountId: '111111111111', partition: 'aws-cn', arn: 'arn:aws-cn:iam::111111111111:root' }, 'GetRole', params({ RoleName: 'admin' }), 'r');
    expect(xml).toContain('<Arn>arn:aws-cn:iam::111111111111:role/admin</Arn>');
  });

  it('derives ids deterministically, and a re-created entity gets a new one', () => {
    const ids = (): string[] => {
      const world = new IamWorld({ partition: 'aws' });
      const out: string[] = [];
      for (let i = 0; i < 2; i++) {
        const xml = call(world, '111111111111', 'CreateGroup', { GroupName: 'Users' });
        out.push(/<GroupId>(\w+)<\/GroupId>/.exec(xml)![1]);
        call(world, '111111111111', 'DeleteGroup', { GroupName: 'Users' });
      }
      return out;
    };
    const first = ids();
    expect(ids()).toEqual(first);
    expect(first[0]).not.toBe(first[1]);
  });

  it('holds 10,000 seeded accounts and still answers per-account requests', () => {
    const world = new IamWorld({ partition: 'aws' });
    for (let i = 0; i < 10_000; i++) {
      world.seed(String(300000000000 + i), { roles: [{ name: 'OrganizationAccountAccessRole', managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }] });
    }
    expect(world.accountCount).toBe(10_000);
    const xml = call(world, '300000009999', 'ListAttachedRolePolicies', { RoleName: 'OrganizationAccountAccessRole' });
    expect(xml).toContain('<PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn>');
    expect(call(world, '300000009999', 'GetAccountAuthorizationDetails', { 'Filter.member.1': 'Role' }).match(/<RoleName>/g)).toHaveLength(1);
  });
});
