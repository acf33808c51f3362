import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ListTagsForResourceCommand, paginateListAccounts, paginateListAccountsForParent } from '@aws-sdk/client-organizations';
import { GetGroupCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { generateOrganization, loadOrgFile, startSimulator, validateOrgDescription, SimOrganization } from '../../../src/simulator/index.js';
import { iam, orgs, rejection, sts } from './sim-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-org-'));
const writeOrg = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('generateOrganization', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateOrganization({ accounts: 300, seed: 42 });
    const b = generateOrganization({ accounts: 300, seed: 42 });
    expect(b).toEqual(a);
    const c = generateOrganization({ accounts: 300, seed: 43 });
    expect(c.managementAccount.id).not.toBe(a.managementAccount.id);
    expect(new SimOrganization(a, 'aws').toJSON()).toEqual(new SimOrganization(b, 'aws').toJSON());
  });

  it('makes ~2 % suspended, ~1 % closed and ~3 % invited accounts, with env/team tags and unique 12-digit ids', () => {
    const d = generateOrganization({ accounts: 1000, seed: 9 });
    const count = (f: (a: (typeof d.accounts)[number]) => boolean): number => d.accounts.filter(f).length;
    expect(d.accounts).toHaveLength(1000);
    expect(count((a) => a.state === 'SUSPENDED')).toBe(20);
    expect(count((a) => a.state === 'CLOSED')).toBe(10);
    expect(count((a) => a.joinedMethod === 'INVITED' && a.missingRole === true)).toBe(30);
    const ids = new Set([d.managementAccount.id, ...d.accounts.map((a) => a.id)]);
    expect(ids.size).toBe(1001);
    for (const id of ids) expect(id).toMatch(/^[1-9]\d{11}$/);
    for (const a of d.accounts) {
      expect(a.tags?.env).toMatch(/^(prod|dev|staging|sandbox|security)$/);
      expect(a.tags?.team).toBeTruthy();
    }
    expect(d.rootId).toMatch(/^r-[0-9a-z]{4}$/);
  });

  it('has at least one invited account from 10 accounts up, and accepts 1 to 20,000 accounts', () => {
    expect(generateOrganization({ accounts: 10, seed: 1 }).accounts.filter((a) => a.missingRole)).toHaveLength(1);
    expect(generateOrganization({ accounts: 1, seed: 1 }).accounts).toHaveLength(1);
    expect(() => generateOrganization({ accounts: 0 })).toThrow(/accounts=0: must be a whole number from 1 to 20000/);
    expect(() => generateOrganization({ accounts: 20_001 })).toThrow(/from 1 to 20000/);
  });
});

describe('simulator organizations at scale', () => {
  it('serves 20,000 members plus the management account; created members hold the access role, invited ones and the management account do not', async () => {
    // Empty pages are covered elsewhere; without them the walk takes half the requests.
    const sim = await startSimulator({ port: 0, accounts: 20_000, seed: 11, emptyPageEvery: 0 });
    try {
      expect(sim.accounts).toBe(20_000);
      let n = 0;
      for await (const page of paginateListAccounts({ client: orgs(sim) }, {})) n += page.Accounts?.length ?? 0;
      expect(n).toBe(20_001);
      const created = sim.org.accounts.filter((a) => !a.isManagement && !a.missingRole);
      const invited = sim.org.accounts.filter((a) => !a.isManagement && a.missingRole);
      expect(invited.length).toBe(600);
      expect(created.every((a) => sim.iam.hasRole(a.id, 'OrganizationAccountAccessRole'))).toBe(true);
      expect(invited.some((a) => sim.iam.hasRole(a.id, 'OrganizationAccountAccessRole'))).toBe(false);
      expect(sim.iam.hasRole(sim.managementAccountId, 'OrganizationAccountAccessRole')).toBe(false);
    } finally {
      await sim.close();
    }
  });
});

describe('org files', () => {
  const valid = {
    organizationId: 'o-abcdefghij',
    rootId: 'r-ab12',
    managementAccount: { id: '100000000001', name: 'mgmt', email: 'mgmt@example.com' },
    ous: [{ name: 'Workloads', children: [{ id: 'ou-ab12-prod0001', name: 'Prod', tags: { tier: 'gold' } }, { name: 'Dev' }] }, { name: 'Sandbox' }],
    accounts: [
      { id: '200000000001', name: 'prod-a', ou: 'ou-ab12-prod0001', tags: { env: 'prod' } },
      { id: '200000000002', name: 'dev-a', ou: 'Workloads/Dev', state: 'SUSPENDED' },
      { id: '200000000003', name: 'sandbox-a', ou: 'Sandbox', missingRole: true },
      {
        id: '200000000004',
        name: 'has-users-group',
        iam: { groups: [{ name: 'Users', managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }] },
      },
    ],
  };

  it('describes the organization exactly: ids, OU placement by id, path or name, states, tags, the role and seeded IAM', async () => {
    const sim = await startSimulator({ port: 0, orgFile: writeOrg('valid.json', valid) });
    try {
      expect(sim.managementAccountId).toBe('100000000001');
      expect(sim.accounts).toBe(4);
      expect(sim.org.id).toBe('o-abcdefghij');
      const client = orgs(sim);
      const ids: string[] = [];
      for await (const page of paginateListAccountsForParent({ client }, { ParentId: 'ou-ab12-prod0001' })) ids.push(...page.Accounts!.map((a) => a.Id!));
      expect(ids).toEqual(['200000000001']);
      const dev = sim.org.ous.find((o) => o.path === 'Workloads/Dev')!;
      expect(sim.org.account('200000000002')?.parentId).toBe(dev.id);
      expect(sim.org.account('200000000002')?.status).toBe('SUSPENDED');
      expect(sim.org.account('200000000003')?.joinedMethod).toBe('INVITED');
      const ouTags = await client.send(new ListTagsForResourceCommand({ ResourceId: 'ou-ab12-prod0001' }));
      expect(ouTags.Tags).toEqual([{ Key: 'tier', Value: 'gold' }]);

      expect(sim.iam.hasRole('200000000001', 'OrganizationAccountAccessRole')).toBe(true);
      expect(sim.iam.hasRole('200000000003', 'OrganizationAccountAccessRole')).toBe(false);
      const out = await sts(sim).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::200000000004:role/OrganizationAccountAccessRole', RoleSessionName: 'seeded' }));
      const creds = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
      const group = await iam(sim, creds).send(new GetGroupCommand({ GroupName: 'Users' }));
      expect(group.Group?.Arn).toBe('arn:aws:iam::200000000004:group/Users');
      const state = (await (await fetch(`${sim.endpoint}/_sim/state/200000000004`)).json()) as Record<string, unknown>;
      expect(JSON.stringify(state)).toContain('ReadOnlyAccess');
      const unknown = await fetch(`${sim.endpoint}/_sim/state/999999999999`);
      expect(unknown.status).toBe(404);
    } finally {
      await sim.close();
    }
  });

  it.each([
    ['missing managementAccount', { accounts: [] }, /managementAccount: is required/],
    ['a bad account id', { ...valid, accounts: [{ id: '12345', name: 'x' }] }, /accounts\[0\]\.id: must be 12 digits/],
    ['a duplicate account id', { ...valid, accounts: [valid.accounts[0], valid.accounts[0]] }, /accounts\[1\]\.id: duplicate account id 200000000001/],
    ['the management id as a member', { ...valid, accounts: [{ id: '100000000001', name: 'x' }] }, /accounts\[0\]\.id: is the management account id/],
    ['an unknown OU', { ...valid, accounts: [{ id: '200000000009', name: 'x', ou: 'Nowhere' }] }, /accounts\[0\]\.ou: no OU "Nowhere"/],
    ['an unknown state', { ...valid, accounts: [{ id: '200000000009', name: 'x', state: 'DELETED' }] }, /accounts\[0\]\.state: must be one of PENDING_ACTIVATION, ACTIVE/],
    ['an unknown field', { ...valid, accounts: [{ id: '200000000009', name: 'x', tag: {} }] }, /accounts\[0\]\.tag: unknown field/],
    ['a bad OU id', { ...valid, ous: [{ id: 'ou-1', name: 'x' }] }, /ous\[0\]\.id: must look like ou-abcd-12345678/],
    ['a non-string tag', { ...valid, accounts: [{ id: '200000000009', name: 'x', tags: { env: 1 } }] }, /accounts\[0\]\.tags\.env: tag values are strings/],
    ['an IAM policy without document', { ...valid, accounts: [{ id: '200000000009', name: 'x', iam: { policies: [{ name: 'p' }] } }] }, /accounts\[0\]\.iam\.policies\[0\]\.document/],
  ])('refuses %s with a message naming the field', (_label, content, message) => {
    const path = writeOrg('bad.json', content);
    let err: unknown;
    try {
      loadOrgFile(path);
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string }).code).toBe('CONFIG.INVALID');
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(`org file ${path}:`);
  });

  it('refuses unreadable and non-JSON files, and IAM seeds the IAM world rejects', async () => {
    expect(() => loadOrgFile(join(dir, 'missing.json'))).toThrow(/cannot be read \(ENOENT\)/);
    expect(() => loadOrgFile(writeOrg('broken.json', '{"accounts": ['))).toThrow(/not valid JSON/);
    const err = await rejection(
      startSimulator({
        port: 0,
        org: { managementAccount: { id: '100000000001' }, accounts: [{ id: '200000000001', name: 'a', iam: { groups: [{ name: 'G', managedPolicyArns: ['not-an-arn'] }] } }] },
      }),
    );
    expect(err.code).toBe('CONFIG.INVALID');
    expect(err.message).toContain('account 200000000001');
    expect(() => validateOrgDescription({ ...valid, accounts: 'none' })).toThrow(/org: accounts: must be an array/);
  });
});

