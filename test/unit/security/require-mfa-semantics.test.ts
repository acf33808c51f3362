/**
 * Proves the force-MFA baseline's semantics with an independent IAM evaluator
 * (@cloud-copilot/iam-simulate, AGPL, dev-only), over the shared table of expectations,
 * and checks that the runtime evaluator agrees with it on every row.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import {
  BROAD_OTHER_PERMISSIONS,
  MFA_EXPECTATIONS,
  evaluateExpectation,
  identityPoliciesFor,
  requestFor,
  type ExpectedDecision,
  type MfaExpectation,
  type MfaPolicies,
  type MfaRequestContext,
} from '../../../src/core/security/mfa-expectations.js';
import { renderSampleBaseline, SAMPLE } from './sample-baseline.js';

const desired = renderSampleBaseline();
const group = (name: string) => desired.groups.find((g) => g.name === name)!;
const byArn = (arn: string) => desired.policies.find((p) => p.arn === arn)!;
const policies: MfaPolicies = {
  users: group('Users').managedPolicyArns.map((arn) => ({ name: byArn(arn).name, document: byArn(arn).document })),
  administrators: group('Administrators').inlinePolicies.map((p) => ({ name: p.name, document: p.document })),
  adminTrust: desired.roles.find((r) => r.name === 'admin')!.trustPolicy,
};
const ctx: MfaRequestContext = { ...SAMPLE, adminRoleArn: `arn:aws:iam::${SAMPLE.accountId}:role/admin` };

const SIMULATE_RESULT: Record<string, ExpectedDecision> = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicitly denied',
  ImplicitlyDenied: 'implicitly denied',
};

async function simulate(row: MfaExpectation): Promise<ExpectedDecision> {
  const request = requestFor(row, ctx);
  const resourceAccount = request.resource === '*' ? SAMPLE.accountId : request.resource.split(':')[4] || SAMPLE.accountId;
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables: request.context,
    },
    // Trust side: the caller's identity allows everything, so the trust policy alone decides.
    identityPolicies: (row.side === 'trust' ? [BROAD_OTHER_PERMISSIONS] : identityPoliciesFor(row.policies!, policies)).map((p) => ({
      name: p.name,
      policy: p.document,
    })),
    resourcePolicy: row.side === 'trust' ? policies.adminTrust : undefined,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') throw new Error(`iam-simulate rejected "${row.expectation}": ${JSON.stringify(response.errors)}`);
  return SIMULATE_RESULT[response.overallResult];
}

describe('force-MFA baseline semantics (iam-simulate)', () => {
  it('has a matrix of at least 40 distinct requests covering every session kind, caller and side', () => {
    expect(MFA_EXPECTATIONS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(MFA_EXPECTATIONS.map((r) => r.expectation)).size).toBe(MFA_EXPECTATIONS.length);
    const keys = MFA_EXPECTATIONS.map((r) => JSON.stringify([r.side, r.policies, r.caller, r.session, r.action, r.resource]));
    expect(new Set(keys).size).toBe(MFA_EXPECTATIONS.length);
    expect(new Set(MFA_EXPECTATIONS.map((r) => r.session))).toEqual(
      new Set(['console-without-mfa', 'console-with-mfa', 'access-keys', 'session-token-with-mfa', 'session-token-without-mfa']),
    );
    expect(new Set(MFA_EXPECTATIONS.map((r) => r.expect))).toEqual(new Set(['allowed', 'explicitly denied', 'implicitly denied']));
    expect(MFA_EXPECTATIONS.filter((r) => r.side === 'trust').length).toBeGreaterThanOrEqual(4);
  });

  it('renders account-scoped documents with no placeholder left', () => {
    const text = JSON.stringify(desired);
    expect(text).not.toMatch(/\{\{/);
    expect(text).toContain(`arn:aws:iam::${SAMPLE.accountId}:user/\${aws:username}`);
  });

  for (const row of MFA_EXPECTATIONS) {
    it(`${row.expectation} → ${row.expect}`, async () => {
      expect(await simulate(row)).toBe(row.expect);
    });
  }
});

describe('the runtime evaluator agrees with iam-simulate', () => {
  for (const row of MFA_EXPECTATIONS) {
    it(`${row.expectation}`, async () => {
      const ours = evaluateExpectation(row, policies, ctx);
      expect(ours.decision).toBe(await simulate(row));
    });
  }
});
