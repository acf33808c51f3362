/**
 * Canonical form for comparing policy documents: strings are parsed first (IAM hands
 * documents back as text), then keys are sorted recursively. Array order is kept:
 * IAM stores and returns documents as they were sent.
 */
export function canonicalDocument(doc: unknown): string {
  return JSON.stringify(sortKeys(parseIfString(doc))) ?? 'null';
}

export function documentsEqual(a: unknown, b: unknown): boolean {
  return canonicalDocument(a) === canonicalDocument(b);
}

function parseIfString(doc: unknown): unknown {
  if (typeof doc !== 'string') return doc;
  try {
    return JSON.parse(doc);
  } catch {
    // Not JSON: compare as the literal text, so it never equals a parsed document.
    return doc;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}
