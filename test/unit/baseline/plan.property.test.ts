import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentsEqual, plan, policyArn } from '../../../src/core/baseline/index.js';
import type {
  DesiredState,
  ObservedPolicy,
  ObservedRole,
  ObservedState,
  PolicyDocument,
} from '../../../src/core/model.js';
import { applyChanges } from './iam-model.js';

const CTX = { accountId: '111122223333', partition: 'aws' };
const POLICY_NAMES = ['P1', 'P2', 'constructor'];
const GROUP_NAMES = ['G1', 'G2'];
const ROLE_NAMES = ['R1', 'R2'];
const INLINE_NAMES = ['i1', 'i2', 'i3'];
const AWS_ARNS = ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::999988887777:policy/Foreign'];
// At most 6 distinct ARNs exist, so the 10-attachment quota never decides the outcome here (plan.test.ts covers it).
const ALL_ARNS = [...AWS_ARNS, ...POLICY_NAMES.map((n) => policyArn(CTX, '/', n))];

const stmt = (action: string) => ({ Effect: 'Allow', Action: action, Resource: '*' });
const DOCS: PolicyDocument[] = [
  { Version: '2012-10-17', Statement: [stmt('s3:GetObject')] },
  { Statement: [{ Resource: '*', Action: 's3:GetObject', Effect: 'Allow' }], Version: '2012-10-17' }, // same as DOCS[0], keys reordered
  { Version: '2012-10-17', Statement: [stmt('s3:PutObject')] },
  { Version: '2012-10-17', Statement: [stmt('iam:*'), stmt('ec2:*')] },
];
const TRUSTS: PolicyDocument[] = ['111122223333', '444455556666'].map((a) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${a}:root` }, Action: 'sts:AssumeRole' }],
}));

const docArb = fc.constantFrom(...DOCS);
const inlineArb = fc.uniqueArray(fc.record({ name: fc.constantFrom(...INLINE_NAMES), document: docArb }), { selector: (p) => p.name, maxLength: 3 });
const subset = <T>(items: T[]) => fc.subarray(items);
const shuffled = <T>(items: T[]) => fc.shuffledSubarray(items);

const desiredArb: fc.Arbitrary<DesiredState> = subset(POLICY_NAMES).chain((policyNames) => {
  const arns = [...AWS_ARNS, ...policyNames.map((n) => policyArn(CTX, '/', n))];
  return fc.record({
    policies: fc.tuple(...policyNames.map((name) => docArb.map((document) => ({ name, path: '/', arn: policyArn(CTX, '/', name), document })))),
    groups: subset(GROUP_NAMES).chain((names) =>
      fc.tuple(...names.map((name) => fc.record({ name: fc.constant(name), path: fc.constant('/'), managedPolicyArns: shuffled(arns), inlinePolicies: inlineArb, exclusive: fc.boolean() }))),
    ),
    roles: subset(ROLE_NAMES).chain((names) =>
      fc.tuple(
        ...names.map((name) =>
          fc.record(
            {
              name: fc.constant(name),
              path: fc.constant('/'),
              description: fc.constantFrom('admin', 'ops'),
              maxSessionDuration: fc.constantFrom(3600, 7200, 43200),
              trustPolicy: fc.constantFrom(...TRUSTS),
              managedPolicyArns: shuffled(arns),
              inlinePolicies: inlineArb,
              exclusive: fc.boolean(),
            },
            { requiredKeys: ['name', 'path', 'trustPolicy', 'managedPolicyArns', 'inlinePolicies', 'exclusive'] },
          ),
        ),
      ),
    ),
  });
});

// 1 to 5 versions with distinct ids, dates that may tie, exactly one default.
const policyArb = (name: string): fc.Arbitrary<ObservedPolicy> =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 })
    .chain((ids) =>
      fc.record({
        versions: fc.tuple(...ids.map((n) => fc.record({ n: fc.constant(n), day: fc.integer({ min: 1, max: 4 }), document: docArb }))),
        defaultIndex: fc.nat({ max: ids.length - 1 }),
      }),
    )
    .map(({ versions, defaultIndex }) => ({
      name,
      path: '/',
      arn: policyArn(CTX, '/', name),
      defaultVersionId: `v${versions[defaultIndex].n}`,
      versions: versions.map((v, i) => ({ versionId: `v${v.n}`, isDefault: i === defaultIndex, document: v.document, createDate: `2024-01-0${v.day}T00:00:00Z` })),
    }));

const roleArb = (name: string): fc.Arbitrary<ObservedRole> =>
  fc.record(
    {
      name: fc.constant(name),
      path: fc.constant('/'),
      arn: fc.constant(`arn:aws:iam::${CTX.accountId}:role/${name}`),
      description: fc.constantFrom('admin', 'ops', ''),
      maxSessionDuration: fc.constantFrom(3600, 7200),
      trustPolicy: fc.constantFrom(...TRUSTS),
      managedPolicyArns: shuffled(ALL_ARNS),
      inlinePolicies: inlineArb,
      tags: fc.constantFrom<Record<string, string>>({}, { 'managed-by': 'org-iam-rollout' }, { 'managed-by': 'terraform' }, { owner: 'x' }),
    },
    { requiredKeys: ['name', 'path', 'arn', 'trustPolicy', 'managedPolicyArns', 'inlinePolicies', 'tags'] },
  );

const optionalEach = <T>(names: string[], arb: (name: string) => fc.Arbitrary<T>): fc.Arbitrary<Record<string, T>> =>
  fc.tuple(...names.map((n) => fc.option(arb(n), { nil: undefined }))).map((values) => {
    const out: Record<string, T> = {};
    values.forEach((v, i) => {
      if (v !== undefined) out[names[i]] = v;
    });
    return out;
  });

const observedArb: fc.Arbitrary<ObservedState> = fc.record({
  policies: optionalEach(POLICY_NAMES, policyArb),
  groups: optionalEach(GROUP_NAMES, (name) =>
    fc.record({ name: fc.constant(name), path: fc.constant('/'), arn: fc.constant(`arn:aws:iam::${CTX.accountId}:group/${name}`), managedPolicyArns: shuffled(ALL_ARNS), inlinePolicies: inlineArb }),
  ),
  roles: optionalEach(ROLE_NAMES, roleArb),
});

/** The same state with every list and record in reverse order: what a different observe() might return. */
function reversed(o: ObservedState): ObservedState {
  const rev = <T>(r: Record<string, T>, f: (v: T) => T) => Object.fromEntries(Object.entries(r).reverse().map(([k, v]) => [k, f(v)]));
  return {
    policies: rev(o.policies, (p) => ({ ...p, versions: [...p.versions].reverse() })),
    groups: rev(o.groups, (g) => ({ ...g, managedPolicyArns: [...g.managedPolicyArns].reverse(), inlinePolicies: [...g.inlinePolicies].reverse() })),
    roles: rev(o.roles, (r) => ({ ...r, managedPolicyArns: [...r.managedPolicyArns].reverse(), inlinePolicies: [...r.inlinePolicies].reverse() })),
  };
}

/** Checks the state against the desired state without the planner, so a planner that skips something cannot agree with itself. */
function expectSatisfies(state: ObservedState, desired: DesiredState): void {
  for (const p of desired.policies) {
    const o = state.policies[p.name];
    expect(o, `policy ${p.name}`).toBeDefined();
    const current = o.versions.find((v) => v.versionId === o.defaultVersionId);
    expect(documentsEqual(current?.document, p.document), `policy ${p.name} default document`).toBe(true);
  }
  const holder = (
    what: string,
    o: { managedPolicyArns: string[]; inlinePolicies: { name: string; document: PolicyDocument }[] } | undefined,
    d: { managedPolicyArns: string[]; inlinePolicies: { name: string; document: PolicyDocument }[]; exclusive: boolean },
  ) => {
    expect(o, what).toBeDefined();
    if (!o) return;
    for (const arn of d.managedPolicyArns) expect(o.managedPolicyArns, `${what} attachments`).toContain(arn);
    for (const ip of d.inlinePolicies) {
      expect(documentsEqual(o.inlinePolicies.find((x) => x.name === ip.name)?.document, ip.document), `${what} inline ${ip.name}`).toBe(true);
    }
    if (d.exclusive) {
      expect([...o.managedPolicyArns].sort(), `${what} exclusive attachments`).toEqual([...d.managedPolicyArns].sort());
      expect(o.inlinePolicies.map((x) => x.name).sort(), `${what} exclusive inline`).toEqual(d.inlinePolicies.map((x) => x.name).sort());
    }
  };
  for (const g of desired.groups) holder(`group ${g.name}`, state.groups[g.name], g);
  for (const r of desired.roles) {
    const o = state.roles[r.name];
    holder(`role ${r.name}`, o, r);
    expect(documentsEqual(o.trustPolicy, r.trustPolicy), `role ${r.name} trust`).toBe(true);
    if (r.description !== undefined) expect(o.description).toBe(r.description);
    if (r.maxSessionDuration !== undefined) expect(o.maxSessionDuration ?? 3600).toBe(r.maxSessionDuration);
    expect(o.tags['managed-by']).toBe('org-iam-rollout');
  }
}

describe('plan (properties)', () => {
  it('converges in one pass: applying the plan to any observed state leaves nothing to plan', () => {
    fc.assert(
      fc.property(desiredArb, observedArb, (desired, observed) => {
        const after = applyChanges(observed, plan(desired, observed), CTX);
        expectSatisfies(after, desired);
        expect(plan(desired, after)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('never leaves a policy with more than 5 versions, at any step', () => {
    fc.assert(
      fc.property(desiredArb, observedArb, (desired, observed) => {
        const changes = plan(desired, observed);
        let state = observed;
        for (const change of changes) {
          // The model refuses a sixth version, so a bad order throws here.
          state = applyChanges(state, [change], CTX);
          for (const p of Object.values(state.policies)) expect(p.versions.length).toBeLessThanOrEqual(5);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: same inputs, cloned inputs or differently ordered observations give the same plan', () => {
    fc.assert(
      fc.property(desiredArb, observedArb, (desired, observed) => {
        const first = plan(desired, observed);
        expect(plan(desired, observed)).toEqual(first);
        expect(plan(structuredClone(desired), structuredClone(observed))).toEqual(first);
        expect(plan(desired, reversed(observed))).toEqual(first);
      }),
      { numRuns: 300 },
    );
  });

  it('does not change its inputs', () => {
    fc.assert(
      fc.property(desiredArb, observedArb, (desired, observed) => {
        const d = structuredClone(desired);
        const o = structuredClone(observed);
        plan(desired, observed, { tags: { team: 'x' } });
        expect(desired).toEqual(d);
        expect(observed).toEqual(o);
      }),
      { numRuns: 100 },
    );
  });
});
