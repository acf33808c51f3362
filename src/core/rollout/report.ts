import type { AccountResult, AccountStatus, RolloutStatus, RolloutSummary } from '../model.js';

export function emptySummary(): RolloutSummary {
  return { total: 0, compliant: 0, updated: 0, planned: 0, failed: 0, unreachable: 0, skipped: 0 };
}

export function summarize(results: Iterable<Pick<AccountResult, 'status'>>): RolloutSummary {
  const s = emptySummary();
  for (const r of results) {
    s.total++;
    s[r.status]++;
  }
  return s;
}

export function addToSummary(s: RolloutSummary, status: AccountStatus): void {
  s.total++;
  s[status]++;
}

/** The final status of a rollout from how it ended and what its accounts did. */
export function finalStatus(opts: { cancelled: boolean; aborted: boolean; storeFailed: boolean; summary: RolloutSummary }): RolloutStatus {
  if (opts.cancelled) return 'cancelled';
  if (opts.aborted) return 'aborted';
  if (opts.storeFailed || opts.summary.failed > 0 || opts.summary.unreachable > 0) return 'failed';
  return 'succeeded';
}

/** CLI exit code for a finished rollout (shared/CONTRACT.md). */
export function exitCodeForRollout(status: RolloutStatus): number {
  return status === 'succeeded' ? 0 : 1;
}
