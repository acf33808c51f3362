import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodePolicyDocument, encodePolicyDocument } from '../../../src/aws/policy-document.js';

// RFC 3986, as IAM encodes documents (the JS v3 SDK does not decode them: aws/aws-sdk-js-v3#1945).
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const doc = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'DenyAllExceptListedIfNoMFA', Effect: 'Deny', NotAction: ['iam:ChangePassword'], Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }],
};

describe('decodePolicyDocument', () => {
  it('decodes an RFC 3986 encoded document', () => {
    expect(decodePolicyDocument(rfc3986(JSON.stringify(doc, null, 2)), 'test')).toEqual(doc);
  });

  it('accepts a raw JSON document (some AWS-compatible endpoints)', () => {
    expect(decodePolicyDocument(JSON.stringify(doc), 'test')).toEqual(doc);
  });

  it('keeps a raw document whose text contains percent signs intact', () => {
    const withPercent = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/%41*' }] };
    expect(decodePolicyDocument(JSON.stringify(withPercent), 'test')).toEqual(withPercent);
    expect(decodePolicyDocument(rfc3986(JSON.stringify(withPercent)), 'test')).toEqual(withPercent);
  });

  it('round-trips any JSON object, encoded or not', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const text = encodePolicyDocument(value);
        expect(decodePolicyDocument(text, 't')).toEqual(JSON.parse(text));
        expect(decodePolicyDocument(rfc3986(text), 't')).toEqual(JSON.parse(text));
      }),
    );
  });

  it('rejects garbage with a domain error naming the place', () => {
    expect(() => decodePolicyDocument('%7Bnot json', 'role admin trust policy')).toThrow(/role admin trust policy/);
    expect(() => decodePolicyDocument('[1,2]', 'x')).toThrow(/not a JSON object/);
  });
});
