import type { AccountIam, InlinePolicy, Tag } from './model.js';

/** Documents are stored as submitted; the dump shows them parsed, so tests and humans can read them. */
function parsed(document: string): unknown {
  try {
    return JSON.parse(document);
  } catch {
    return document;
  }
}

const tagsObject = (tags: readonly Tag[]): Record<string, string> => Object.fromEntries(tags.map((t) => [t.key, t.value]));

function inlineObject(inline: ReadonlyMap<string, InlinePolicy>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of inline.values()) out[p.name] = parsed(p.document);
  return out;
}

/** JSON-able view of one account's IAM state; an untouched account dumps as empty lists. */
export function dumpAccount(accountId: string, account: AccountIam | undefined) {
  if (!account) return { accountId, policies: [], groups: [], roles: [], users: [] };
  const userName = (key: string): string => account.users.get(key)?.name ?? key;
  const groupName = (key: string): string => account.groups.get(key)?.name ?? key;
  return {
    accountId,
    policies: [...account.policies.values()].map((p) => ({
      name: p.name,
      path: p.path,
      arn: p.arn,
      id: p.id,
      description: p.description,
      defaultVersionId: p.defaultVersionId,
      attachmentCount: account.attachmentCount(p.arn),
      createDate: p.createDate,
      updateDate: p.updateDate,
      tags: tagsObject(p.tags),
      versions: p.versions.map((v) => ({
        versionId: v.versionId,
        isDefaultVersion: v.versionId === p.defaultVersionId,
        createDate: v.createDate,
        document: parsed(v.document),
      })),
    })),
    groups: [...account.groups.values()].map((g) => ({
      name: g.name,
      path: g.path,
      arn: g.arn,
      id: g.id,
      createDate: g.createDate,
      attachedPolicyArns: g.attached.slice(),
      inlinePolicies: inlineObject(g.inline),
      members: [...g.members].map(userName),
    })),
    roles: [...account.roles.values()].map((r) => ({
      name: r.name,
      path: r.path,
      arn: r.arn,
      id: r.id,
      createDate: r.createDate,
      description: r.description,
      maxSessionDuration: r.maxSessionDuration,
      trustPolicy: parsed(r.trustPolicy),
      attachedPolicyArns: r.attached.slice(),
      inlinePolicies: inlineObject(r.inline),
      tags: tagsObject(r.tags),
    })),
    users: [...account.users.values()].map((u) => ({
      name: u.name,
      path: u.path,
      arn: u.arn,
      id: u.id,
      createDate: u.createDate,
      groups: [...u.groups].map(groupName),
      loginProfile: u.loginProfile !== undefined,
      mfaDevices: u.mfaDevices.map((d) => d.serialNumber),
      accessKeys: u.accessKeys.map((k) => k.accessKeyId),
      tags: tagsObject(u.tags),
    })),
  };
}
