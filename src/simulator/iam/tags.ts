import { limitExceeded } from './failures.js';
import type { Tag } from './model.js';
import { LIMITS } from './validation.js';

/** Adds or overwrites tags; keys compare case-insensitively, as in IAM. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const out = existing.slice();
  for (const t of added) {
    const i = out.findIndex((o) => o.key.toLowerCase() === t.key.toLowerCase());
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  if (out.length > LIMITS.tagsPerEntity) throw limitExceeded(`The number of tags has reached the maximum limit of ${LIMITS.tagsPerEntity}.`);
  return out;
}

export function removeTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !drop.has(t.key.toLowerCase()));
}

export function checkTagCount(tags: readonly Tag[]): readonly Tag[] {
  if (tags.length > LIMITS.tagsPerEntity) throw limitExceeded(`The number of tags has reached the maximum limit of ${LIMITS.tagsPerEntity}.`);
  return tags;
}
