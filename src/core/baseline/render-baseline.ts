import { DomainError } from '../errors.js';
import type { Baseline, DesiredState, InlinePolicySpec, RenderContext } from '../model.js';
import { renderJson, renderString } from './templates.js';

const PARTITION = /^aws(-[a-z]+)*$/;

/** The ARN of a customer managed policy: `arn:PARTITION:iam::ACCOUNT:policy/PATH/NAME`. */
export function policyArn(ctx: RenderContext, path: string, name: string): string {
  return `arn:${ctx.partition}:iam::${ctx.accountId}:policy${path}${name}`;
}

/** Renders templates for one account. The baseline must have passed validateBaseline. */
export function renderBaseline(baseline: Baseline, ctx: RenderContext): DesiredState {
  if (!/^\d{12}$/.test(ctx.accountId)) throw new TypeError(`accountId must be 12 digits, got ${JSON.stringify(ctx.accountId)}`);
  if (!PARTITION.test(ctx.partition)) throw new TypeError(`partition must look like aws, aws-cn or aws-us-gov, got ${JSON.stringify(ctx.partition)}`);

  const arnByName = new Map(baseline.policies.map((p) => [p.name, policyArn(ctx, p.path, p.name)]));
  const arns = (refs: string[]): string[] => {
    const out = refs.map((ref) => {
      const declared = arnByName.get(ref);
      if (declared) return declared;
      if (ref.startsWith('arn:')) return renderString(ref, ctx);
      throw new DomainError('BASELINE.INVALID', `managed policy reference "${ref}" is neither a baseline policy nor an ARN`);
    });
    // A baseline policy may be listed both by name and by its ARN; attach it once.
    return [...new Set(out)];
  };
  const inline = (specs: InlinePolicySpec[]) => specs.map((p) => ({ name: p.name, document: renderJson(p.document, ctx) }));

  return {
    policies: baseline.policies.map((p) => ({
      name: p.name,
      path: p.path,
      arn: arnByName.get(p.name) as string,
      ...(p.description !== undefined && { description: p.description }),
      document: renderJson(p.document, ctx),
    })),
    groups: baseline.groups.map((g) => ({
      name: g.name,
      path: g.path,
      managedPolicyArns: arns(g.managedPolicies),
      inlinePolicies: inline(g.inlinePolicies),
      exclusive: g.exclusive,
    })),
    roles: baseline.roles.map((r) => ({
      name: r.name,
      path: r.path,
      ...(r.description !== undefined && { description: r.description }),
      ...(r.maxSessionDuration !== undefined && { maxSessionDuration: r.maxSessionDuration }),
      trustPolicy: renderJson(r.trustPolicy, ctx),
      managedPolicyArns: arns(r.managedPolicies),
      inlinePolicies: inline(r.inlinePolicies),
      exclusive: r.exclusive,
    })),
  };
}
