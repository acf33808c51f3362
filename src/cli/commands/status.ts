/** `status [ACCOUNT_ID]` and `report [ROLLOUT_ID|latest]`: read the store. */
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { DomainError } from '../../core/errors.js';
import type { RolloutStore } from '../../core/ports.js';
import { createLogger } from '../../logger.js';
import { runCommand } from '../command-runner.js';
import { formatAccountHistory, formatReport, formatStatuses } from '../format.js';
import { accountId, rolloutId } from '../options.js';

async function withStore<T>(fn: (store: RolloutStore) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const { createStore } = await import('../../store/create-store.js');
  const store = await createStore(config.storeUrl, { logger: createLogger(config.logLevel) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function statusAction(account: string | undefined, opts: { json?: boolean; limit?: string }): Promise<number> {
  const id = account ? accountId(account) : undefined;
  return withStore(async (store) => {
    if (id) {
      const history = await store.accountHistory(id, Number(opts.limit ?? 10));
      if (history.length === 0) throw new DomainError('ACCOUNT.NOT_FOUND', `no result recorded for account ${id}`);
      process.stdout.write(opts.json ? `${JSON.stringify({ accountId: id, latest: history[0], history })}\n` : `${formatAccountHistory(history)}\n`);
      return 0;
    }
    const latest = await store.latestAccountResults();
    process.stdout.write(opts.json ? `${JSON.stringify({ accounts: latest })}\n` : `${formatStatuses(latest)}\n`);
    return 0;
  });
}

export async function reportAction(ref: string | undefined, opts: { json?: boolean }): Promise<number> {
  const wanted = !ref || ref === 'latest' ? undefined : rolloutId('ROLLOUT_ID', ref);
  return withStore(async (store) => {
    const record = wanted ? await store.getRollout(wanted) : await store.latestRollout();
    if (!record) throw new DomainError('ROLLOUT.NOT_FOUND', wanted ? `no rollout ${wanted}` : 'no rollout recorded yet');
    const report = { ...record, accounts: await store.listAccountResults(record.id) };
    process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
    return 0;
  });
}

export function registerStatusCommands(program: Command): void {
  program
    .command('status')
    .description('latest per-account status from the store (one account: its recent history)')
    .argument('[account-id]', '12-digit account id')
    .option('--json', 'print JSON on stdout')
    .option('--limit <n>', 'history entries for one account', '10')
    .action((account: string | undefined, opts: { json?: boolean; limit?: string }) => runCommand(() => statusAction(account, opts)));
  program
    .command('report')
    .description("one rollout's report from the store")
    .argument('[rollout-id]', 'a rollout id, or latest', 'latest')
    .option('--json', 'print the report as one JSON document on stdout')
    .action((ref: string | undefined, opts: { json?: boolean }) => runCommand(() => reportAction(ref, opts)));
}
