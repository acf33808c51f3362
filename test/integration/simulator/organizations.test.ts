import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListChildren,
  type Account,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';
import { authHeader, orgs, rejection, sts } from './sim-helpers.js';

describe('simulator: Organizations over JSON 1.1, through @aws-sdk/client-organizations', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, accounts: 45, seed: 7 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('DescribeOrganization names the management account', async () => {
    const { Organization } = await orgs(sim).send(new DescribeOrganizationCommand({}));
    expect(Organization?.MasterAccountId).toBe(sim.managementAccountId);
    expect(Organization?.Id).toMatch(/^o-[a-z0-9]{10}$/);
    expect(Organization?.Arn).toBe(`arn:aws:organizations::${sim.managementAccountId}:organization/${Organization?.Id}`);
    expect(Organization?.FeatureSet).toBe('ALL');
  });

  it('DescribeAccount returns every field, the join date as a Date', async () => {
    const member = sim.org.accounts[1];
    const { Account: a } = await orgs(sim).send(new DescribeAccountCommand({ AccountId: member.id }));
    expect(a).toMatchObject({ Id: member.id, Name: member.name, Email: member.email, State: member.state, Status: member.status, JoinedMethod: member.joinedMethod });
    expect(a?.Arn).toBe(`arn:aws:organizations::${sim.managementAccountId}:account/${sim.org.id}/${member.id}`);
    expect(a?.JoinedTimestamp).toBeInstanceOf(Date);
    expect(a?.JoinedTimestamp?.getUTCFullYear()).toBeGreaterThanOrEqual(2020);
  });

  it('DescribeAccount of an unknown account raises AccountNotFoundException; a malformed id InvalidInputException', async () => {
    const notFound = await rejection(orgs(sim).send(new DescribeAccountCommand({ AccountId: '000000000000' })));
    expect(notFound.name).toBe('AccountNotFoundException');
    expect(notFound.$metadata?.httpStatusCode).toBe(400);
    const bad = await rejection(orgs(sim).send(new DescribeAccountCommand({ AccountId: 'nope' })));
    expect(bad.name).toBe('InvalidInputException');
    expect(bad.Reason).toBe('INVALID_PATTERN');
  });

  it('paginateListAccounts visits every account once despite empty pages that carry a NextToken', async () => {
    const client = orgs(sim);
    const seen: Account[] = [];
    let pages = 0;
    let emptyPages = 0;
    for await (const page of paginateListAccounts({ client }, {})) {
      pages++;
      if ((page.Accounts ?? []).length === 0) {
        emptyPages++;
        expect(page.NextToken).toBeTruthy();
      }
      seen.push(...(page.Accounts ?? []));
    }
    expect(seen).toHaveLength(46);
    expect(new Set(seen.map((a) => a.Id)).size).toBe(46);
    expect(seen.map((a) => a.Id)).toContain(sim.managementAccountId);
    // 46 accounts at 20 a page: 3 full pages, and an empty page after each but the last.
    expect(pages).toBe(5);
    expect(emptyPages).toBe(2);
  });

  it('ListAccounts honours MaxResults and refuses more than 20 with InvalidInputException', async () => {
    const first = await orgs(sim).send(new ListAccountsCommand({ MaxResults: 7 }));
    expect(first.Accounts).toHaveLength(7);
    expect(first.NextToken).toBeTruthy();
    const over = await rejection(orgs(sim).send(new ListAccountsCommand({ MaxResults: 21 })));
    expect(over.name).toBe('InvalidInputException');
    expect(over.Reason).toBe('MAX_VALUE_EXCEEDED');
    const badToken = await rejection(orgs(sim).send(new ListAccountsCommand({ NextToken: 'garbage' })));
    expect(badToken.name).toBe('InvalidInputException');
    expect(badToken.Reason).toBe('INVALID_NEXT_TOKEN');
  });

  it('ListRoots, ListOrganizationalUnitsForParent and ListParents walk the nested OU tree', async () => {
    const { Roots } = await orgs(sim).send(new ListRootsCommand({}));
    expect(Roots).toHaveLength(1);
    expect(Roots?.[0].Id).toBe(sim.org.rootId);
    expect(Roots?.[0].Id).toMatch(/^r-[0-9a-z]{4}$/);
    const top = await orgs(sim).send(new ListOrganizationalUnitsForParentCommand({ ParentId: sim.org.rootId }));
    expect(top.OrganizationalUnits?.map((o) => o.Name)).toEqual(['Security', 'Workloads', 'Sandbox', 'Suspended']);
    const workloads = top.OrganizationalUnits!.find((o) => o.Name === 'Workloads')!;
    expect(workloads.Id).toMatch(new RegExp(`^ou-${sim.org.rootId.slice(2)}-[a-z0-9]{8}$`));
    const nested = await orgs(sim).send(new ListOrganizationalUnitsForParentCommand({ ParentId: workloads.Id }));
    expect(nested.OrganizationalUnits?.map((o) => o.Name)).toEqual(['Prod', 'NonProd']);
    const nonProd = nested.OrganizationalUnits!.find((o) => o.Name === 'NonProd')!;
    const parents = await orgs(sim).send(new ListParentsCommand({ ChildId: nonProd.Id }));
    expect(parents.Parents).toEqual([{ Id: workloads.Id, Type: 'ORGANIZATIONAL_UNIT' }]);
    const ofMgmt = await orgs(sim).send(new ListParentsCommand({ ChildId: sim.managementAccountId }));
    expect(ofMgmt.Parents).toEqual([{ Id: sim.org.rootId, Type: 'ROOT' }]);
    const missing = await rejection(orgs(sim).send(new ListParentsCommand({ ChildId: '000000000000' })));
    expect(missing.name).toBe('ChildNotFoundException');
  });

  it('ListAccountsForParent and ListChildren page through one OU; unknown parents raise ParentNotFoundException', async () => {
    const prod = sim.org.ous.find((o) => o.path === 'Workloads/Prod')!;
    const expected = sim.org.accounts.filter((a) => a.parentId === prod.id).map((a) => a.id);
    expect(expected.length).toBeGreaterThan(3);
    const client = orgs(sim);
    const ids: string[] = [];
    for await (const page of paginateListAccountsForParent({ client, pageSize: 3 }, { ParentId: prod.id })) ids.push(...(page.Accounts ?? []).map((a) => a.Id!));
    expect(ids).toEqual(expected);
    const children: string[] = [];
    for await (const page of paginateListChildren({ client, pageSize: 2 }, { ParentId: prod.id, ChildType: 'ACCOUNT' })) {
      for (const c of page.Children ?? []) {
        expect(c.Type).toBe('ACCOUNT');
        children.push(c.Id!);
      }
    }
    expect(children).toEqual(expected);
    const ouChildren = await client.send(new ListChildrenCommand({ ParentId: sim.org.rootId, ChildType: 'ORGANIZATIONAL_UNIT' }));
    expect(ouChildren.Children).toHaveLength(4);
    const unknown = await rejection(client.send(new ListAccountsForParentCommand({ ParentId: `ou-${sim.org.rootId.slice(2)}-zzzzzzzz` })));
    expect(unknown.name).toBe('ParentNotFoundException');
    const badType = await rejection(client.send(new ListChildrenCommand({ ParentId: sim.org.rootId, ChildType: 'POLICY' as 'ACCOUNT' })));
    expect(badType.name).toBe('InvalidInputException');
  });

  it('ListTagsForResource returns account tags; unknown targets raise TargetNotFoundException', async () => {
    const member = sim.org.accounts[3];
    const { Tags } = await orgs(sim).send(new ListTagsForResourceCommand({ ResourceId: member.id }));
    expect(Object.fromEntries((Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual(member.tags);
    expect(member.tags.env).toMatch(/^(prod|dev|staging|sandbox|security)$/);
    const missing = await rejection(orgs(sim).send(new ListTagsForResourceCommand({ ResourceId: '000000000000' })));
    expect(missing.name).toBe('TargetNotFoundException');
  });

  it('a member account (assumed role) may describe its organization but not list it: AccessDeniedException', async () => {
    const member = sim.org.accounts.find((a) => !a.isManagement && !a.missingRole && a.state === 'ACTIVE')!;
    const { Credentials } = await sts(sim).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member.id}:role/OrganizationAccountAccessRole`, RoleSessionName: 'orgs-test' }),
    );
    const memberCreds = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
    const { Organization } = await orgs(sim, memberCreds).send(new DescribeOrganizationCommand({}));
    expect(Organization?.MasterAccountId).toBe(sim.managementAccountId);
    const denied = await rejection(orgs(sim, memberCreds).send(new ListAccountsCommand({})));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.$metadata?.httpStatusCode).toBe(400);
  });

  it('answers errors as {"__type","message"} with status 400 and x-amzn-RequestId; unsigned requests are refused', async () => {
    const res = await fetch(sim.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSOrganizationsV20161128.DescribeAccount',
        authorization: authHeader('AKIAANY', 'organizations'),
      },
      body: JSON.stringify({ AccountId: '000000000000' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({ __type: 'AccountNotFoundException', message: "You specified an account that doesn't exist." });

    const unsigned = await fetch(sim.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSOrganizationsV20161128.ListRoots' },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
    expect(((await unsigned.json()) as { __type: string }).__type).toBe('MissingAuthenticationTokenException');

    const unknownOp = await fetch(sim.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSOrganizationsV20161128.CreateAccount', authorization: authHeader('AKIAANY', 'organizations') },
      body: '{}',
    });
    expect(((await unknownOp.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });
});
