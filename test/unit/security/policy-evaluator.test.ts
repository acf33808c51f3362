import { runSimulation } from '@cloud-copilot/iam-simulate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateIdentityPolicies,
  evaluateTrustPolicy,
  type AuthorizationRequest,
  type EvaluationResult,
} from '../../../src/core/security/policy-evaluator.js';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;

function req(action: string, resource: string, context: AuthorizationRequest['context'] = {}, principal = ALICE): AuthorizationRequest {
  return { principal, action, resource, context: { 'aws:username': 'alice', ...context } };
}

function policy(...Statement: Record<string, unknown>[]) {
  return [{ name: 'p', document: { Version: '2012-10-17', Statement } }];
}

const decision = (r: EvaluationResult) => r.decision;

describe('evaluateIdentityPolicies', () => {
  it('an explicit deny beats an allow, an allow beats the implicit deny', () => {
    const allow = { Sid: 'A', Effect: 'Allow', Action: 's3:*', Resource: '*' };
    const deny = { Sid: 'D', Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' };
    expect(evaluateIdentityPolicies(policy(allow, deny), req('s3:DeleteBucket', 'arn:aws:s3:::b'))).toEqual({
      decision: 'explicitly denied',
      decidedBy: ['p/D'],
    });
    expect(evaluateIdentityPolicies(policy(allow, deny), req('s3:GetObject', 'arn:aws:s3:::b/k'))).toEqual({ decision: 'allowed', decidedBy: ['p/A'] });
    expect(decision(evaluateIdentityPolicies(policy(allow, deny), req('ec2:DescribeInstances', '*')))).toBe('implicitly denied');
    expect(decision(evaluateIdentityPolicies([], req('ec2:DescribeInstances', '*')))).toBe('implicitly denied');
  });

  it('matches actions case-insensitively with * and ? wildcards', () => {
    const p = policy({ Effect: 'Allow', Action: ['IAM:change?assword', 'iam:List*'], Resource: '*' });
    expect(decision(evaluateIdentityPolicies(p, req('iam:ChangePassword', '*')))).toBe('allowed');
    expect(decision(evaluateIdentityPolicies(p, req('iam:ListAccessKeys', '*')))).toBe('allowed');
    expect(decision(evaluateIdentityPolicies(p, req('iam:ChangePasswordPolicy', '*')))).toBe('implicitly denied');
  });

  it('matches resources case-sensitively, and a wildcard never spans an ARN colon', () => {
    const p = policy({ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::*:user/al?ce` });
    expect(decision(evaluateIdentityPolicies(p, req('iam:GetUser', ALICE)))).toBe('allowed');
    expect(decision(evaluateIdentityPolicies(p, req('iam:GetUser', `arn:aws:iam::${ACCOUNT}:user/Alice`)))).toBe('implicitly denied');
    const colon = policy({ Effect: 'Allow', Action: 'iam:GetUser', Resource: 'arn:aws:iam::1*:user/alice' });
    expect(decision(evaluateIdentityPolicies(colon, req('iam:GetUser', 'arn:aws:iam::1:x:user/alice')))).toBe('implicitly denied');
  });

  it('resolves ${aws:username}; values are literal; a missing key matches nothing unless a default is given', () => {
    const own = policy({ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` });
    expect(decision(evaluateIdentityPolicies(own, req('iam:ChangePassword', ALICE)))).toBe('allowed');
    expect(decision(evaluateIdentityPolicies(own, req('iam:ChangePassword', `arn:aws:iam::${ACCOUNT}:user/bob`)))).toBe('implicitly denied');
    const noUser: AuthorizationRequest = { principal: ALICE, action: 'iam:ChangePassword', resource: ALICE, context: {} };
    expect(decision(evaluateIdentityPolicies(own, noUser))).toBe('implicitly denied');
    const withDefault = policy({ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username, 'alice'}` });
    expect(decision(evaluateIdentityPolicies(withDefault, noUser))).toBe('allowed');
    const star = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${*}' });
    expect(decision(evaluateIdentityPolicies(star, req('s3:GetObject', 'arn:aws:s3:::b/*')))).toBe('allowed');
    expect(decision(evaluateIdentityPolicies(star, req('s3:GetObject', 'arn:aws:s3:::b/x')))).toBe('implicitly denied');
  });

  it('treats ${…} literally in version 2008-10-17 documents', () => {
    const old = [{ name: 'old', document: { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: 'arn:aws:iam::*:user/${aws:username}' }] } }];
    expect(decision(evaluateIdentityPolicies(old, req('iam:GetUser', ALICE)))).toBe('implicitly denied');
    expect(decision(evaluateIdentityPolicies(old, req('iam:GetUser', 'arn:aws:iam::1:user/${aws:username}')))).toBe('allowed');
  });

  it('supports NotAction and NotResource', () => {
    const p = policy(
      { Sid: 'NA', Effect: 'Deny', NotAction: ['iam:*'], Resource: '*' },
      { Sid: 'NR', Effect: 'Allow', Action: 'iam:*', NotResource: `arn:aws:iam::*:user/root-*` },
    );
    expect(decision(evaluateIdentityPolicies(p, req('s3:ListAllMyBuckets', '*')))).toBe('explicitly denied');
    expect(decision(evaluateIdentityPolicies(p, req('iam:GetUser', ALICE)))).toBe('allowed');
    expect(decision(evaluateIdentityPolicies(p, req('iam:GetUser', `arn:aws:iam::${ACCOUNT}:user/root-x`)))).toBe('implicitly denied');
  });

  describe('conditions', () => {
    const allowIf = (Condition: Record<string, unknown>) => policy({ Effect: 'Allow', Action: '*', Resource: '*', Condition });
    const check = (Condition: Record<string, unknown>, context: AuthorizationRequest['context']) =>
      decision(evaluateIdentityPolicies(allowIf(Condition), { principal: ALICE, action: 's3:ListAllMyBuckets', resource: '*', context }));

    it('Bool needs the key; BoolIfExists holds when it is absent', () => {
      expect(check({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, { 'aws:MultiFactorAuthPresent': 'true' })).toBe('allowed');
      expect(check({ Bool: { 'aws:MultiFactorAuthPresent': true } }, { 'aws:MultiFactorAuthPresent': 'TRUE' })).toBe('allowed');
      expect(check({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, {})).toBe('implicitly denied');
      expect(check({ Bool: { 'aws:MultiFactorAuthPresent': 'false' } }, {})).toBe('implicitly denied');
      expect(check({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, {})).toBe('allowed');
      expect(check({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, { 'aws:MultiFactorAuthPresent': 'true' })).toBe('implicitly denied');
    });

    it('matches condition keys case-insensitively', () => {
      expect(check({ StringEquals: { 'AWS:USERNAME': 'alice' } }, { 'aws:username': 'alice' })).toBe('allowed');
    });

    it('ORs the values of one key, ANDs keys and operators', () => {
      expect(check({ StringEquals: { 'aws:username': ['bob', 'alice'] } }, { 'aws:username': 'alice' })).toBe('allowed');
      const both = { StringEquals: { 'aws:username': 'alice', 'aws:PrincipalAccount': ACCOUNT }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } };
      expect(check(both, { 'aws:username': 'alice', 'aws:PrincipalAccount': ACCOUNT, 'aws:MultiFactorAuthAge': '100' })).toBe('allowed');
      expect(check(both, { 'aws:username': 'alice', 'aws:PrincipalAccount': ACCOUNT, 'aws:MultiFactorAuthAge': '7200' })).toBe('implicitly denied');
      expect(check(both, { 'aws:username': 'alice', 'aws:MultiFactorAuthAge': '100' })).toBe('implicitly denied');
    });

    it('negated operators hold when the key is absent or matches none of the values', () => {
      expect(check({ StringNotEquals: { 'aws:username': ['bob', 'carol'] } }, { 'aws:username': 'alice' })).toBe('allowed');
      expect(check({ StringNotEquals: { 'aws:username': ['bob', 'alice'] } }, { 'aws:username': 'alice' })).toBe('implicitly denied');
      expect(check({ StringNotEquals: { 'aws:username': 'bob' } }, {})).toBe('allowed');
      expect(check({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/b*' } }, { 'aws:PrincipalArn': ALICE })).toBe('allowed');
    });

    it('StringLike and ArnLike use wildcards; StringEquals does not', () => {
      expect(check({ StringLike: { 'aws:username': 'al*' } }, { 'aws:username': 'alice' })).toBe('allowed');
      expect(check({ StringEquals: { 'aws:username': 'al*' } }, { 'aws:username': 'alice' })).toBe('implicitly denied');
      expect(check({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } }, { 'aws:PrincipalArn': ALICE })).toBe('allowed');
      expect(check({ ArnEquals: { 'aws:PrincipalArn': ALICE } }, { 'aws:PrincipalArn': ALICE })).toBe('allowed');
      expect(check({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } }, { 'aws:PrincipalArn': ALICE })).toBe('implicitly denied');
    });

    it('supports policy variables in condition values', () => {
      expect(check({ StringEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` } }, { 'aws:username': 'alice', 'aws:PrincipalArn': ALICE })).toBe(
        'allowed',
      );
    });

    it('handles IfExists on any operator, Null, and multi-valued keys with ForAnyValue/ForAllValues', () => {
      expect(check({ NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '3600' } }, {})).toBe('allowed');
      expect(check({ NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': '4000' })).toBe('implicitly denied');
      expect(check({ Null: { 'aws:MultiFactorAuthAge': 'true' } }, {})).toBe('allowed');
      expect(check({ Null: { 'aws:MultiFactorAuthAge': 'false' } }, {})).toBe('implicitly denied');
      expect(check({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': ['x', 'b'] })).toBe('allowed');
      expect(check({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': ['x', 'b'] })).toBe('implicitly denied');
      expect(check({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, {})).toBe('allowed');
    });

    it('DateLessThan compares ISO dates and epoch seconds', () => {
      expect(check({ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2025-06-01T00:00:00Z' })).toBe('allowed');
      expect(check({ DateGreaterThan: { 'aws:EpochTime': '1000' } }, { 'aws:EpochTime': '999' })).toBe('implicitly denied');
    });
  });

  describe('cannot evaluate rather than guess', () => {
    it('reports unsupported operators, elements and unknown policies', () => {
      const ip = policy({ Sid: 'Ip', Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });
      const r = evaluateIdentityPolicies(ip, req('s3:ListAllMyBuckets', '*', { 'aws:SourceIp': '10.1.2.3' }));
      expect(r).toEqual({ decision: 'cannot evaluate', reason: 'p/Ip: unsupported condition operator IpAddress' });
      const principal = policy({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' });
      expect(decision(evaluateIdentityPolicies(principal, req('s3:ListAllMyBuckets', '*')))).toBe('cannot evaluate');
      expect(decision(evaluateIdentityPolicies([{ name: 'arn:aws:iam::aws:policy/Foo', document: null }], req('s3:ListAllMyBuckets', '*')))).toBe('cannot evaluate');
      const badEffect = policy({ Effect: 'allow', Action: '*', Resource: '*' });
      expect(decision(evaluateIdentityPolicies(badEffect, req('s3:ListAllMyBuckets', '*')))).toBe('cannot evaluate');
      const both = policy({ Effect: 'Allow', Action: '*', NotAction: 's3:*', Resource: '*' });
      expect(decision(evaluateIdentityPolicies(both, req('s3:ListAllMyBuckets', '*')))).toBe('cannot evaluate');
    });

    it('still answers when the unknown part cannot change the outcome', () => {
      const unknownAllow = { Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } };
      const deny = { Sid: 'D', Effect: 'Deny', Action: 's3:*', Resource: '*' };
      expect(decision(evaluateIdentityPolicies(policy(unknownAllow, deny), req('s3:ListAllMyBuckets', '*')))).toBe('explicitly denied');
      // An unknown condition on a statement whose action does not match is irrelevant.
      expect(decision(evaluateIdentityPolicies(policy({ ...unknownAllow, Action: 'ec2:*' }), req('s3:ListAllMyBuckets', '*')))).toBe('implicitly denied');
      const allow = { Sid: 'A', Effect: 'Allow', Action: 's3:*', Resource: '*' };
      expect(decision(evaluateIdentityPolicies(policy(unknownAllow, allow), req('s3:ListAllMyBuckets', '*')))).toBe('allowed');
      const unknownDeny = { ...unknownAllow, Effect: 'Deny' };
      expect(decision(evaluateIdentityPolicies(policy(unknownDeny, allow), req('s3:ListAllMyBuckets', '*')))).toBe('cannot evaluate');
    });
  });
});

describe('evaluateTrustPolicy', () => {
  const trust = (Principal: unknown, Condition?: Record<string, unknown>) => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal, Action: 'sts:AssumeRole', ...(Condition ? { Condition } : {}) }],
  });
  const assume = (principal: string, context: AuthorizationRequest['context'] = {}) => ({
    principal,
    action: 'sts:AssumeRole',
    resource: `arn:aws:iam::${ACCOUNT}:role/admin`,
    context,
  });

  it('an account root ARN or account id stands for every principal of that account', () => {
    expect(decision(evaluateTrustPolicy(trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), assume(ALICE)))).toBe('allowed');
    expect(decision(evaluateTrustPolicy(trust({ AWS: ACCOUNT }), assume(`arn:aws:sts::${ACCOUNT}:assumed-role/r/s`)))).toBe('allowed');
    expect(decision(evaluateTrustPolicy(trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), assume('arn:aws:iam::999999999999:user/alice')))).toBe('implicitly denied');
    expect(decision(evaluateTrustPolicy(trust({ AWS: `arn:aws-cn:iam::${ACCOUNT}:root` }), assume(ALICE)))).toBe('implicitly denied');
  });

  it('an exact principal ARN matches that principal (and a role its sessions) only', () => {
    expect(decision(evaluateTrustPolicy(trust({ AWS: [ALICE] }), assume(ALICE)))).toBe('allowed');
    expect(decision(evaluateTrustPolicy(trust({ AWS: [ALICE] }), assume(`arn:aws:iam::${ACCOUNT}:user/bob`)))).toBe('implicitly denied');
    expect(decision(evaluateTrustPolicy(trust({ AWS: `arn:aws:iam::${ACCOUNT}:role/path/hub` }), assume(`arn:aws:sts::${ACCOUNT}:assumed-role/hub/s1`)))).toBe('allowed');
    expect(decision(evaluateTrustPolicy(trust({ Service: 'ec2.amazonaws.com' }), assume(ALICE)))).toBe('implicitly denied');
    expect(decision(evaluateTrustPolicy(trust('*'), assume(ALICE)))).toBe('allowed');
  });

  it('applies conditions, and reports what it cannot judge', () => {
    const mfa = trust({ AWS: ACCOUNT }, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
    expect(decision(evaluateTrustPolicy(mfa, assume(ALICE, { 'aws:MultiFactorAuthPresent': 'true' })))).toBe('allowed');
    expect(decision(evaluateTrustPolicy(mfa, assume(ALICE)))).toBe('implicitly denied');
    const ext = trust({ AWS: ACCOUNT }, { StringEquals: { 'sts:ExternalId': 'x-123' } });
    expect(decision(evaluateTrustPolicy(ext, assume(ALICE, { 'sts:ExternalId': 'x-123' })))).toBe('allowed');
    expect(decision(evaluateTrustPolicy(ext, assume(ALICE)))).toBe('implicitly denied');
    expect(decision(evaluateTrustPolicy(trust({ AWS: 'arn:aws:iam::*:root' }), assume(ALICE)))).toBe('cannot evaluate');
    expect(decision(evaluateTrustPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotPrincipal: { AWS: ALICE }, Action: 'sts:AssumeRole' }] }, assume(ALICE)))).toBe(
      'cannot evaluate',
    );
  });
});

/**
 * Random identity policies over a small vocabulary, judged by both evaluators. Any
 * disagreement is a bug in ours (or a documented divergence to add to the list above).
 */
describe('agrees with iam-simulate on random policies', () => {
  const actions = ['*', 'iam:*', 'iam:ChangePassword', 'iam:Create*', 'iam:?hangePassword', 's3:ListAllMyBuckets', 's3:*', 'ec2:Describe*'];
  const resources = ['*', `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`, 'arn:aws:iam::*:user/*', `arn:aws:iam::${ACCOUNT}:user/b?b`, 'arn:aws:iam::*:mfa/*'];
  const conditions: (Record<string, unknown> | undefined)[] = [
    undefined,
    { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
    { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } },
    { StringEquals: { 'aws:username': ['alice', 'carol'] } },
    { StringNotEquals: { 'aws:username': 'alice' } },
    { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/a*' } },
    { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/*` } },
    { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
    { NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '60' } },
    { Null: { 'aws:MultiFactorAuthAge': 'true' } },
  ];
  const statement = fc.record({
    Effect: fc.constantFrom('Allow', 'Deny'),
    not: fc.boolean(),
    actions: fc.uniqueArray(fc.constantFrom(...actions), { minLength: 1, maxLength: 3 }),
    notResource: fc.boolean(),
    resources: fc.uniqueArray(fc.constantFrom(...resources), { minLength: 1, maxLength: 2 }),
    condition: fc.constantFrom(...conditions),
  });
  const request = fc.record({
    user: fc.constantFrom('alice', 'bob'),
    call: fc.constantFrom(
      ['iam:ChangePassword', 'user/alice'],
      ['iam:ChangePassword', 'user/bob'],
      ['iam:CreateAccessKey', 'user/alice'],
      ['iam:CreateVirtualMFADevice', 'mfa/phone'],
      ['s3:ListAllMyBuckets', '*'],
      ['ec2:DescribeInstances', '*'],
    ),
    mfa: fc.constantFrom<(string | undefined)[]>(undefined, 'true', 'false'),
    age: fc.constantFrom<(string | undefined)[]>(undefined, '30', '7200'),
  });

  it('on 150 random policy/request pairs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(statement, { minLength: 1, maxLength: 4 }), request, async (sts, r) => {
        const Statement = sts.map((s) => ({
          Effect: s.Effect,
          [s.not ? 'NotAction' : 'Action']: s.actions,
          [s.notResource ? 'NotResource' : 'Resource']: s.resources,
          ...(s.condition ? { Condition: s.condition } : {}),
        }));
        const document = { Version: '2012-10-17', Statement };
        const principal = `arn:aws:iam::${ACCOUNT}:user/${r.user}`;
        const resource = r.call[1] === '*' ? '*' : `arn:aws:iam::${ACCOUNT}:${r.call[1]}`;
        const context: Record<string, string> = { 'aws:username': r.user, 'aws:PrincipalArn': principal };
        if (r.mfa !== undefined) context['aws:MultiFactorAuthPresent'] = r.mfa;
        if (r.age !== undefined) context['aws:MultiFactorAuthAge'] = r.age;
        const ours = evaluateIdentityPolicies([{ name: 'p', document }], { principal, action: r.call[0], resource, context });
        const theirs = await runSimulation(
          {
            request: { principal, action: r.call[0], resource: { resource, accountId: ACCOUNT }, contextVariables: context },
            identityPolicies: [{ name: 'p', policy: document }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
          },
          {},
        );
        if (theirs.resultType === 'error') throw new Error(JSON.stringify(theirs.errors));
        const expected = { Allowed: 'allowed', ExplicitlyDenied: 'explicitly denied', ImplicitlyDenied: 'implicitly denied' }[theirs.overallResult];
        expect({ ours: ours.decision, document, r }).toEqual({ ours: expected, document, r });
      }),
      { numRuns: 150, seed: 20240601 },
    );
  });
});
