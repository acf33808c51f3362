import { rfc3986, xmlEscape, xmlMembers, xmlTag } from '../protocol.js';
import type { AwsManagedPolicy } from './aws-managed-policies.js';
import type { GroupState, InlinePolicy, ManagedPolicyState, PolicyVersionState, RoleState, Tag, UserState } from './model.js';

/** XML of IAM's output shapes, element names as the SDK's schema reads them. String concatenation on purpose: it is the hot path. */

export function tagsXml(tags: readonly Tag[], element = 'Tags'): string {
  let out = `<${element}>`;
  for (const t of tags) out += `<member>${xmlTag('Key', t.key)}${xmlTag('Value', t.value)}</member>`;
  return `${out}</${element}>`;
}

/** IAM returns policy documents URL-encoded (RFC 3986); the JS SDK v3 does not decode them. */
export function documentXml(element: string, document: string): string {
  return `<${element}>${rfc3986(document)}</${element}>`;
}

export interface PolicyView {
  name: string;
  id: string;
  arn: string;
  path: string;
  defaultVersionId: string;
  attachmentCount: number;
  attachable: boolean;
  description?: string;
  createDate: string;
  updateDate: string;
  tags?: readonly Tag[];
}

export function localPolicyView(p: ManagedPolicyState, attachmentCount: number): PolicyView {
  return { ...p, attachable: true, attachmentCount };
}

export function awsPolicyView(p: AwsManagedPolicy, arn: string, attachmentCount: number): PolicyView {
  return { ...p, arn, attachmentCount };
}

/**
 * `Policy` members. ListPolicies omits Description and Tags; GetPolicy/CreatePolicy carry both;
 * ManagedPolicyDetail (GetAccountAuthorizationDetails) has Description but no Tags.
 */
export function policyXml(p: PolicyView, shape: 'list' | 'get' | 'detail'): string {
  return (
    xmlTag('PolicyName', p.name) +
    xmlTag('PolicyId', p.id) +
    xmlTag('Arn', p.arn) +
    xmlTag('Path', p.path) +
    xmlTag('DefaultVersionId', p.defaultVersionId) +
    xmlTag('AttachmentCount', p.attachmentCount) +
    '<PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount>' +
    xmlTag('IsAttachable', p.attachable) +
    (shape !== 'list' ? xmlTag('Description', p.description) : '') +
    xmlTag('CreateDate', p.createDate) +
    xmlTag('UpdateDate', p.updateDate) +
    (shape === 'get' && p.tags && p.tags.length > 0 ? tagsXml(p.tags) : '')
  );
}

export function policyVersionXml(v: PolicyVersionState, isDefault: boolean, withDocument: boolean): string {
  return (
    (withDocument ? documentXml('Document', v.document) : '') +
    xmlTag('VersionId', v.versionId) +
    xmlTag('IsDefaultVersion', isDefault) +
    xmlTag('CreateDate', v.createDate)
  );
}

export function groupXml(g: GroupState): string {
  return xmlTag('Path', g.path) + xmlTag('GroupName', g.name) + xmlTag('GroupId', g.id) + xmlTag('Arn', g.arn) + xmlTag('CreateDate', g.createDate);
}

/** The members a `Role` and a `RoleDetail` share, in their order. */
export function roleIdentityXml(r: RoleState): string {
  return (
    xmlTag('Path', r.path) +
    xmlTag('RoleName', r.name) +
    xmlTag('RoleId', r.id) +
    xmlTag('Arn', r.arn) +
    xmlTag('CreateDate', r.createDate) +
    documentXml('AssumeRolePolicyDocument', r.trustPolicy)
  );
}

/**
 * `Role` members; `detailed` (GetRole and friends, not ListRoles) adds Tags and RoleLastUsed,
 * which is present but empty when the role was never used.
 */
export function roleXml(r: RoleState, detailed: boolean): string {
  return (
    roleIdentityXml(r) +
    xmlTag('Description', r.description) +
    xmlTag('MaxSessionDuration', r.maxSessionDuration) +
    (detailed && r.tags.length > 0 ? tagsXml(r.tags) : '') +
    (detailed ? '<RoleLastUsed/>' : '')
  );
}

export function userXml(u: UserState, withTags: boolean): string {
  return (
    xmlTag('Path', u.path) +
    xmlTag('UserName', u.name) +
    xmlTag('UserId', u.id) +
    xmlTag('Arn', u.arn) +
    xmlTag('CreateDate', u.createDate) +
    (withTags && u.tags.length > 0 ? tagsXml(u.tags) : '')
  );
}

export function attachedPoliciesXml(element: string, arns: readonly string[]): string {
  return xmlMembers(
    element,
    arns.map((arn) => xmlTag('PolicyName', arn.slice(arn.lastIndexOf('/') + 1)) + xmlTag('PolicyArn', arn)),
  );
}

export function inlinePoliciesDetailXml(element: string, policies: Iterable<InlinePolicy>): string {
  let out = `<${element}>`;
  for (const p of policies) out += `<member>${xmlTag('PolicyName', p.name)}${documentXml('PolicyDocument', p.document)}</member>`;
  return `${out}</${element}>`;
}

export function namesXml(element: string, names: readonly string[]): string {
  return xmlMembers(element, names.map(xmlEscape));
}
