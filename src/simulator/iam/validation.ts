import { limitExceeded, malformedPolicy, validationError } from './failures.js';

/** IAM's input rules (AWS-FACTS.md: names, paths, document characters and sizes). */

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(\/|\/[\x21-\x7E]+\/)$/;
const PATH_PREFIX = /^\/[\x21-\x7F]*$/;
const DESCRIPTION = /^[\t\n\r\x20-\x7E\xA1-\xFF]*$/;
/** Policy documents may only contain tab, LF, CR and U+0020–U+00FF. */
const DOCUMENT_CHARS = /^[\t\n\r\x20-\xFF]*$/;

export function checkName(field: string, value: string, maxLength: number): string {
  if (value.length < 1) throw validationError(field, value, 'Member must have length greater than or equal to 1');
  if (value.length > maxLength) throw validationError(field, value, `Member must have length less than or equal to ${maxLength}`);
  if (!NAME.test(value)) throw validationError(field, value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  return value;
}

export function checkPath(value: string | undefined): string {
  if (value === undefined || value === '') return '/';
  if (value.length > 512) throw validationError('path', value, 'Member must have length less than or equal to 512');
  if (!PATH.test(value)) throw validationError('path', value, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  return value;
}

export function checkPathPrefix(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > 512 || !PATH_PREFIX.test(value)) {
    throw validationError('pathPrefix', value, 'Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*');
  }
  return value;
}

export function checkDescription(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > 1000) throw validationError('description', value, 'Member must have length less than or equal to 1000');
  if (!DESCRIPTION.test(value)) {
    throw validationError('description', value, 'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*');
  }
  return value;
}

/** Identity policies grant to whoever holds them; trust policies name who may assume a role. */
export type DocumentKind = 'identity' | 'trust';

export interface DocumentLimit {
  /** Characters, white space not counted. */
  max: number;
  /** The LimitExceeded message. */
  message: string;
}

/**
 * Rejects what IAM rejects: characters outside the allowed set, invalid JSON, a missing
 * Version or Statement, statements without Effect/Action (and Resource for identity
 * policies, Principal for trust policies), then documents over the size quota.
 */
export function checkPolicyDocument(document: string, kind: DocumentKind, limit: DocumentLimit): void {
  if (document.length === 0) throw validationError('policyDocument', document, 'Member must have length greater than or equal to 1');
  if (!DOCUMENT_CHARS.test(document)) {
    throw malformedPolicy('The policy contains characters outside the allowed set (tab, LF, CR and U+0020 through U+00FF).');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw malformedPolicy('Syntax errors in policy.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformedPolicy('Syntax errors in policy.');
  const doc = parsed as Record<string, unknown>;
  if (doc.Version === undefined) throw malformedPolicy('Missing required field Version.');
  if (doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') throw malformedPolicy('The policy failed legacy parsing');
  if (doc.Statement === undefined) throw malformedPolicy('Missing required field Statement.');
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const s of statements) checkStatement(s, kind);
  if (nonWhitespaceLength(document) > limit.max) throw limitExceeded(limit.message);
}

function checkStatement(statement: unknown, kind: DocumentKind): void {
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) throw malformedPolicy('Syntax errors in policy.');
  const s = statement as Record<string, unknown>;
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformedPolicy(`Invalid effect: ${String(s.Effect)}`);
  if (s.Action === undefined && s.NotAction === undefined) throw malformedPolicy('Policy statement must contain actions.');
  const hasPrincipal = s.Principal !== undefined || s.NotPrincipal !== undefined;
  const hasResource = s.Resource !== undefined || s.NotResource !== undefined;
  if (kind === 'identity') {
    if (hasPrincipal) throw malformedPolicy('Policy document should not specify a principal.');
    if (!hasResource) throw malformedPolicy('Policy statement must contain resources.');
  } else {
    if (!hasPrincipal) throw malformedPolicy('Missing required field Principal');
    if (hasResource) throw malformedPolicy('Has prohibited field Resource');
  }
}

export function nonWhitespaceLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) n++;
  }
  return n;
}

export const LIMITS = {
  managedPolicy: { max: 6144, message: 'Cannot exceed quota for PolicySize: 6144' },
  trustPolicy: { max: 2048, message: 'Cannot exceed quota for ACLSizePerRole: 2048' },
  groupInline: (group: string): DocumentLimit => ({ max: 5120, message: `Maximum policy size of 5120 bytes exceeded for group ${group}` }),
  roleInline: (role: string): DocumentLimit => ({ max: 10240, message: `Maximum policy size of 10240 bytes exceeded for role ${role}` }),
  attachedPerEntity: 10,
  tagsPerEntity: 50,
  versionsPerPolicy: 5,
  groupsPerUser: 10,
  groupsPerAccount: 300,
} as const;
