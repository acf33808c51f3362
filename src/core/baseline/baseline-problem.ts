/** One broken rule in a baseline or one of its documents. */
export interface BaselineProblem {
  /** The file the problem is in: the baseline file or a policy document it refers to. */
  file: string;
  /** A JSON path inside that file, e.g. `groups[1].inlinePolicies[0].document` or `Statement[2].Effect`; `$` is the whole file. */
  field: string;
  /** A stable rule id, e.g. `name-format`, `managed-policy-size`. */
  rule: string;
  /** A human sentence saying what is wrong (without the file and field, which `formatProblem` adds). */
  message: string;
}

/** `file field: message [rule]` — the line shown to people. */
export function formatProblem(p: BaselineProblem): string {
  return `${p.file} ${p.field}: ${p.message} [rule ${p.rule}]`;
}
