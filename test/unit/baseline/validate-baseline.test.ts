import { describe, expect, it } from 'vitest';
import { formatProblem, policySize, validateBaseline, type BaselineProblem } from '../../../src/core/baseline/index.js';
import { DomainError } from '../../../src/core/errors.js';

const FILE = 'conf/baseline.json';
const ALLOW = { Version: '2012-10-17', Statement: [{ Sid: 'List', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] };
const TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:{{Partition}}:iam::{{AccountId}}:root' }, Action: 'sts:AssumeRole' }],
};

type Raw = Record<string, any>;
function base(): Raw {
  return {
    version: 1,
    policies: [{ name: 'P', description: 'd', document: structuredClone(ALLOW) }],
    groups: [{ name: 'G', managedPolicies: ['P'], inlinePolicies: [{ name: 'I', document: structuredClone(ALLOW) }] }],
    roles: [{ name: 'R', maxSessionDuration: 3600, trustPolicy: structuredClone(TRUST), managedPolicies: ['arn:{{Partition}}:iam::aws:policy/ReadOnlyAccess'] }],
  };
}

function validate(raw: unknown, files: Record<string, string> = {}) {
  return validateBaseline(raw, {
    file: FILE,
    readDocument(rel) {
      if (!Object.hasOwn(files, rel)) throw new DomainError('BASELINE.NOT_FOUND', `no ${rel}`);
      return { text: files[rel], file: `conf/${rel}` };
    },
  });
}

function problemsOf(mutate: (b: Raw) => void, files?: Record<string, string>): BaselineProblem[] {
  const b = base();
  mutate(b);
  return validate(b, files).problems;
}

/** A managed/inline document whose size (white space not counted, as rendered) is exactly n. */
function docOfSize(n: number): Raw {
  const d = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: '' }] };
  d.Statement[0].Resource = 'x'.repeat(n - policySize(d));
  return d;
}
function trustOfSize(n: number): Raw {
  const d = structuredClone(TRUST) as Raw;
  d.Statement[0].Principal.AWS = 'arn:aws:iam::123456789012:root';
  d.Statement[0].Condition = { StringEquals: { 'sts:ExternalId': '' } };
  d.Statement[0].Condition.StringEquals['sts:ExternalId'] = 'x'.repeat(n - policySize(d));
  return d;
}

describe('validateBaseline', () => {
  it('accepts a valid baseline and applies defaults', () => {
    const { baseline, problems } = validate(base());
    expect(problems).toEqual([]);
    expect(baseline?.policies[0]).toMatchObject({ name: 'P', path: '/', description: 'd', document: ALLOW });
    expect(baseline?.groups[0]).toMatchObject({ path: '/', exclusive: false, managedPolicies: ['P'] });
    expect(baseline?.roles[0]).toMatchObject({ path: '/', inlinePolicies: [], exclusive: false, maxSessionDuration: 3600 });
  });

  const LONG = 'a'.repeat(129);
  const cases: [string, (b: Raw) => void, { field: string; rule: string; message?: RegExp }][] = [
    ['policies is not an array', (b) => Object.assign(b, { policies: 'x' }), { field: 'policies', rule: 'type' }],
    ['version missing', (b) => delete b.version, { field: 'version', rule: 'required' }],
    ['version is not 1', (b) => (b.version = 2), { field: 'version', rule: 'version', message: /unsupported version 2/ }],
    ['unknown top-level key', (b) => (b.polices = []), { field: 'polices', rule: 'unknown-key', message: /unknown key "polices"/ }],
    ['unknown key in a group', (b) => (b.groups[0].exclusiv = true), { field: 'groups[0].exclusiv', rule: 'unknown-key' }],
    ['unknown key in an inline policy', (b) => (b.groups[0].inlinePolicies[0].doc = {}), { field: 'groups[0].inlinePolicies[0].doc', rule: 'unknown-key' }],
    ['a policy is not an object', (b) => (b.policies[1] = 'P2'), { field: 'policies[1]', rule: 'type' }],
    ['name missing', (b) => delete b.groups[0].name, { field: 'groups[0]', rule: 'required' }],
    ['name is not a string', (b) => (b.groups[0].name = 5), { field: 'groups[0].name', rule: 'type' }],
    ['name has a space', (b) => (b.policies[0].name = 'My Policy'), { field: 'policies[0].name', rule: 'name-format', message: /"My Policy"/ }],
    ['name has a slash', (b) => (b.roles[0].name = 'a/b'), { field: 'roles[0].name', rule: 'name-format' }],
    ['name longer than 128', (b) => (b.groups[0].name = LONG), { field: 'groups[0].name', rule: 'name-length', message: /1 to 128/ }],
    ['role name longer than 64', (b) => (b.roles[0].name = 'r'.repeat(65)), { field: 'roles[0].name', rule: 'name-length', message: /1 to 64/ }],
    ['inline policy name invalid', (b) => (b.groups[0].inlinePolicies[0].name = 'a*b'), { field: 'groups[0].inlinePolicies[0].name', rule: 'name-format' }],
    ['path without trailing slash', (b) => (b.groups[0].path = '/team'), { field: 'groups[0].path', rule: 'path-format' }],
    ['path without leading slash', (b) => (b.policies[0].path = 'team/'), { field: 'policies[0].path', rule: 'path-format' }],
    ['path with a space', (b) => (b.roles[0].path = '/a b/'), { field: 'roles[0].path', rule: 'path-format' }],
    ['path longer than 512', (b) => (b.roles[0].path = `/${'p'.repeat(511)}/`), { field: 'roles[0].path', rule: 'path-length' }],
    ['duplicate policy names, case-insensitively', (b) => b.policies.push({ name: 'p', document: ALLOW }), { field: 'policies[1].name', rule: 'unique-name', message: /first at policies\[0\]\.name/ }],
    ['duplicate group names', (b) => b.groups.push({ name: 'G' }), { field: 'groups[1].name', rule: 'unique-name' }],
    ['duplicate role names', (b) => b.roles.push({ ...b.roles[0] }), { field: 'roles[1].name', rule: 'unique-name' }],
    [
      'duplicate inline names within a role',
      (b) => (b.roles[0].inlinePolicies = [{ name: 'X', document: ALLOW }, { name: 'x', document: ALLOW }]),
      { field: 'roles[0].inlinePolicies[1].name', rule: 'unique-name' },
    ],
    [
      'more than 10 managed policies',
      (b) => (b.groups[0].managedPolicies = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`)),
      { field: 'groups[0].managedPolicies', rule: 'max-managed-policies', message: /at most 10.*11 are listed/ },
    ],
    ['reference to an undeclared policy', (b) => (b.groups[0].managedPolicies = ['Nope']), { field: 'groups[0].managedPolicies[0]', rule: 'policy-reference', message: /declared policies: P/ }],
    ['reference in the wrong case', (b) => (b.groups[0].managedPolicies = ['p']), { field: 'groups[0].managedPolicies[0]', rule: 'policy-reference', message: /did you mean "P"/ }],
    ['ARN with a short account id', (b) => (b.roles[0].managedPolicies = ['arn:aws:iam::123:policy/X']), { field: 'roles[0].managedPolicies[0]', rule: 'policy-reference' }],
    ['ARN of a role, not a policy', (b) => (b.roles[0].managedPolicies = ['arn:aws:iam::123456789012:role/X']), { field: 'roles[0].managedPolicies[0]', rule: 'policy-reference' }],
    ['ARN in an unknown partition', (b) => (b.roles[0].managedPolicies = ['arn:aws-xx:iam::aws:policy/X']), { field: 'roles[0].managedPolicies[0]', rule: 'policy-reference' }],
    [
      'ARN with an unknown placeholder',
      (b) => (b.roles[0].managedPolicies = ['arn:aws:iam::{{Account}}:policy/X']),
      { field: 'roles[0].managedPolicies[0]', rule: 'placeholder', message: /unknown placeholder \{\{Account\}\}; known: AccountId, Partition/ },
    ],
    ['duplicate reference', (b) => (b.groups[0].managedPolicies = ['P', 'P']), { field: 'groups[0].managedPolicies[1]', rule: 'duplicate-reference' }],
    ['managedPolicies not an array', (b) => (b.groups[0].managedPolicies = 'P'), { field: 'groups[0].managedPolicies', rule: 'type' }],
    ['maxSessionDuration below 3600', (b) => (b.roles[0].maxSessionDuration = 900), { field: 'roles[0].maxSessionDuration', rule: 'max-session-duration', message: /3600 to 43200/ }],
    ['maxSessionDuration above 43200', (b) => (b.roles[0].maxSessionDuration = 43201), { field: 'roles[0].maxSessionDuration', rule: 'max-session-duration' }],
    ['maxSessionDuration not whole', (b) => (b.roles[0].maxSessionDuration = 3600.5), { field: 'roles[0].maxSessionDuration', rule: 'max-session-duration' }],
    ['trustPolicy missing', (b) => delete b.roles[0].trustPolicy, { field: 'roles[0]', rule: 'required', message: /trustPolicy is required/ }],
    ['document missing', (b) => delete b.policies[0].document, { field: 'policies[0]', rule: 'required' }],
    ['document is a number', (b) => (b.policies[0].document = 7), { field: 'policies[0].document', rule: 'type' }],
    ['document path is absolute', (b) => (b.policies[0].document = '/etc/p.json'), { field: 'policies[0].document', rule: 'relative-path' }],
    ['document file missing', (b) => (b.policies[0].document = 'policies/none.json'), { field: 'policies[0].document', rule: 'file-exists', message: /"policies\/none.json" does not exist/ }],
    ['exclusive not boolean', (b) => (b.groups[0].exclusive = 'yes'), { field: 'groups[0].exclusive', rule: 'type' }],
    ['description longer than 1000', (b) => (b.roles[0].description = 'd'.repeat(1001)), { field: 'roles[0].description', rule: 'description-length' }],
    ['description with a control character', (b) => (b.policies[0].description = 'a\u0007b'), { field: 'policies[0].description', rule: 'description-charset' }],
    // Document rules, on inline documents (paths continue inside the document).
    ['document Version missing', (b) => delete b.policies[0].document.Version, { field: 'policies[0].document', rule: 'document-version' }],
    ['document Version wrong', (b) => (b.policies[0].document.Version = '2012-10-18'), { field: 'policies[0].document.Version', rule: 'document-version' }],
    ['document is an array', (b) => (b.policies[0].document = [ALLOW]), { field: 'policies[0].document', rule: 'type' }],
    ['unknown document element', (b) => (b.policies[0].document.Statements = []), { field: 'policies[0].document.Statements', rule: 'unknown-element' }],
    ['Statement missing', (b) => delete b.policies[0].document.Statement, { field: 'policies[0].document', rule: 'document-statement' }],
    ['Statement empty', (b) => (b.policies[0].document.Statement = []), { field: 'policies[0].document.Statement', rule: 'document-statement' }],
    ['Statement a string', (b) => (b.policies[0].document.Statement = 'x'), { field: 'policies[0].document.Statement', rule: 'document-statement' }],
    ['a statement not an object', (b) => b.policies[0].document.Statement.push('x'), { field: 'policies[0].document.Statement[1]', rule: 'document-statement' }],
    ['Effect lower-case', (b) => (b.groups[0].inlinePolicies[0].document.Statement[0].Effect = 'allow'), { field: 'groups[0].inlinePolicies[0].document.Statement[0].Effect', rule: 'statement-effect' }],
    ['Effect missing', (b) => delete b.policies[0].document.Statement[0].Effect, { field: 'policies[0].document.Statement[0]', rule: 'statement-effect' }],
    ['Action and NotAction missing', (b) => delete b.policies[0].document.Statement[0].Action, { field: 'policies[0].document.Statement[0]', rule: 'statement-action' }],
    ['both Action and NotAction', (b) => (b.policies[0].document.Statement[0].NotAction = 'x:y'), { field: 'policies[0].document.Statement[0]', rule: 'statement-action' }],
    ['Action an empty array', (b) => (b.policies[0].document.Statement[0].Action = []), { field: 'policies[0].document.Statement[0].Action', rule: 'statement-action' }],
    ['statement element unknown', (b) => (b.policies[0].document.Statement[0].Resources = '*'), { field: 'policies[0].document.Statement[0].Resources', rule: 'unknown-element' }],
    ['trust policy without Principal', (b) => delete b.roles[0].trustPolicy.Statement[0].Principal, { field: 'roles[0].trustPolicy.Statement[0]', rule: 'statement-principal' }],
    ['trust policy with Resource', (b) => (b.roles[0].trustPolicy.Statement[0].Resource = '*'), { field: 'roles[0].trustPolicy.Statement[0].Resource', rule: 'statement-resource' }],
    ['identity policy with Principal', (b) => (b.policies[0].document.Statement[0].Principal = '*'), { field: 'policies[0].document.Statement[0].Principal', rule: 'statement-principal' }],
    ['identity policy without Resource', (b) => delete b.policies[0].document.Statement[0].Resource, { field: 'policies[0].document.Statement[0]', rule: 'statement-resource' }],
    ['duplicate Sid', (b) => b.policies[0].document.Statement.push({ ...ALLOW.Statement[0] }), { field: 'policies[0].document.Statement[1].Sid', rule: 'unique-sid' }],
    ['Sid with a dash', (b) => (b.policies[0].document.Statement[0].Sid = 'a-b'), { field: 'policies[0].document.Statement[0].Sid', rule: 'sid-format' }],
    [
      'unknown placeholder in a document',
      (b) => (b.policies[0].document.Statement[0].Resource = 'arn:aws:s3:::{{Bucket}}'),
      { field: 'policies[0].document.Statement[0].Resource', rule: 'placeholder', message: /^unknown placeholder \{\{Bucket\}\}; known: AccountId, Partition$/ },
    ],
    [
      'unknown placeholder in a condition key',
      (b) => (b.roles[0].trustPolicy.Statement[0].Condition = { StringEquals: { '{{Key}}': 'v' } }),
      { field: 'roles[0].trustPolicy.Statement[0].Condition.StringEquals["{{Key}}"]', rule: 'placeholder' },
    ],
    ['unbalanced braces', (b) => (b.policies[0].document.Statement[0].Resource = 'arn:{{Partition}:s3:::x'), { field: 'policies[0].document.Statement[0].Resource', rule: 'placeholder-syntax' }],
    [
      'a character outside U+0020–U+00FF',
      (b) => (b.policies[0].document.Statement[0].Resource = 'arn:aws:s3:::bucket\u2019s'),
      { field: 'policies[0].document.Statement[0].Resource', rule: 'charset', message: /U\+2019/ },
    ],
    ['managed policy over 6144', (b) => (b.policies[0].document = docOfSize(6145)), { field: 'policies[0].document', rule: 'managed-policy-size', message: /at most 6144.*has 6145/ }],
    ['group inline policy over 5120', (b) => (b.groups[0].inlinePolicies[0].document = docOfSize(5121)), { field: 'groups[0].inlinePolicies[0].document', rule: 'inline-policy-size' }],
    [
      'role inline policy over 10240',
      (b) => (b.roles[0].inlinePolicies = [{ name: 'I', document: docOfSize(10241) }]),
      { field: 'roles[0].inlinePolicies[0].document', rule: 'inline-policy-size', message: /at most 10240/ },
    ],
    ['trust policy over 2048', (b) => (b.roles[0].trustPolicy = trustOfSize(2049)), { field: 'roles[0].trustPolicy', rule: 'trust-policy-size' }],
    [
      'group inline policies together over 5120',
      (b) => (b.groups[0].inlinePolicies = [{ name: 'A', document: docOfSize(3000) }, { name: 'B', document: docOfSize(3000) }]),
      { field: 'groups[0].inlinePolicies', rule: 'inline-aggregate-size', message: /total 6000/ },
    ],
  ];

  it.each(cases)('%s', (_name, mutate, expected) => {
    const problems = problemsOf(mutate);
    const match = problems.find((p) => p.field === expected.field && p.rule === expected.rule);
    expect(match, `expected ${expected.rule} at ${expected.field}; got ${JSON.stringify(problems, null, 1)}`).toBeDefined();
    expect(match?.file).toBe(FILE);
    if (expected.message) expect(match?.message).toMatch(expected.message);
    const line = formatProblem(match as BaselineProblem);
    expect(line).toContain(FILE);
    expect(line).toContain(expected.field);
    expect(line).toContain(expected.rule);
    expect(validate(((b) => (mutate(b), b))(base())).baseline).toBeUndefined();
  });

  it('accepts sizes exactly at each limit', () => {
    const b = base();
    b.policies[0].document = docOfSize(6144);
    b.groups[0].inlinePolicies[0].document = docOfSize(5120);
    b.roles[0].inlinePolicies = [{ name: 'I', document: docOfSize(10240) }];
    b.roles[0].trustPolicy = trustOfSize(2048);
    expect(validate(b).problems).toEqual([]);
  });

  it('measures size without white space, as rendered for the longest account id and partition', () => {
    const b = base();
    // Written with placeholders the raw text is longer than the limit; rendered for aws-us-gov it fits exactly.
    const d = docOfSize(6144);
    const resource = d.Statement[0].Resource as string;
    const template = 'arn:{{Partition}}:iam::{{AccountId}}:x/';
    const rendered = 'arn:aws-us-gov:iam::123456789012:x/';
    d.Statement[0].Resource = template + resource.slice(rendered.length);
    b.policies[0].document = JSON.parse(JSON.stringify(d, null, 8));
    expect(policySize(d)).toBeGreaterThan(6144);
    expect(validate(b).problems).toEqual([]);
    d.Statement[0].Resource = `${template}x${resource.slice(rendered.length)}`;
    b.policies[0].document = d;
    expect(validate(b).problems.map((p) => p.rule)).toEqual(['managed-policy-size']);
  });

  it('lets IAM policy variables and the PASTE_ACCOUNT_NUMBER alias through', () => {
    const b = base();
    b.policies[0].document.Statement[0].Resource = 'arn:aws:iam::PASTE_ACCOUNT_NUMBER:user/${aws:username}';
    expect(validate(b).problems).toEqual([]);
  });

  it('accepts a reference by ARN to a policy declared in the same baseline, and AWS managed ARNs in every partition', () => {
    const b = base();
    b.groups[0].managedPolicies = [
      'P',
      'arn:{{Partition}}:iam::{{AccountId}}:policy/P',
      'arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      'arn:aws-us-gov:iam::123456789012:policy/team/Custom',
    ];
    expect(validate(b).problems).toEqual([]);
  });

  it('reports every problem at once, across the baseline and its document files', () => {
    const b = base();
    b.version = 3;
    b.groups[0].name = 'bad name';
    b.policies[0].document = 'policies/p.json';
    b.roles[0].trustPolicy = 'policies/trust.json';
    b.roles[0].inlinePolicies = [{ name: 'I', document: 'policies/missing.json' }];
    const files = {
      'policies/p.json': JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Permit', Action: 'a:b', Resource: '*' }] }),
      'policies/trust.json': '{\n  "Version": "2012-10-17",\n  "Statement": [\n    { "Effect": "Allow" "Action": "sts:AssumeRole" }\n  ]\n}',
    };
    const { baseline, problems } = validate(b, files);
    expect(baseline).toBeUndefined();
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: FILE, field: 'version', rule: 'version' }),
        expect.objectContaining({ file: FILE, field: 'groups[0].name', rule: 'name-format' }),
        expect.objectContaining({ file: 'conf/policies/p.json', field: 'Statement[0].Effect', rule: 'statement-effect', message: expect.stringContaining('used as policies[0].document in conf/baseline.json') }),
        expect.objectContaining({ file: 'conf/policies/trust.json', field: '$', rule: 'json-syntax', message: expect.stringMatching(/line 4, column \d+/) }),
        expect.objectContaining({ file: FILE, field: 'roles[0].inlinePolicies[0].document', rule: 'file-exists' }),
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('checks a document file against the limit of how it is used', () => {
    const big = JSON.stringify(docOfSize(3000));
    const b = base();
    b.groups[0].inlinePolicies = [{ name: 'A', document: 'a.json' }];
    b.roles[0].trustPolicy = 'a.json';
    const problems = validate(b, { 'a.json': big }).problems;
    expect(problems.filter((p) => p.rule === 'trust-policy-size')).toEqual([
      expect.objectContaining({ file: 'conf/a.json', field: '$', message: expect.stringContaining('roles[0].trustPolicy') }),
    ]);
    expect(problems.some((p) => p.rule === 'inline-policy-size')).toBe(false);
  });

  it('reports a problem in a shared document file once per place it is used', () => {
    const b = base();
    b.groups[0].inlinePolicies = [{ name: 'A', document: 'bad.json' }];
    b.groups.push({ name: 'G2', inlinePolicies: [{ name: 'A', document: 'bad.json' }] });
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 'a:b', Resource: '*' }] });
    const problems = validate(b, { 'bad.json': text }).problems.filter((p) => p.rule === 'statement-effect');
    expect(problems).toHaveLength(2); // one per place it is used: the messages differ
    expect(new Set(problems.map((p) => p.message)).size).toBe(2);
  });

  it('reports a non-object baseline', () => {
    expect(validate([]).problems).toEqual([expect.objectContaining({ file: FILE, field: '$', rule: 'type' })]);
  });
});
