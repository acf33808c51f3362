/**
 * docs/member-role.cfn.yaml writes config/iam/member-role-policy.json and
 * member-role-trust.json out for CloudFormation; this keeps the three in step, and the
 * role name in step with the hub policy and the deployment examples.
 */
import { parse, type Tags } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readJson, readText, readYaml } from './deploy-rules.js';

/** CloudFormation's short-form intrinsics, read as their long forms. */
const CFN_TAGS: Tags = ['Sub', 'Ref', 'GetAtt', 'Join', 'If', 'Equals', 'Not', 'Select', 'Split'].flatMap((fn) => {
  const key = fn === 'Ref' ? 'Ref' : `Fn::${fn}`;
  return [
    { tag: `!${fn}`, resolve: (value: unknown) => ({ [key]: fn === 'GetAtt' && typeof value === 'string' ? value.split('.') : value }) },
    { tag: `!${fn}`, collection: 'seq' as const, resolve: (value: { toJSON(): unknown }) => ({ [key]: value.toJSON() }) },
  ];
});

const template = parse(readText('docs/member-role.cfn.yaml'), { customTags: CFN_TAGS });
const role = template.Resources.MemberRole;

/** Back to the config/iam template syntax: `${AWS::Partition}` → `{{Partition}}`, `${P}` / Ref P → `{{P}}`. */
function toConfigTemplate(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toConfigTemplate);
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o['Fn::Sub'] === 'string') return o['Fn::Sub'].replace(/\$\{AWS::Partition\}/g, '{{Partition}}').replace(/\$\{(\w+)\}/g, '{{$1}}');
    if (typeof o.Ref === 'string') return `{{${o.Ref}}}`;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toConfigTemplate(v)]));
  }
  return node;
}

describe('member role CloudFormation template', () => {
  it('grants exactly config/iam/member-role-policy.json', () => {
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.Policies).toHaveLength(1);
    expect(toConfigTemplate(role.Properties.Policies[0].PolicyDocument)).toEqual(readJson('config/iam/member-role-policy.json'));
  });

  it('trusts exactly as config/iam/member-role-trust.json', () => {
    expect(toConfigTemplate(role.Properties.AssumeRolePolicyDocument)).toEqual(readJson('config/iam/member-role-trust.json'));
  });

  it('declares a parameter for every placeholder of the trust policy', () => {
    const placeholders = new Set([...readText('config/iam/member-role-trust.json').matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]));
    placeholders.delete('Partition');
    expect(new Set(Object.keys(template.Parameters))).toEqual(placeholders);
    expect(template.Parameters.ExternalId.NoEcho).toBe(true);
  });

  it('creates the role name the hub policy may assume and the deployment examples use', () => {
    const name = role.Properties.RoleName;
    const hub = readJson('config/iam/hub-policy.json');
    const assumable = hub.Statement.filter((s: { Action: string | string[] }) => [s.Action].flat().includes('sts:AssumeRole')).flatMap((s: { Resource: string | string[] }) => [s.Resource].flat());
    expect(assumable).toContain(`arn:{{Partition}}:iam::*:role/${name}`);
    expect(readYaml('docker/kubernetes/configmap.yaml').data.ROLLOUT_ROLE_NAME).toBe(name);
    const task = readJson('docker/ecs/task-definition.json');
    expect(task.containerDefinitions[0].environment).toContainEqual({ name: 'ROLLOUT_ROLE_NAME', value: name });
  });
});
