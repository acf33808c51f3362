/**
 * The AWS-compatible sandbox: Organizations (JSON 1.1), STS and IAM (query protocol) on
 * one HTTP endpoint, so unmodified SDK clients reach it through AWS_ENDPOINT_URL.
 */
import type { AddressInfo } from 'node:net';
import { DomainError } from '../core/errors.js';
import { SimError } from './protocol.js';
import { IamWorld } from './iam/index.js';
import { CredentialStore } from './credentials.js';
import { FaultInjector, validateFaults, type FaultOptions } from './faults.js';
import { loadOrgFile, validateOrgDescription } from './org/description.js';
import { generateOrganization } from './org/generate.js';
import { SimOrganization } from './org/organization.js';
import { resolveOptions, type SimulatorOptions } from './options.js';
import { createSimulatorServer } from './server.js';
import { StatsCollector, type SimStats } from './stats.js';

export type { SimulatorOptions } from './options.js';
export type { FaultOptions, FaultProfile, ScriptedFault, SimService, ThrottleOptions } from './faults.js';
export type { SimStats, OutcomeCounts } from './stats.js';
export type { OrgDescription, AccountDescription, OuDescription } from './org/description.js';
export type { SimAccount, SimOu } from './org/organization.js';
export { SimOrganization, MEMBER_ROLE_NAME } from './org/organization.js';
export { generateOrganization, type GenerateOptions } from './org/generate.js';
export { loadOrgFile, validateOrgDescription } from './org/description.js';
export { validateFaults } from './faults.js';

export interface RunningSimulator {
  /** `http://HOST:PORT`, for AWS_ENDPOINT_URL. */
  endpoint: string;
  port: number;
  managementAccountId: string;
  /** Member accounts (the management account not counted). */
  accounts: number;
  org: SimOrganization;
  iam: IamWorld;
  stats(): SimStats;
  resetStats(): void;
  /** Changes faults at run time: top-level fields replace, `services` merge, `scripted` replaces. */
  setFaults(f: Partial<FaultOptions>): void;
  faults(): FaultOptions;
  close(): Promise<void>;
}

/** Starts the simulator; rejects with DomainError CONFIG.INVALID on bad options or org file. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const resolved = resolveOptions(options);
  const description = options.org
    ? validateOrgDescription(options.org, 'org')
    : options.orgFile
      ? loadOrgFile(options.orgFile)
      : generateOrganization({ accounts: resolved.accounts ?? 25, seed: resolved.seed });
  const org = new SimOrganization(description, resolved.partition);
  const now = options.clock ?? Date.now;
  const iam = new IamWorld({ partition: resolved.partition, clock: () => new Date(now()) });
  for (const [accountId, seed] of org.iamSeeds()) {
    try {
      iam.seed(accountId, seed);
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      throw new DomainError('CONFIG.INVALID', `org: IAM objects of account ${accountId}: ${e.code}: ${e.message}`, { accountId });
    }
  }

  const stats = new StatsCollector();
  const faults = new FaultInjector(resolved.faults, resolved.seed);
  const server = createSimulatorServer({
    org,
    iam,
    credentials: new CredentialStore(),
    faults,
    stats,
    now,
    credentialTtlSeconds: resolved.credentialTtlSeconds,
    emptyPageEvery: resolved.emptyPageEvery,
    logger: options.logger,
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      const why = e.code === 'EADDRINUSE' ? 'is in use' : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' ? 'is not an address of this host' : `cannot be used (${e.code ?? e.message})`;
      reject(new DomainError('CONFIG.INVALID', `simulator: ${resolved.host}:${resolved.port} ${why}`, { port: resolved.port, host: resolved.host }));
    };
    server.once('error', onError);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  let closing: Promise<void> | undefined;

  return {
    endpoint: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    managementAccountId: org.managementAccount.id,
    accounts: org.memberCount,
    org,
    iam,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    setFaults: (f) => {
      try {
        faults.update(validateFaults(f));
      } catch (e) {
        throw new DomainError('CONFIG.INVALID', `simulator faults: ${(e as Error).message}`);
      }
    },
    faults: () => faults.current,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets of SDK clients would hold close() open for a minute.
        server.closeAllConnections();
      })),
  };
}
