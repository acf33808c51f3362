import { describe, expect, it } from 'vitest';
import { canonicalDocument, documentsEqual } from '../../../src/core/baseline/index.js';

describe('canonicalDocument', () => {
  it('sorts keys recursively and keeps array order', () => {
    expect(canonicalDocument({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('parses strings first, so text from IAM equals the parsed document', () => {
    const text = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Resource": "*", "Effect": "Allow", "Action": "s3:*"}]\n}';
    const parsed = { Statement: [{ Action: 's3:*', Effect: 'Allow', Resource: '*' }], Version: '2012-10-17' };
    expect(documentsEqual(text, parsed)).toBe(true);
    expect(canonicalDocument(text)).toBe(canonicalDocument(parsed));
  });

  it('tells different documents apart, including array order and value types', () => {
    expect(documentsEqual({ Action: ['a', 'b'] }, { Action: ['b', 'a'] })).toBe(false);
    expect(documentsEqual({ Action: 'a' }, { Action: ['a'] })).toBe(false);
    expect(documentsEqual({ Bool: 'true' }, { Bool: true })).toBe(false);
  });

  it('treats text that is not JSON as a literal that never equals a document', () => {
    expect(documentsEqual('%7B%22Version%22%3A%222012-10-17%22%7D', { Version: '2012-10-17' })).toBe(false);
    expect(documentsEqual('not json', 'not json')).toBe(true);
  });

  it('ignores undefined members, as JSON would', () => {
    expect(documentsEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(canonicalDocument(undefined)).toBe('null');
  });
});
