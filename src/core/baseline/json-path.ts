/** Appends a key or index to a JSON path: `a.b`, `a[0]`, `a["aws:Key"]`; '' is the root. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

/** Calls `visit` for every string in a JSON value, keys included, with its path. */
export function walkStrings(value: unknown, path: string, visit: (s: string, path: string, isKey: boolean) => void): void {
  if (typeof value === 'string') {
    visit(value, path, false);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walkStrings(v, joinPath(path, i), visit));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const child = joinPath(path, k);
      visit(k, child, true);
      walkStrings(v, child, visit);
    }
  }
}
