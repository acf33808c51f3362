/**
 * Deepest nesting of arrays and objects a baseline or document may have. IAM documents need
 * about five levels; the validators walk documents recursively, so a hostile file nested
 * thousands deep would overflow the stack instead of being reported.
 */
export const MAX_JSON_DEPTH = 64;

/** JSON.parse that reports where the text broke, as line and column (1-based), and refuses absurd nesting. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  // A UTF-8 byte order mark is common in files saved by Windows editors and is not JSON.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const m = /at position (\d+)/.exec(reason);
    const pos = m ? Number(m[1]) : /end of JSON input/.test(reason) ? body.length : undefined;
    if (pos === undefined) return { ok: false, message: `invalid JSON: ${reason}` };
    const before = body.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    return { ok: false, message: `invalid JSON at line ${line}, column ${column}: ${reason}` };
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) return { ok: false, message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  return { ok: true, value };
}

// Iterative, so the check itself cannot overflow the stack.
function depthExceeds(root: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
