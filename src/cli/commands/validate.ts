/** `validate`: check config and baseline offline; render for a sample account. */
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { loadBaseline, plan, renderBaseline } from '../../core/baseline/index.js';
import { checkMfaBaseline } from '../../core/security/mfa-expectations.js';
import { DomainError } from '../../core/errors.js';
import { runCommand } from '../command-runner.js';

interface ValidateOptions {
  baseline?: string;
  checkMfa?: boolean;
  account?: string;
  partition?: string;
  json?: boolean;
}

export async function validateAction(opts: ValidateOptions): Promise<number> {
  const config = loadConfig(process.env, opts.baseline ? { ROLLOUT_BASELINE: opts.baseline } : {});
  const loaded = loadBaseline(config.baselinePath);
  const ctx = { accountId: opts.account ?? '123456789012', partition: opts.partition ?? 'aws' };
  if (!/^\d{12}$/.test(ctx.accountId)) throw new DomainError('USAGE.INVALID', `--account ${JSON.stringify(ctx.accountId)}: an account id is 12 digits`);
  const desired = renderBaseline(loaded.baseline, ctx);
  const fresh = plan(desired, { policies: {}, groups: {}, roles: {} });
  const mfa = opts.checkMfa ? checkMfaBaseline(desired, ctx) : undefined;
  const broken = mfa?.filter((m) => !m.ok) ?? [];
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ valid: broken.length === 0, baseline: loaded.path, hash: loaded.hash, sampleAccount: ctx, rendered: desired, freshAccountChanges: fresh.length, mfaChecks: mfa })}\n`);
  } else {
    const out = [
      `baseline ${loaded.path} is valid (hash ${loaded.hash.slice(0, 12)})`,
      `  ${loaded.baseline.policies.length} managed policies, ${loaded.baseline.groups.length} groups, ${loaded.baseline.roles.length} roles`,
      `  rendered for account ${ctx.accountId} (${ctx.partition}): a fresh account needs ${fresh.length} changes`,
      `config: role ${config.roleName}, concurrency ${config.concurrency}, failure tolerance ${config.failureTolerance}, store ${config.storeUrl.replace(/\/\/[^@/]*@/, '//***@')}`,
    ];
    if (mfa) {
      out.push(`MFA expectations: ${mfa.length - broken.length}/${mfa.length} hold`);
      for (const m of broken) out.push(`  BROKEN: ${m.expectation} — expected ${m.expected}, got ${m.actual}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
  return broken.length === 0 ? 0 : 2;
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check config and baseline offline; render for a sample account')
    .option('--baseline <file>', 'the baseline file')
    .option('--check-mfa', "evaluate the force-MFA expectations against the baseline's policies")
    .option('--account <id>', 'sample account id to render for', '123456789012')
    .option('--partition <name>', 'sample partition to render for', 'aws')
    .option('--json', 'print the result as JSON')
    .action((opts: ValidateOptions) => runCommand(() => validateAction(opts)));
}
