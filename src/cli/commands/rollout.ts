/** `rollout` and `plan`: run one rollout now, record it, print the summary. */
import type { Command } from 'commander';
import { loadConfig, parseFailureTolerance, type ConfigInput } from '../../config.js';
import type { RolloutRequest } from '../../core/ports.js';
import { exitCodeForRollout } from '../../core/rollout/index.js';
import { runCommand } from '../command-runner.js';
import { formatReport } from '../format.js';
import { accountIds, collectList, ouIds, rolloutId, tagFilters, usage } from '../options.js';
import { createProgress } from '../progress.js';

interface RolloutCliOptions {
  dryRun?: boolean;
  account?: string[];
  exclude?: string[];
  ou?: string[];
  tag?: string[];
  concurrency?: string;
  failureTolerance?: string;
  baseline?: string;
  json?: boolean;
  resume?: string;
  retryFailed?: string;
}

function addRolloutOptions(cmd: Command): Command {
  return cmd
    .option('--account <id>', 'only these accounts (repeatable, or a comma list)', collectList)
    .option('--exclude <id>', 'skip these accounts (repeatable, or a comma list)', collectList)
    .option('--ou <ou-id>', 'only accounts under these OUs, nested OUs included (repeatable)', collectList)
    .option('--tag <key=value>', 'only accounts with this tag (repeatable; value * matches any)', collectList)
    .option('--concurrency <n>', 'most accounts in flight at once (1–500)')
    .option('--failure-tolerance <n|n%>', 'failed or unreachable accounts allowed before aborting')
    .option('--baseline <file>', 'the baseline file')
    .option('--json', 'print the report as one JSON document on stdout')
    .option('--resume <rollout-id>', 'run the accounts of an interrupted rollout that have no result yet')
    .option('--retry-failed <rollout-id>', 'start a new rollout over the failed and unreachable accounts of a rollout');
}

export async function rolloutAction(opts: RolloutCliOptions, forceDryRun: boolean): Promise<number> {
  const overrides: ConfigInput = {};
  if (opts.baseline) overrides.ROLLOUT_BASELINE = opts.baseline;
  if (opts.concurrency !== undefined) overrides.ROLLOUT_CONCURRENCY = opts.concurrency;
  if (opts.failureTolerance !== undefined) overrides.ROLLOUT_FAILURE_TOLERANCE = parseFailureTolerance(opts.failureTolerance, '--failure-tolerance', 'option');
  if (opts.resume && opts.retryFailed) throw usage('--resume and --retry-failed cannot be combined');
  const request: RolloutRequest = {
    dryRun: forceDryRun || opts.dryRun === true,
    accounts: accountIds('--account', opts.account),
    excludeAccounts: accountIds('--exclude', opts.exclude),
    organizationalUnits: ouIds(opts.ou),
    accountTags: tagFilters(opts.tag),
  };
  const resumeId = opts.resume ? rolloutId('--resume', opts.resume) : undefined;
  const retryId = opts.retryFailed ? rolloutId('--retry-failed', opts.retryFailed) : undefined;
  const config = loadConfig(process.env, overrides);
  request.concurrency = config.concurrency;
  request.failureTolerance = config.failureTolerance;

  // The AWS SDK and the store drivers load only for the commands that use them.
  const { compose } = await import('../../compose.js');
  const ctx = await compose(config);
  const progress = createProgress();
  const meta = { trigger: 'cli' as const, requestedBy: `cli:${process.env.USER ?? 'unknown'}`, onProgress: progress.update };
  let interrupted = 0;
  const onSignal = () => {
    interrupted++;
    // First signal: stop starting accounts and let those in flight finish; second: stop now.
    void ctx.rollouts.shutdown(interrupted > 1 ? 0 : 30_000);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const started = resumeId
      ? await ctx.rollouts.resume(resumeId, meta)
      : retryId
        ? await ctx.rollouts.retry(retryId, meta)
        : await ctx.rollouts.start(request, meta);
    const report = await started.done;
    progress.end();
    if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else process.stdout.write(`${formatReport(report)}\n`);
    return exitCodeForRollout(report.status);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await ctx.close();
  }
}

export function registerRolloutCommands(program: Command): void {
  addRolloutOptions(program.command('rollout').description('run one rollout now, record it, print the summary'))
    .option('--dry-run', 'plan only: report the changes each account needs, change nothing')
    .action((opts: RolloutCliOptions) => runCommand(() => rolloutAction(opts, false)));
  addRolloutOptions(program.command('plan').description('the same as `rollout --dry-run`')).action((opts: RolloutCliOptions) =>
    runCommand(() => rolloutAction(opts, true)),
  );
}
