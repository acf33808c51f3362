/**
 * Runs a command body and turns its outcome into an exit code: a user mistake is one
 * clear line on stderr (never a stack trace), an unexpected error says so.
 */
import { exitCodeFor, isDomainError } from '../core/errors.js';

export function fail(message: string): void {
  process.stderr.write(`org-iam-rollout: ${message}\n`);
}

export async function runCommand(body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (e) {
    if (isDomainError(e)) {
      // Baseline errors already list every problem (file, field, rule) in the message.
      fail(e.message);
      process.exitCode = exitCodeFor(e.code);
      return;
    }
    fail(`internal error: ${(e as Error)?.message ?? String(e)}`);
    if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') process.stderr.write(`${(e as Error)?.stack}\n`);
    process.exitCode = 1;
  }
}
