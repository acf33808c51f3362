/**
 * Policy documents as IAM returns them: URL-encoded (RFC 3986) by AWS, which the JS v3 SDK
 * does not decode (aws/aws-sdk-js-v3#1945); raw JSON from some AWS-compatible endpoints.
 */
import type { PolicyDocument } from '../core/model.js';
import { DomainError } from '../core/errors.js';

export function decodePolicyDocument(raw: string, where: string): PolicyDocument {
  let parsed: unknown;
  // A JSON document starts with `{` (after white space); AWS's encoded one with `%7B`. Deciding up
  // front avoids a thrown SyntaxError per document on the hot path.
  const text = raw.trimStart().startsWith('{') ? raw : safeDecode(raw);
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DomainError('AWS.CALL_FAILED', `${where}: the policy document is neither JSON nor URL-encoded JSON`, {
      awsCode: 'MalformedPolicyDocument',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DomainError('AWS.CALL_FAILED', `${where}: the policy document is not a JSON object`, { awsCode: 'MalformedPolicyDocument' });
  }
  return parsed as PolicyDocument;
}

function safeDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function encodePolicyDocument(document: PolicyDocument): string {
  return JSON.stringify(document);
}
