/**
 * What AssumeRole sends, read off the wire: a minimal STS/IAM endpoint that records each
 * request's form parameters and answers from a script.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallCounter } from '../../../src/core/ports.js';
import { adapters } from './helpers.js';

const STS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const IAM = 'https://iam.amazonaws.com/doc/2010-05-08/';

let server: Server;
let endpoint: string;
const requests: URLSearchParams[] = [];
let now = Date.now();
let denyAssume = false;

function reply(action: string, xmlns: string, inner: string): string {
  return `<${action}Response xmlns="${xmlns}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const p = new URLSearchParams(body);
      requests.push(p);
      res.setHeader('content-type', 'text/xml');
      switch (p.get('Action')) {
        case 'GetCallerIdentity':
          return res.end(reply('GetCallerIdentity', STS, '<UserId>AIDA</UserId><Account>210987654321</Account><Arn>arn:aws-cn:iam::210987654321:user/ops</Arn>'));
        case 'AssumeRole': {
          if (denyAssume) {
            res.statusCode = 403;
            return res.end(`<ErrorResponse xmlns="${STS}"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
          }
          const exp = new Date(now + 900_000).toISOString();
          return res.end(
            reply('AssumeRole', STS, `<Credentials><AccessKeyId>ASIA${requests.length}</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>${exp}</Expiration></Credentials>`),
          );
        }
        case 'GetAccountAuthorizationDetails':
          return res.end(reply('GetAccountAuthorizationDetails', IAM, '<GroupDetailList/><RoleDetailList/><Policies/><IsTruncated>false</IsTruncated>'));
        default:
          res.statusCode = 400;
          return res.end(`<ErrorResponse xmlns="${IAM}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>x</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const counter = (): CallCounter => ({ reads: 0, writes: 0 });

describe('AssumeRole on the wire', () => {
  it('sends the role ARN in the caller’s partition, the session name, ExternalId and DurationSeconds', async () => {
    const h = adapters(endpoint, { clock: { now: () => new Date(now) } }, { ROLLOUT_EXTERNAL_ID: 'ext-id-42', ROLLOUT_SESSION_DURATION: '1800', ROLLOUT_ROLE_NAME: 'RolloutRole' });
    try {
      requests.length = 0;
      await h.aws.access.open('123456789012', { rolloutId: 'rollout-7', calls: counter() });
      const assume = requests.find((p) => p.get('Action') === 'AssumeRole');
      expect(assume?.get('RoleArn')).toBe('arn:aws-cn:iam::123456789012:role/RolloutRole');
      expect(assume?.get('RoleSessionName')).toBe('org-iam-rollout-rollout-7');
      expect(assume?.get('ExternalId')).toBe('ext-id-42');
      expect(assume?.get('DurationSeconds')).toBe('1800');
    } finally {
      h.aws.close();
    }
  });

  it('sends no ExternalId when none is configured', async () => {
    const h = adapters(endpoint);
    try {
      requests.length = 0;
      await h.aws.access.open('123456789012', { rolloutId: 'rollout-8', calls: counter() });
      const assume = requests.find((p) => p.get('Action') === 'AssumeRole');
      expect(assume?.has('ExternalId')).toBe(false);
      expect(assume?.get('DurationSeconds')).toBe('3600');
    } finally {
      h.aws.close();
    }
  });

  it('a refresh that cannot assume the role any more fails the call with ROLLOUT.ASSUME_ROLE_FAILED', async () => {
    const h = adapters(endpoint, { clock: { now: () => new Date(now) } });
    try {
      denyAssume = false;
      const calls = counter();
      const iam = await h.aws.access.open('123456789012', { rolloutId: 'rollout-9', calls });
      await iam.observe({ policyNames: [], groupNames: [], roleNames: [] });
      denyAssume = true;
      now += 1_000_000;
      const err = await iam.observe({ policyNames: [], groupNames: [], roleNames: [] }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ROLLOUT.ASSUME_ROLE_FAILED', details: { awsCode: 'AccessDenied' } });
      // open's AssumeRole, one observe, the refused refresh.
      expect(calls).toEqual({ reads: 3, writes: 0 });
    } finally {
      denyAssume = false;
      h.aws.close();
    }
  });
});
