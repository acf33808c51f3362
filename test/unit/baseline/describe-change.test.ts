import { describe, expect, it } from 'vitest';
import { describeChange } from '../../../src/core/baseline/index.js';
import type { Change } from '../../../src/core/model.js';

const ARN = 'arn:aws:iam::123456789012:policy/P';
const DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secret:Marker', Resource: '*' }] };
const TAGS = { 'managed-by': 'org-iam-rollout' };

const CHANGES: [Change, string, RegExp][] = [
  [{ type: 'CreatePolicy', policyName: 'P', path: '/', document: DOC, tags: TAGS }, 'P', /create managed policy \/P \(tagged managed-by=org-iam-rollout\)/],
  [{ type: 'DeletePolicyVersion', policyArn: ARN, versionId: 'v2' }, ARN, /delete old version v2.*5 versions/],
  [{ type: 'CreatePolicyVersion', policyArn: ARN, document: DOC, setAsDefault: true }, ARN, /new default version/],
  [{ type: 'CreateGroup', groupName: 'Users', path: '/' }, 'Users', /create group/],
  [{ type: 'AttachGroupPolicy', groupName: 'Users', policyArn: ARN }, 'Users', new RegExp(`attach ${ARN}`)],
  [{ type: 'DetachGroupPolicy', groupName: 'Users', policyArn: ARN }, 'Users', /detach .*exclusive/],
  [{ type: 'PutGroupPolicy', groupName: 'Users', policyName: 'I', document: DOC }, 'Users', /put inline policy I/],
  [{ type: 'DeleteGroupPolicy', groupName: 'Users', policyName: 'I' }, 'Users', /delete inline policy I/],
  [{ type: 'CreateRole', roleName: 'admin', path: '/', maxSessionDuration: 3600, trustPolicy: DOC, tags: TAGS }, 'admin', /create role .*3600 s/],
  [{ type: 'UpdateAssumeRolePolicy', roleName: 'admin', document: DOC }, 'admin', /trust policy/],
  [{ type: 'UpdateRole', roleName: 'admin', description: 'x', maxSessionDuration: 7200 }, 'admin', /description; set max session duration to 7200 s/],
  [{ type: 'TagRole', roleName: 'admin', tags: TAGS }, 'admin', /^adopt existing role/],
  [{ type: 'AttachRolePolicy', roleName: 'admin', policyArn: ARN }, 'admin', /attach/],
  [{ type: 'DetachRolePolicy', roleName: 'admin', policyArn: ARN }, 'admin', /detach .*role is exclusive/],
  [{ type: 'PutRolePolicy', roleName: 'admin', policyName: 'I', document: DOC }, 'admin', /put inline policy I/],
  [{ type: 'DeleteRolePolicy', roleName: 'admin', policyName: 'I' }, 'admin', /delete inline policy I/],
];

describe('describeChange', () => {
  it.each(CHANGES)('$type', (change, resource, detail) => {
    const action = describeChange(change);
    expect(action.type).toBe(change.type);
    expect(action.resource).toBe(resource);
    expect(action.detail).toMatch(detail);
    // A short sentence, never the document itself.
    expect(action.detail).not.toContain('secret:Marker');
    expect(action.detail?.length).toBeLessThan(200);
  });

  it('covers every change type', () => {
    const types: Change['type'][] = CHANGES.map(([c]) => c.type);
    expect(new Set(types).size).toBe(16);
  });
});
