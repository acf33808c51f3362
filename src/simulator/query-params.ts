/**
 * Form-encoded query-protocol bodies, parsed by hand: URLSearchParams copies and
 * normalizes more than a hot path needs.
 */
import type { QueryParams } from './protocol.js';

function decode(s: string): string {
  if (s.indexOf('%') === -1 && s.indexOf('+') === -1) return s;
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

export function parseQueryParams(body: string): QueryParams {
  const params: QueryParams = new Map();
  if (!body) return params;
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf('&', start);
    if (end === -1) end = body.length;
    if (end > start) {
      const eq = body.indexOf('=', start);
      if (eq === -1 || eq > end) params.set(decode(body.slice(start, end)), '');
      else params.set(decode(body.slice(start, eq)), decode(body.slice(eq + 1, end)));
    }
    start = end + 1;
  }
  return params;
}
