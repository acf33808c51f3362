/** The tag that marks a policy or role as owned by this tool (groups cannot be tagged). */
export const MANAGED_BY_TAG = { key: 'managed-by', value: 'org-iam-rollout' } as const;
