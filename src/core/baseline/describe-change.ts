import type { Change, ReportAction } from '../model.js';
import { MANAGED_BY_TAG } from './managed-by-tag.js';

/** One report line per change: resource is an ARN or a name; detail is a short sentence, never a whole document. */
export function describeChange(change: Change): ReportAction {
  const { type } = change;
  switch (change.type) {
    case 'CreatePolicy':
      return { type, resource: change.policyName, detail: `create managed policy ${change.path}${change.policyName}${tagged(change.tags)}` };
    case 'DeletePolicyVersion':
      return { type, resource: change.policyArn, detail: `delete old version ${change.versionId} to make room (IAM keeps at most 5 versions)` };
    case 'CreatePolicyVersion':
      return { type, resource: change.policyArn, detail: 'create a new default version with the baseline document' };
    case 'CreateGroup':
      return { type, resource: change.groupName, detail: `create group at path ${change.path}` };
    case 'AttachGroupPolicy':
      return { type, resource: change.groupName, detail: `attach ${change.policyArn}` };
    case 'DetachGroupPolicy':
      return { type, resource: change.groupName, detail: `detach ${change.policyArn} (not in the baseline; the group is exclusive)` };
    case 'PutGroupPolicy':
      return { type, resource: change.groupName, detail: `put inline policy ${change.policyName}` };
    case 'DeleteGroupPolicy':
      return { type, resource: change.groupName, detail: `delete inline policy ${change.policyName} (not in the baseline; the group is exclusive)` };
    case 'CreateRole': {
      const duration = change.maxSessionDuration !== undefined ? `, max session ${change.maxSessionDuration} s` : '';
      return { type, resource: change.roleName, detail: `create role at path ${change.path}${duration}${tagged(change.tags)}` };
    }
    case 'UpdateAssumeRolePolicy':
      return { type, resource: change.roleName, detail: 'replace the trust policy with the baseline one' };
    case 'UpdateRole': {
      const parts: string[] = [];
      if (change.description !== undefined) parts.push('set the description');
      if (change.maxSessionDuration !== undefined) parts.push(`set max session duration to ${change.maxSessionDuration} s`);
      return { type, resource: change.roleName, detail: parts.join('; ') || 'update role settings' };
    }
    case 'TagRole':
      return { type, resource: change.roleName, detail: `adopt existing role: tag ${MANAGED_BY_TAG.key}=${MANAGED_BY_TAG.value}` };
    case 'AttachRolePolicy':
      return { type, resource: change.roleName, detail: `attach ${change.policyArn}` };
    case 'DetachRolePolicy':
      return { type, resource: change.roleName, detail: `detach ${change.policyArn} (not in the baseline; the role is exclusive)` };
    case 'PutRolePolicy':
      return { type, resource: change.roleName, detail: `put inline policy ${change.policyName}` };
    case 'DeleteRolePolicy':
      return { type, resource: change.roleName, detail: `delete inline policy ${change.policyName} (not in the baseline; the role is exclusive)` };
  }
}

function tagged(tags: Record<string, string>): string {
  return tags[MANAGED_BY_TAG.key] === MANAGED_BY_TAG.value ? ` (tagged ${MANAGED_BY_TAG.key}=${MANAGED_BY_TAG.value})` : '';
}
