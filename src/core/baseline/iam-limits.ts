/**
 * IAM quotas and formats the baseline is checked against (IAM User Guide,
 * "IAM and AWS STS quotas"; API reference patterns of CreatePolicy, CreateGroup,
 * CreateRole, UpdateRole, PutGroupPolicy).
 */
export const IAM_LIMITS = {
  /** Characters, white space not counted. */
  managedPolicySize: 6144,
  /** Aggregate of all inline policies of one group, white space not counted. */
  groupInlineSize: 5120,
  /** Aggregate of all inline policies of one role. */
  roleInlineSize: 10240,
  /** Default quota of a role trust policy. */
  trustPolicySize: 2048,
  managedPoliciesPerEntity: 10,
  policyVersions: 5,
  nameLength: 128,
  roleNameLength: 64,
  pathLength: 512,
  descriptionLength: 1000,
  minSessionDuration: 3600,
  maxSessionDuration: 43200,
} as const;

/** GetRole always returns MaxSessionDuration; 3600 is what IAM applies when none is given. */
export const DEFAULT_MAX_SESSION_DURATION = 3600;

export const NAME_PATTERN = /^[\w+=,.@-]+$/;
export const PATH_PATTERN = /^(\/|\/[\x21-\x7E]+\/)$/;
/** Policy documents may contain only tab, LF, CR and U+0020–U+00FF. */
export const DOCUMENT_CHAR_PATTERN = /^[\t\n\r\x20-\xFF]*$/;
/** Role and policy descriptions (UpdateRole/CreatePolicy `Description` pattern). */
export const DESCRIPTION_CHAR_PATTERN = /^[\t\n\r\x20-\x7E\xA1-\xFF]*$/;
