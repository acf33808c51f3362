/** JSON.parse that reports where the text broke, as line and column (1-based). */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  // A UTF-8 byte order mark is common in files saved by Windows editors and is not JSON.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
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
}
