import { awsManagedPolicy } from '../aws-managed-policies.js';
import { validationError } from '../failures.js';
import { parsePolicyArn } from '../identifiers.js';
import type { AccountIam, GroupState, ManagedPolicyState, RoleState, UserState } from '../model.js';
import { memberList, pageTrailer, paginate } from '../params.js';
import {
  attachedPoliciesXml,
  awsPolicyView,
  groupXml,
  inlinePoliciesDetailXml,
  localPolicyView,
  namesXml,
  policyVersionXml,
  policyXml,
  roleIdentityXml,
  tagsXml,
  userXml,
} from '../xml.js';
import type { ActionHandler } from './context.js';

const FILTERS = ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;
type Filter = (typeof FILTERS)[number];

type Item =
  | { list: 'UserDetailList'; user: UserState }
  | { list: 'GroupDetailList'; group: GroupState }
  | { list: 'RoleDetailList'; role: RoleState }
  | { list: 'Policies'; xml: () => string };

function userDetail(account: AccountIam, u: UserState): string {
  const groups = [...u.groups].map((key) => account.groups.get(key)?.name).filter((n) => n !== undefined);
  return (
    userXml(u, false) +
    '<UserPolicyList></UserPolicyList>' +
    namesXml('GroupList', groups) +
    '<AttachedManagedPolicies></AttachedManagedPolicies>' +
    (u.tags.length > 0 ? tagsXml(u.tags) : '')
  );
}

function groupDetail(g: GroupState): string {
  return groupXml(g) + inlinePoliciesDetailXml('GroupPolicyList', g.inline.values()) + attachedPoliciesXml('AttachedManagedPolicies', g.attached);
}

function roleDetail(r: RoleState): string {
  return (
    roleIdentityXml(r) +
    '<InstanceProfileList></InstanceProfileList>' +
    inlinePoliciesDetailXml('RolePolicyList', r.inline.values()) +
    attachedPoliciesXml('AttachedManagedPolicies', r.attached) +
    (r.tags.length > 0 ? tagsXml(r.tags) : '') +
    '<RoleLastUsed/>'
  );
}

function localPolicyDetail(account: AccountIam, p: ManagedPolicyState): string {
  let versions = '<PolicyVersionList>';
  for (const v of p.versions) versions += `<member>${policyVersionXml(v, v.versionId === p.defaultVersionId, true)}</member>`;
  return policyXml(localPolicyView(p, account.attachmentCount(p.arn)), 'detail') + `${versions}</PolicyVersionList>`;
}

function awsPolicyDetail(account: AccountIam, arn: string): string {
  const parsed = parsePolicyArn(arn)!;
  const p = awsManagedPolicy(parsed.path, parsed.name);
  const version = policyVersionXml({ versionId: p.defaultVersionId, document: p.document, createDate: p.updateDate }, true, true);
  return policyXml(awsPolicyView(p, arn, account.attachmentCount(arn)), 'detail') + `<PolicyVersionList><member>${version}</member></PolicyVersionList>`;
}

/**
 * One snapshot of users, groups, roles and policies (AWS-managed ones only while attached
 * in the account), paged over the concatenation with MaxItems/Marker.
 */
const GetAccountAuthorizationDetails: ActionHandler = (ctx) => {
  const requested = memberList(ctx.params, 'Filter');
  for (const f of requested) {
    if (!(FILTERS as readonly string[]).includes(f)) {
      throw validationError('filter', f, 'Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]');
    }
  }
  const wants = (f: Filter): boolean => requested.length === 0 || requested.includes(f);
  const account = ctx.read();
  const items: Item[] = [];
  if (wants('User')) for (const user of account.users.values()) items.push({ list: 'UserDetailList', user });
  if (wants('Group')) for (const group of account.groups.values()) items.push({ list: 'GroupDetailList', group });
  if (wants('Role')) for (const role of account.roles.values()) items.push({ list: 'RoleDetailList', role });
  if (wants('LocalManagedPolicy')) {
    for (const p of account.policies.values()) items.push({ list: 'Policies', xml: () => localPolicyDetail(account, p) });
  }
  if (wants('AWSManagedPolicy')) {
    for (const arn of account.attachments.keys()) {
      if (parsePolicyArn(arn)?.account === 'aws') items.push({ list: 'Policies', xml: () => awsPolicyDetail(account, arn) });
    }
  }
  const page = paginate(items, ctx.params);
  const lists: Record<Item['list'], string> = { UserDetailList: '', GroupDetailList: '', RoleDetailList: '', Policies: '' };
  for (const item of page.items) {
    const xml =
      item.list === 'UserDetailList'
        ? userDetail(account, item.user)
        : item.list === 'GroupDetailList'
          ? groupDetail(item.group)
          : item.list === 'RoleDetailList'
            ? roleDetail(item.role)
            : item.xml();
    lists[item.list] += `<member>${xml}</member>`;
  }
  let out = '';
  for (const name of ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const) out += `<${name}>${lists[name]}</${name}>`;
  return out + pageTrailer(page);
};

export const AUTHORIZATION_DETAILS_ACTIONS: Record<string, { write: boolean; run: ActionHandler }> = {
  GetAccountAuthorizationDetails: { write: false, run: GetAccountAuthorizationDetails },
};
