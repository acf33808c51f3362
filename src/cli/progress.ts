/**
 * Progress on stderr: a redrawn line on a TTY, a log line every few seconds otherwise.
 */
import type { AccountResult, RolloutSummary } from '../core/model.js';

export function createProgress(stream: NodeJS.WriteStream = process.stderr, intervalMs = 5000) {
  const tty = stream.isTTY === true;
  let last = 0;
  let lastSummary: RolloutSummary | undefined;
  const line = (s: RolloutSummary) =>
    `${s.total} done: ${s.compliant} compliant, ${s.updated} updated, ${s.planned} planned, ${s.failed} failed, ${s.unreachable} unreachable, ${s.skipped} skipped`;
  return {
    update(_result: AccountResult, summary: RolloutSummary) {
      lastSummary = summary;
      const now = Date.now();
      if (tty) {
        if (now - last < 100) return;
        last = now;
        stream.write(`\r\x1b[K${line(summary)}`);
      } else if (now - last >= intervalMs) {
        last = now;
        stream.write(`${JSON.stringify({ level: 'info', msg: 'progress', ...summary })}\n`);
      }
    },
    end() {
      if (tty && lastSummary) stream.write(`\r\x1b[K${line(lastSummary)}\n`);
    },
  };
}
