/**
 * RoleSessionName: 2–64 characters of [\w+=,.@-] (STS AssumeRole). The session name shows
 * in CloudTrail of the member account, so it carries the rollout id.
 */
const PREFIX = 'org-iam-rollout-';
const MAX = 64;

export function roleSessionName(rolloutId: string): string {
  const safe = rolloutId.replace(/[^\w+=,.@-]/g, '-');
  const name = `${PREFIX}${safe}`.slice(0, MAX);
  // The prefix alone satisfies the minimum; trailing separators from the cut read badly in logs.
  return name.replace(/-+$/, '') || 'org-iam-rollout';
}
