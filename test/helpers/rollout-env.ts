/**
 * A simulated organization plus a composed application over it (real SDK clients over
 * HTTP, a real SQLite store in a temporary folder).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig, type ConfigInput } from '../../src/config.js';
import { compose, type AppContext } from '../../src/compose.js';
import type { OrgDescription } from '../../src/simulator/org/description.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { REDACT_PATHS } from '../../src/logger.js';

export const MGMT_ID = '111111111111';

/** 12 member accounts: 9 plain, one suspended, one closed, one invited without the member role. */
export function smallOrg(): OrgDescription {
  const accounts = Array.from({ length: 12 }, (_, i) => ({
    id: String(200000000000 + i),
    name: `member-${i}`,
    ou: i < 6 ? 'Workloads/Prod' : 'Workloads/Dev',
    tags: { env: i < 6 ? 'prod' : 'dev' },
  })) as OrgDescription['accounts'];
  accounts[9] = { ...accounts[9], state: 'SUSPENDED' };
  accounts[10] = { ...accounts[10], state: 'CLOSED' };
  accounts[11] = { ...accounts[11], joinedMethod: 'INVITED', missingRole: true };
  return {
    managementAccount: { id: MGMT_ID, name: 'management' },
    ous: [{ name: 'Workloads', children: [{ name: 'Prod' }, { name: 'Dev' }] }],
    accounts,
  };
}

export interface RolloutEnv {
  sim: RunningSimulator;
  ctx: AppContext;
  dir: string;
  /** A copy of config/ the test may edit. */
  baselinePath: string;
  logLines: string[];
  close(): Promise<void>;
}

export async function startRolloutEnv(sim: Partial<SimulatorOptions> = {}, env: ConfigInput = {}): Promise<RolloutEnv> {
  const simulator = await startSimulator({ port: 0, ...sim });
  const dir = mkdtempSync(join(tmpdir(), 'oir-it-'));
  cpSync('config', join(dir, 'config'), { recursive: true });
  const baselinePath = join(dir, 'config', 'baseline.json');
  const config = loadConfig({}, { STORE_URL: `sqlite:${join(dir, 'rollouts.db')}`, ROLLOUT_BASELINE: baselinePath, ROLLOUT_FAILURE_TOLERANCE: '100%', LOG_LEVEL: 'debug', ...env });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  const ctx = await compose(config, {
    logger,
    endpoint: simulator.endpoint,
    credentials: { accessKeyId: 'AKIAMANAGEMENTKEY01', secretAccessKey: 'management-secret-value' },
  });
  return {
    sim: simulator,
    ctx,
    dir,
    baselinePath,
    logLines,
    async close() {
      await ctx.close();
      await simulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
