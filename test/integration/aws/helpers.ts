/**
 * Shared set-up of the AWS adapter integration suites: a simulator on port 0, the adapters
 * pointed at it through the real SDK over HTTP, and a log sink read back as JSON lines.
 */
import { Writable } from 'node:stream';
import { loadConfig, type ConfigInput } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { createAwsAdapters, type AwsAdapterOptions, type AwsAdapters, type AwsService } from '../../../src/aws/index.js';
import type { Telemetry } from '../../../src/core/ports.js';
import type { OrgDescription } from '../../../src/simulator/index.js';

export const MANAGEMENT = '900000000000';

/** 45 members: OUs nested three deep, tags, two suspended or closed, one invited without the member role. */
export function org45(): OrgDescription {
  const accounts: OrgDescription['accounts'] = [];
  for (let i = 1; i <= 45; i++) {
    const id = String(100000000000 + i);
    const ou = i <= 10 ? 'Workloads/Prod' : i <= 20 ? 'Workloads/NonProd/Dev' : i <= 25 ? 'Workloads/NonProd' : i <= 35 ? 'Sandbox' : undefined;
    accounts.push({
      id,
      name: `member-${i}`,
      email: `member-${i}@example.com`,
      ...(ou ? { ou } : {}),
      ...(i % 5 === 0 ? { tags: { env: i <= 25 ? 'prod' : 'sandbox', team: `t${i}` } } : {}),
      ...(i === 44 ? { state: 'SUSPENDED' as const } : {}),
      ...(i === 45 ? { state: 'CLOSED' as const } : {}),
      ...(i === 43 ? { missingRole: true, joinedMethod: 'INVITED' as const } : {}),
    });
  }
  return {
    managementAccount: { id: MANAGEMENT, name: 'management' },
    ous: [{ name: 'Workloads', children: [{ name: 'Prod' }, { name: 'NonProd', children: [{ name: 'Dev' }] }] }, { name: 'Sandbox' }],
    accounts,
  };
}

export const member = (i: number): string => String(100000000000 + i);

export function testConfig(overrides: ConfigInput = {}) {
  return loadConfig({}, { ROLLOUT_MAX_ATTEMPTS: '5', LOG_LEVEL: 'debug', ...overrides });
}

export interface Harness {
  aws: AwsAdapters;
  logLines(): Record<string, unknown>[];
  logText(): string;
  throttled: AwsService[];
  telemetry: [string, string, string][];
}

export function adapters(endpoint: string, extra: Partial<AwsAdapterOptions> = {}, configOverrides: ConfigInput = {}): Harness {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString('utf8');
      cb();
    },
  });
  const throttled: AwsService[] = [];
  const telemetryCalls: [string, string, string][] = [];
  const telemetry: Telemetry = {
    awsCall: (s, o, outcome) => void telemetryCalls.push([s, o, outcome]),
    accountStarted() {},
    accountFinished() {},
    rolloutFinished() {},
  };
  const aws = createAwsAdapters({
    config: testConfig(configOverrides),
    logger: createLogger('debug', sink),
    telemetry,
    endpoint,
    credentials: { accessKeyId: 'AKIAMANAGEMENTEXAMPLE', secretAccessKey: 'management-secret-key-example-0123456789' },
    onThrottle: (s) => throttled.push(s),
    retryTuning: { baseDelayMs: 1, throttleBaseDelayMs: 2, maxDelayMs: 5 },
    consistency: { attempts: 3, delayMs: 1 },
    env: {},
    ...extra,
  });
  return {
    aws,
    logText: () => text,
    logLines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    throttled,
    telemetry: telemetryCalls,
  };
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
