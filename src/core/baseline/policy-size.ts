/** The size IAM counts against its quotas: the minified document, white space not counted. */
export function policySize(doc: unknown): number {
  return (JSON.stringify(doc) ?? '').replace(/\s/g, '').length;
}
