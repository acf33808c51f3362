/** Human-readable renderings of reports and statuses for the terminal. */
import type { AccountResult, RolloutRecord, RolloutReport } from '../core/model.js';
import type { StoredAccountResult } from '../core/ports.js';

function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

export function formatSummaryLine(record: RolloutRecord): string {
  const s = record.summary;
  return `total ${s.total} · compliant ${s.compliant} · updated ${s.updated} · planned ${s.planned} · failed ${s.failed} · unreachable ${s.unreachable} · skipped ${s.skipped}`;
}

export function formatReport(report: RolloutReport): string {
  const lines: string[] = [];
  lines.push(`rollout ${report.id} ${report.status}${report.dryRun ? ' (dry run)' : ''} — trigger ${report.trigger}${report.parentId ? `, from ${report.parentId}` : ''}`);
  lines.push(`started ${report.startedAt}${report.finishedAt ? `, finished ${report.finishedAt}` : ''}, baseline ${report.baselineHash.slice(0, 12)}`);
  lines.push(formatSummaryLine(report));
  const notable = report.accounts.filter((a) => a.status === 'failed' || a.status === 'unreachable' || a.status === 'skipped');
  if (notable.length) {
    lines.push('');
    lines.push(table([['ACCOUNT', 'NAME', 'STATUS', 'REASON'], ...notable.map((a) => [a.accountId, a.accountName, a.status, reasonOf(a)])]));
  }
  const planned = report.accounts.filter((a) => a.status === 'planned');
  if (planned.length) {
    lines.push('');
    lines.push(`planned changes (${planned.length} account(s)):`);
    for (const a of planned.slice(0, 20)) {
      lines.push(`  ${a.accountId} ${a.accountName}`);
      for (const act of a.actions) lines.push(`    ${act.type} ${act.resource}${act.detail ? ` — ${act.detail}` : ''}`);
    }
    if (planned.length > 20) lines.push(`  … and ${planned.length - 20} more (use --json for all)`);
  }
  return lines.join('\n');
}

function reasonOf(a: AccountResult): string {
  if (a.error) return a.error.message.startsWith(a.error.code) ? a.error.message : `${a.error.code}: ${a.error.message}`;
  return a.reason ?? '';
}

export function formatStatuses(results: StoredAccountResult[]): string {
  if (results.length === 0) return 'no results recorded yet';
  return table([
    ['ACCOUNT', 'NAME', 'STATUS', 'ROLLOUT', 'FINISHED', 'REASON'],
    ...results.map((r) => [r.accountId, r.accountName, r.status + (r.dryRun ? ' (dry run)' : ''), r.rolloutId, r.finishedAt, reasonOf(r)]),
  ]);
}

export function formatAccountHistory(results: StoredAccountResult[]): string {
  const lines = [formatStatuses(results)];
  const latest = results[0];
  if (latest?.actions.length) {
    lines.push('', `actions of the latest result (${latest.rolloutId}):`);
    for (const act of latest.actions) lines.push(`  ${act.type} ${act.resource}${act.detail ? ` — ${act.detail}` : ''}`);
  }
  return lines.join('\n');
}
