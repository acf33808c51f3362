/**
 * `simulate`: the AWS-compatible sandbox (Organizations, STS, IAM) on one endpoint.
 * Prints one JSON line on stdout when ready, then serves until SIGINT/SIGTERM.
 */
import type { Command } from 'commander';
import { DomainError } from '../../core/errors.js';
import { createLogger } from '../../logger.js';
import { validateFaults, type ScriptedFault } from '../../simulator/faults.js';
import type { SimulatorOptions } from '../../simulator/options.js';
import { runCommand } from '../command-runner.js';

export interface SimulateCliOptions {
  port?: string;
  host?: string;
  accounts?: string;
  seed?: string;
  latencyMs?: string;
  jitterMs?: string;
  org?: string;
  throttleRate?: string;
  throttleBurst?: string;
  failureRate?: string;
  dropRate?: string;
  fault?: string[];
  partition?: string;
  credentialTtlSeconds?: string;
  emptyPageEvery?: string;
}

export interface SimulateIo {
  /** Receives the ready line (default: stdout). */
  print?: (line: string) => void;
  /** Stops the simulator when aborted (default: SIGINT or SIGTERM). */
  signal?: AbortSignal;
}

function usage(message: string): DomainError {
  return new DomainError('USAGE.INVALID', message);
}

function whole(option: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) throw usage(`${option} ${JSON.stringify(raw)}: must be a whole number from ${min} to ${max}`);
  return Number(raw);
}

function decimal(option: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw usage(`${option} ${JSON.stringify(raw)}: must be a number from ${min} to ${max}`);
  return n;
}

/** Maps the command line onto SimulatorOptions; throws USAGE.INVALID naming the option. */
export function simulatorOptionsFromCli(o: SimulateCliOptions): SimulatorOptions {
  const options: SimulatorOptions = {
    port: whole('--port', o.port, 0, 65535) ?? 4566,
    host: o.host ?? '127.0.0.1',
    accounts: whole('--accounts', o.accounts, 1, 20_000),
    seed: whole('--seed', o.seed, 0, 2 ** 32 - 1),
    latencyMs: whole('--latency-ms', o.latencyMs, 0, 60_000),
    jitterMs: whole('--jitter-ms', o.jitterMs, 0, 60_000),
    failureRate: decimal('--failure-rate', o.failureRate, 0, 1),
    dropRate: decimal('--drop-rate', o.dropRate, 0, 1),
    credentialTtlSeconds: whole('--credential-ttl-seconds', o.credentialTtlSeconds, 1, 43_200),
    emptyPageEvery: whole('--empty-page-every', o.emptyPageEvery, 0, 1_000_000),
  };
  if (o.org !== undefined) {
    if (options.accounts !== undefined) throw usage('--accounts and --org exclude each other: the org file lists the accounts');
    options.orgFile = o.org;
  }
  if (o.partition !== undefined) {
    if (!/^aws(-[a-z]+)*$/.test(o.partition)) throw usage(`--partition ${JSON.stringify(o.partition)}: must be aws, aws-cn, aws-us-gov or another aws-* partition`);
    options.partition = o.partition;
  }
  const rate = decimal('--throttle-rate', o.throttleRate, 0, 1_000_000);
  const burst = whole('--throttle-burst', o.throttleBurst, 1, 1_000_000);
  if (burst !== undefined && rate === undefined) throw usage('--throttle-burst needs --throttle-rate (requests per second per account and service)');
  if (rate !== undefined) options.throttle = { rate, burst: burst ?? Math.max(1, Math.ceil(rate)) };
  const scripted: ScriptedFault[] = (o.fault ?? []).map((raw, i) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw usage(`--fault #${i + 1}: not valid JSON, expected e.g. {"account":"123456789012","operation":"PutGroupPolicy","code":"AccessDenied","status":403,"times":1}`);
    }
    try {
      return validateFaults({ scripted: [parsed] }).scripted![0];
    } catch (e) {
      throw usage(`--fault #${i + 1}: ${(e as Error).message.replace(/^scripted\[0\]\.?/, '')}`);
    }
  });
  if (scripted.length) options.scripted = scripted;
  for (const k of Object.keys(options) as (keyof SimulatorOptions)[]) if (options[k] === undefined) delete options[k];
  return options;
}

function shutdownSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Runs the simulator until the signal aborts. Signals are handled here rather than by
 * close-with-grace, whose process.exit would also end an in-process caller (tests, demo).
 */
export async function simulateCommand(cli: SimulateCliOptions, io: SimulateIo = {}): Promise<number> {
  const options = simulatorOptionsFromCli(cli);
  const logger = createLogger(process.env.LOG_LEVEL ?? 'info');
  const own = io.signal ? undefined : shutdownSignal();
  const signal = io.signal ?? own!.signal;
  try {
    const { startSimulator } = await import('../../simulator/index.js');
    const sim = await startSimulator({ ...options, logger });
    const line = JSON.stringify({ endpoint: sim.endpoint, managementAccountId: sim.managementAccountId, accounts: sim.accounts });
    (io.print ?? ((l: string) => process.stdout.write(`${l}\n`)))(line);
    logger.info({ endpoint: sim.endpoint, accounts: sim.accounts, organizationId: sim.org.id }, 'simulator ready');
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await sim.close();
    logger.info('simulator closed');
    return 0;
  } finally {
    own?.dispose();
  }
}

export function registerSimulateCommand(program: Command): void {
  const collect = (value: string, previous: string[] = []): string[] => previous.concat(value);
  program
    .command('simulate')
    .description('an AWS-compatible sandbox (Organizations, STS, IAM) for AWS_ENDPOINT_URL; prints one JSON line when ready')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '4566')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--accounts <n>', 'member accounts of a generated organization, 1–20000 (default 25)')
    .option('--seed <n>', 'seed of the generated organization and of fault randomness (default 1)')
    .option('--org <file>', 'describe the organization exactly with a JSON file instead of generating one')
    .option('--partition <partition>', 'partition used in every ARN (default aws)')
    .option('--latency-ms <n>', 'added to every answer')
    .option('--jitter-ms <n>', 'random extra latency, up to this many ms')
    .option('--throttle-rate <n>', 'requests per second allowed per account and service (token bucket)')
    .option('--throttle-burst <n>', 'bucket size (default: the rate)')
    .option('--failure-rate <p>', 'probability 0–1 of a random 500/503')
    .option('--drop-rate <p>', 'probability 0–1 of closing the connection without an answer')
    .option('--fault <json>', 'scripted fault, repeatable: {"account"?,"operation"?,"service"?,"code","status"?,"message"?,"times"?}', collect)
    .option('--credential-ttl-seconds <n>', 'issued credentials expire after this long, whatever was asked (to test refresh)')
    .option('--empty-page-every <n>', 'after this many non-empty list pages, one empty page with a NextToken (default 1; 0: never)')
    .action((opts: SimulateCliOptions) => runCommand(() => simulateCommand(opts)));
}
