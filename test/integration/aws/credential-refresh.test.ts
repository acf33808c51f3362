import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallCounter, ObserveScope } from '../../../src/core/ports.js';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';
import { adapters, member, org45, type Harness } from './helpers.js';

// One clock for the simulator (credential expiry) and the adapters (refresh timing), moved by hand.
let now = Date.now();
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, org: org45(), credentialTtlSeconds: 900, clock: () => now });
});

afterAll(async () => {
  await sim?.close();
});

const SCOPE: ObserveScope = { policyNames: [], groupNames: ['Users'], roleNames: [] };
const counter = (): CallCounter => ({ reads: 0, writes: 0 });
const assumeRoles = () => sim.stats().operations['sts:AssumeRole']?.total ?? 0;

describe('assumed-role credentials over a long rollout', () => {
  let h: Harness;
  afterAll(() => h?.aws.close());

  it('are reused while fresh and refreshed before they expire', async () => {
    h = adapters(sim.endpoint, { clock: { now: () => new Date(now) } });
    sim.resetStats();
    const calls = counter();
    const iam = await h.aws.access.open(member(1), { rolloutId: 'r-long', calls });
    await iam.observe(SCOPE);
    expect(assumeRoles()).toBe(1);

    now += 600_000; // 10 of 15 minutes: still fresh
    await iam.observe(SCOPE);
    expect(assumeRoles()).toBe(1);

    now += 400_000; // past expiry
    await iam.observe(SCOPE);
    expect(assumeRoles()).toBe(2);
    expect(sim.stats().errorCodes.ExpiredToken ?? 0).toBe(0);
    // AssumeRole twice, three observes of one page each.
    expect(calls).toEqual({ reads: 5, writes: 0 });

    // Each refresh happens once however many calls need it.
    now += 1_000_000;
    await Promise.all([iam.observe(SCOPE), iam.observe(SCOPE), iam.observe(SCOPE)]);
    expect(assumeRoles()).toBe(3);
  });

  it('would fail with ExpiredToken without the refresh (control: the adapters’ clock lags)', async () => {
    const frozen = now;
    const lagging = adapters(sim.endpoint, { clock: { now: () => new Date(frozen) } });
    try {
      const iam = await lagging.aws.access.open(member(2), { rolloutId: 'r-lag', calls: counter() });
      now += 1_000_000;
      const err = await iam.observe(SCOPE).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'AWS.CALL_FAILED', awsCode: 'ExpiredToken' });
    } finally {
      lagging.aws.close();
    }
  });
});
