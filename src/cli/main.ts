#!/usr/bin/env node
/**
 * The org-iam-rollout command line. Exit codes (shared/CONTRACT.md): 0 success,
 * 1 an account failed or the rollout did not complete, 2 usage/config/baseline/store
 * error (nothing sent to AWS), 3 another rollout holds the lock.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerRolloutCommands } from './commands/rollout.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSimulateCommand } from './commands/simulate.js';
import { registerStatusCommands } from './commands/status.js';
import { registerValidateCommand } from './commands/validate.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function buildProgram(): Command {
  const program = new Command('org-iam-rollout')
    .description('Keep an IAM baseline in every account of an AWS Organization.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerRolloutCommands(program);
  registerValidateCommand(program);
  registerStatusCommands(program);
  registerServeCommand(program);
  registerSimulateCommand(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version print and exit 0; every other parse error is a usage error.
      process.exitCode = e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
      return;
    }
    throw e;
  }
}

await main(process.argv);
