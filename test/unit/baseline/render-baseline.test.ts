import { describe, expect, it } from 'vitest';
import { observeScope, renderBaseline } from '../../../src/core/baseline/index.js';
import type { Baseline } from '../../../src/core/model.js';

const CTX = { accountId: '123456789012', partition: 'aws-cn' };

function baseline(): Baseline {
  return {
    policies: [
      {
        name: 'P',
        path: '/sec/',
        document: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'iam:GetUser', Resource: 'arn:{{Partition}}:iam::{{AccountId}}:user/${aws:username}' },
            { Effect: 'Allow', Action: 'iam:ListMFADevices', Resource: 'arn:aws:iam::PASTE_ACCOUNT_NUMBER:user/${aws:username}' },
            { Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': ['{{ AccountId }}'] } } },
          ],
        },
      },
    ],
    groups: [
      {
        name: 'G',
        path: '/',
        managedPolicies: ['P', 'arn:{{Partition}}:iam::{{AccountId}}:policy/sec/P', 'arn:{{Partition}}:iam::aws:policy/ReadOnlyAccess'],
        inlinePolicies: [{ name: 'I', document: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:{{Partition}}:iam::{{AccountId}}:role/admin' } } }],
        exclusive: true,
      },
    ],
    roles: [
      {
        name: 'admin',
        path: '/',
        description: 'Admin {{AccountId}} stays literal in descriptions',
        maxSessionDuration: 7200,
        trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:{{Partition}}:iam::{{AccountId}}:root' }, Action: 'sts:AssumeRole' }] },
        managedPolicies: ['arn:{{Partition}}:iam::aws:policy/AdministratorAccess'],
        inlinePolicies: [],
        exclusive: false,
      },
    ],
  };
}

describe('renderBaseline', () => {
  it('renders {{AccountId}}, {{Partition}} and the PASTE_ACCOUNT_NUMBER alias, and leaves ${aws:username} alone', () => {
    const d = renderBaseline(baseline(), CTX);
    const st = d.policies[0].document.Statement as { Resource: string; Condition?: unknown }[];
    expect(st[0].Resource).toBe('arn:aws-cn:iam::123456789012:user/${aws:username}');
    expect(st[1].Resource).toBe('arn:aws:iam::123456789012:user/${aws:username}');
    expect(st[2].Condition).toEqual({ StringNotEquals: { 'aws:PrincipalAccount': ['123456789012'] } });
    expect(d.roles[0].trustPolicy).toMatchObject({ Statement: [{ Principal: { AWS: 'arn:aws-cn:iam::123456789012:root' } }] });
    expect(d.groups[0].inlinePolicies[0].document).toMatchObject({ Statement: { Resource: 'arn:aws-cn:iam::123456789012:role/admin' } });
  });

  it('turns policy names and templated ARNs into concrete ARNs, each once', () => {
    const d = renderBaseline(baseline(), CTX);
    expect(d.policies[0].arn).toBe('arn:aws-cn:iam::123456789012:policy/sec/P');
    expect(d.groups[0].managedPolicyArns).toEqual(['arn:aws-cn:iam::123456789012:policy/sec/P', 'arn:aws-cn:iam::aws:policy/ReadOnlyAccess']);
    expect(d.roles[0].managedPolicyArns).toEqual(['arn:aws-cn:iam::aws:policy/AdministratorAccess']);
    expect(d.groups[0].exclusive).toBe(true);
    expect(d.roles[0]).toMatchObject({ maxSessionDuration: 7200, description: 'Admin {{AccountId}} stays literal in descriptions' });
  });

  it('renders inside parsed strings, so a value can never break the JSON', () => {
    const b = baseline();
    b.policies[0].document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: '"{{Partition}}"' }] };
    const d = renderBaseline(b, { accountId: '123456789012', partition: 'aws' });
    expect(d.policies[0].document.Statement).toEqual([{ Effect: 'Allow', Action: 'a:b', Resource: '"aws"' }]);
  });

  it('renders placeholders in keys too', () => {
    const b = baseline();
    b.policies[0].document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/acct-{{AccountId}}': 'x' } } }] };
    const d = renderBaseline(b, CTX);
    expect(JSON.stringify(d.policies[0].document)).toContain('"aws:ResourceTag/acct-123456789012"');
  });

  it('throws BASELINE.INVALID on an unknown placeholder', () => {
    const b = baseline();
    b.policies[0].document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: 'arn:{{Region}}' }] };
    expect(() => renderBaseline(b, CTX)).toThrow(expect.objectContaining({ code: 'BASELINE.INVALID', message: 'unknown placeholder {{Region}}; known: AccountId, Partition' }));
  });

  it('rejects a malformed account id or partition', () => {
    expect(() => renderBaseline(baseline(), { accountId: '1234', partition: 'aws' })).toThrow(TypeError);
    expect(() => renderBaseline(baseline(), { accountId: '123456789012', partition: 'AWS"' })).toThrow(TypeError);
  });

  it('does not change the baseline it renders', () => {
    const b = baseline();
    const copy = structuredClone(b);
    renderBaseline(b, CTX);
    expect(b).toEqual(copy);
  });
});

describe('observeScope', () => {
  it('lists the declared policy, group and role names', () => {
    expect(observeScope(baseline())).toEqual({ policyNames: ['P'], groupNames: ['G'], roleNames: ['admin'] });
  });
});
