/**
 * Failure tolerance: a count ("3") or a percent ("10%") of the targeted accounts.
 * The rollout aborts once the failed and unreachable accounts exceed it.
 */
export interface Tolerance {
  /** True when `failures` out of `targeted` accounts is more than the tolerance allows. */
  exceeded(failures: number, targeted: number): boolean;
  readonly text: string;
}

export function parseTolerance(text: string): Tolerance {
  const m = /^(\d+)(%)?$/.exec(text.trim());
  if (!m) throw new TypeError(`failure tolerance must be a count or a percent, got ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  if (m[2]) {
    // Percent of the accounts targeted so far: discovery streams, so the total grows while accounts run.
    return { text, exceeded: (failures, targeted) => failures > Math.floor((n / 100) * targeted) };
  }
  return { text, exceeded: (failures) => failures > n };
}
