import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallCounter, ObserveScope } from '../../../src/core/ports.js';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';
import { adapters, collect, MANAGEMENT, member, org45, type Harness } from './helpers.js';

let sim: RunningSimulator;
const harnesses: Harness[] = [];

beforeAll(async () => {
  sim = await startSimulator({ port: 0, org: org45(), seed: 7 });
});

afterEach(() => {
  sim.setFaults({ dropRate: 0, services: { iam: { dropRate: 0 } }, scripted: [] });
});

afterAll(async () => {
  for (const h of harnesses) h.aws.close();
  delete process.env.AWS_ENDPOINT_URL;
  await sim?.close();
});

const SCOPE: ObserveScope = { policyNames: [], groupNames: ['Users'], roleNames: [] };
const counter = (): CallCounter => ({ reads: 0, writes: 0 });

describe('endpoints', () => {
  it('honours the SDK’s own AWS_ENDPOINT_URL when no endpoint is given', async () => {
    process.env.AWS_ENDPOINT_URL = sim.endpoint;
    const h = adapters(sim.endpoint, { endpoint: undefined, env: process.env });
    harnesses.push(h);
    expect((await h.aws.directory.whoAmI()).accountId).toBe(MANAGEMENT);
    expect(await collect(h.aws.directory.listAccounts())).toHaveLength(46);
    const iam = await h.aws.access.open(member(1), { rolloutId: 'r-env', calls: counter() });
    expect(await iam.observe(SCOPE)).toEqual({ policies: {}, groups: {}, roles: {} });
  });
});

describe('network failures', () => {
  it('retries dropped connections (socket hang up / ECONNRESET) until the call gets through', async () => {
    const h = adapters(sim.endpoint, {}, { ROLLOUT_MAX_ATTEMPTS: '12' });
    harnesses.push(h);
    const calls = counter();
    const iam = await h.aws.access.open(member(2), { rolloutId: 'r-drop', calls });
    sim.resetStats();
    sim.setFaults({ services: { iam: { dropRate: 0.4 } } });
    for (let i = 0; i < 8; i++) expect(await iam.observe(SCOPE)).toEqual({ policies: {}, groups: {}, roles: {} });
    const gaad = sim.stats().operations['iam:GetAccountAuthorizationDetails'];
    expect(gaad.dropped).toBeGreaterThan(0);
    expect(gaad.ok).toBe(8);
    // Every attempt that reached AWS is counted, dropped ones included.
    expect(calls.reads).toBe(1 + gaad.total);
    expect(h.telemetry.filter(([, , outcome]) => outcome === 'error').length).toBe(gaad.dropped);
  });

  it('never puts credentials in messages or logs', async () => {
    const h = adapters(sim.endpoint, {}, { ROLLOUT_MAX_ATTEMPTS: '2' });
    harnesses.push(h);
    sim.setFaults({ scripted: [{ service: 'iam', code: 'InvalidClientTokenId', status: 403, message: 'token ASIAEXAMPLEKEY1234567 with secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY is invalid' }] });
    const iam = await h.aws.access.open(member(3), { rolloutId: 'r-secret', calls: counter() });
    const err = (await iam.observe(SCOPE).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'AWS.CALL_FAILED', awsCode: 'InvalidClientTokenId' });
    expect(err.message).not.toContain('ASIAEXAMPLEKEY1234567');
    expect(err.message).not.toContain('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    const log = h.logText();
    expect(log).not.toContain('management-secret-key-example');
    expect(log).not.toMatch(/SecretAccessKey|sessionToken|secretAccessKey/);
  });
});
