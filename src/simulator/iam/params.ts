import type { QueryParams } from '../protocol.js';
import { invalidInput, validationError } from './failures.js';
import type { Tag } from './model.js';

/** Reads typed values out of flattened query-protocol parameters, failing as IAM does. */

/** IAM names its fields in camelCase in validation messages (`roleName`). */
function fieldName(param: string): string {
  return param.charAt(0).toLowerCase() + param.slice(1);
}

export function optional(params: QueryParams, name: string): string | undefined {
  return params.get(name);
}

export function required(params: QueryParams, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw validationError(fieldName(name), null, 'Member must not be null');
  return value;
}

export function optionalInt(params: QueryParams, name: string, min: number, max: number): number | undefined {
  const raw = params.get(name);
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw validationError(fieldName(name), raw, 'Member must be an integer');
  if (n < min) throw validationError(fieldName(name), n, `Member must have value greater than or equal to ${min}`);
  if (n > max) throw validationError(fieldName(name), n, `Member must have value less than or equal to ${max}`);
  return n;
}

export function optionalBool(params: QueryParams, name: string): boolean | undefined {
  const raw = params.get(name);
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw validationError(fieldName(name), raw, 'Member must be a boolean');
}

/** `Name.member.1`, `Name.member.2`, … until the first gap. */
export function memberList(params: QueryParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; ; i++) {
    const value = params.get(`${name}.member.${i}`);
    if (value === undefined) return out;
    out.push(value);
  }
}

/** `Tags.member.N.Key` / `.Value`; validated against IAM's tag rules. */
export function tagList(params: QueryParams, name = 'Tags'): Tag[] {
  const out: Tag[] = [];
  const seen = new Set<string>();
  for (let i = 1; ; i++) {
    const key = params.get(`${name}.member.${i}.Key`);
    if (key === undefined) break;
    const value = params.get(`${name}.member.${i}.Value`) ?? '';
    if (key.length < 1 || key.length > 128 || !TAG_TEXT.test(key)) {
      throw validationError('tags.member.key', key, 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+ and length 1-128');
    }
    if (value.length > 256 || !TAG_TEXT_OR_EMPTY.test(value)) {
      throw validationError('tags.member.value', value, 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]* and length 0-256');
    }
    // Tag keys are case-insensitive in IAM.
    const lower = key.toLowerCase();
    if (seen.has(lower)) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(lower);
    out.push({ key, value });
  }
  return out;
}

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const TAG_TEXT_OR_EMPTY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export interface Page<T> {
  items: T[];
  /** The marker for the next page, when truncated. */
  marker?: string;
}

/**
 * Marker/MaxItems paging (MaxItems 1–1000, default 100). The marker is an opaque offset:
 * good enough for a simulator whose lists only grow at the end between pages.
 */
export function paginate<T>(items: readonly T[], params: QueryParams): Page<T> {
  const max = optionalInt(params, 'MaxItems', 1, 1000) ?? 100;
  const start = decodeMarker(params.get('Marker'));
  const end = start + max;
  const page = items.slice(start, end);
  return end < items.length ? { items: page, marker: encodeMarker(end) } : { items: page };
}

/** `<IsTruncated>` and `<Marker>` for a page. */
export function pageTrailer(page: Page<unknown>): string {
  return page.marker === undefined ? '<IsTruncated>false</IsTruncated>' : `<IsTruncated>true</IsTruncated><Marker>${page.marker}</Marker>`;
}

function encodeMarker(offset: number): string {
  return Buffer.from(`iam-sim:${offset}`).toString('base64url');
}

function decodeMarker(marker: string | undefined): number {
  if (marker === undefined || marker === '') return 0;
  const m = /^iam-sim:(\d+)$/.exec(Buffer.from(marker, 'base64url').toString());
  if (!m) throw invalidInput('Invalid Marker.');
  return Number(m[1]);
}
