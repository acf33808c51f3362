import { CreateGroupCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, PutGroupPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, freshAccount, type IamTestServer, startIamTestServer } from './iam-test-server.js';

const statement = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
const doc = (extra: Record<string, unknown> = {}): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ ...statement, ...extra }] });
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

/** A managed policy document with exactly `n` characters that are not white space, pretty-printed so white space is plentiful. */
function sizedDocument(n: number): string {
  const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: '', ...statement }] });
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'S'.repeat(n - base.length), ...statement }] }, null, 4);
}

let server: IamTestServer;
beforeAll(async () => {
  server = await startIamTestServer();
});
afterAll(async () => server.close());

describe('policy documents', () => {
  const malformed: [string, string][] = [
    ['not JSON', '{"Version": "2012-10-17", '],
    ['a JSON array', '[]'],
    ['no Version', JSON.stringify({ Statement: [statement] })],
    ['an unknown Version', JSON.stringify({ Version: '2020-01-01', Statement: [statement] })],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' })],
    ['a bad Effect', doc({ Effect: 'Maybe' })],
    ['no Action', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] })],
    ['a Principal in an identity policy', doc({ Principal: '*' })],
    ['no Resource in an identity policy', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*' }] })],
    ['a character above U+00FF', doc({ Sid: 'caf\u0113' })],
    // Built by hand: JSON.stringify would escape the control character into plain ASCII.
    ['a raw control character', `{"Version":"2012-10-17","Statement":[{"Sid":"a\u0001b","Effect":"Allow","Action":"*","Resource":"*"}]}`],
  ];
  for (const [what, document] of malformed) {
    it(`rejects a document with ${what} as MalformedPolicyDocumentException (400)`, async () => {
      const iam = server.client(freshAccount());
      const err = await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'P', PolicyDocument: document })));
      expect(err.name).toBe('MalformedPolicyDocumentException');
      expect(err.$metadata?.httpStatusCode).toBe(400);
    });
  }

  it('accepts Latin-1 characters (U+0020–U+00FF), tabs and newlines', async () => {
    const iam = server.client(freshAccount());
    const out = await iam.send(new CreatePolicyCommand({ PolicyName: 'P', PolicyDocument: `{\t"Version":"2012-10-17",\r\n"Statement":[{"Sid":"caf\u00e9","Effect":"Allow","Action":"*","Resource":"*"}]}` }));
    expect(out.Policy!.PolicyName).toBe('P');
  });

  it('counts 6,144 characters for a managed policy without white space', async () => {
    const iam = server.client(freshAccount());
    const fits = sizedDocument(6144);
    expect(fits.length).toBeGreaterThan(6144);
    await iam.send(new CreatePolicyCommand({ PolicyName: 'Fits', PolicyDocument: fits }));
    const err = await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'TooBig', PolicyDocument: sizedDocument(6145) })));
    expect(err.name).toBe('LimitExceededException');
    expect(err.$metadata?.httpStatusCode).toBe(409);
  });
});

describe('names and paths', () => {
  it('rejects names outside [\\w+=,.@-] or too long with ValidationError (400)', async () => {
    const iam = server.client(freshAccount());
    const attempts = [
      iam.send(new CreatePolicyCommand({ PolicyName: 'has space', PolicyDocument: doc() })),
      iam.send(new CreatePolicyCommand({ PolicyName: 'p'.repeat(129), PolicyDocument: doc() })),
      iam.send(new CreateGroupCommand({ GroupName: 'a/b' })),
      iam.send(new CreateGroupCommand({ GroupName: 'g'.repeat(129) })),
      iam.send(new CreateRoleCommand({ RoleName: 'r'.repeat(65), AssumeRolePolicyDocument: TRUST })),
      iam.send(new CreateUserCommand({ UserName: 'bad!name' })),
    ];
    for (const attempt of attempts) {
      const err = await failure(attempt);
      expect(err.name).toBe('ValidationError');
      expect(err.$metadata?.httpStatusCode).toBe(400);
    }
    await iam.send(new CreateGroupCommand({ GroupName: 'g'.repeat(128) }));
    await iam.send(new CreatePolicyCommand({ PolicyName: 'Ok+=,.@_-1', PolicyDocument: doc() }));
  });

  it('requires paths to begin and end with / and stay within 512 characters', async () => {
    const iam = server.client(freshAccount());
    for (const Path of ['noslash', '/missing-end', `/${'p'.repeat(511)}/`, '/with space/']) {
      const err = await failure(iam.send(new CreateGroupCommand({ GroupName: 'G', Path })));
      expect(err.name).toBe('ValidationError');
    }
    await iam.send(new CreateGroupCommand({ GroupName: 'G', Path: `/${'p'.repeat(510)}/` }));
  });

  it('rejects an inline policy name with bad characters', async () => {
    const iam = server.client(freshAccount());
    await iam.send(new CreateGroupCommand({ GroupName: 'G' }));
    const err = await failure(iam.send(new PutGroupPolicyCommand({ GroupName: 'G', PolicyName: 'no spaces', PolicyDocument: doc() })));
    expect(err.name).toBe('ValidationError');
  });
});

describe('the protocol', () => {
  async function raw(body: string): Promise<{ status: number; text: string }> {
    const res = await fetch(server.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIA123456789012/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
      },
      body,
    });
    return { status: res.status, text: await res.text() };
  }

  it('answers an unknown action with 400 InvalidAction', async () => {
    const res = await raw('Action=LaunchRockets&Version=2010-05-08');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>InvalidAction</Code>');
    expect(res.text).toContain('<Type>Sender</Type>');
  });

  it('answers a missing required parameter with a ValidationError naming the member', async () => {
    const res = await raw('Action=CreateGroup&Version=2010-05-08');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>ValidationError</Code>');
    expect(res.text).toContain('Value null at &apos;groupName&apos; failed to satisfy constraint: Member must not be null');
  });

  it('wraps results in the IAM namespace with a request id', async () => {
    const res = await raw('Action=ListRoles&Version=2010-05-08');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<ListRolesResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/">/);
    expect(res.text).toContain('<ListRolesResult><Roles></Roles><IsTruncated>false</IsTruncated></ListRolesResult>');
    expect(res.text).toMatch(/<RequestId>req-\d+<\/RequestId>/);
  });
});
