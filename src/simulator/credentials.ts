/**
 * Temporary credentials the simulator's STS has issued. The access key identifies the
 * caller; the session token must match; expiry is checked on every request.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  accountId: string;
  roleName: string;
  sessionName: string;
  /** The role's unique id (AROA…), part of the assumed-role user id. */
  roleId: string;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomKey(prefix: string, length: number): string {
  const bytes = randomBytes(length - prefix.length);
  let s = prefix;
  for (const b of bytes) s += KEY_ALPHABET[b & 31];
  return s;
}

/** Stable per (account, role), like a real role id that survives sessions. */
export function roleIdFor(accountId: string, roleName: string): string {
  const digest = createHash('sha256').update(`${accountId}:${roleName}`).digest();
  let s = 'AROA';
  for (let i = 0; i < 17; i++) s += KEY_ALPHABET[digest[i] & 31];
  return s;
}

export class CredentialStore {
  // Expired entries are kept on purpose: a late request must read ExpiredToken, not pass as the management account.
  private readonly byKey = new Map<string, IssuedCredentials>();

  issue(grant: { accountId: string; roleName: string; sessionName: string; expiresAt: number }): IssuedCredentials {
    const creds: IssuedCredentials = {
      ...grant,
      accessKeyId: randomKey('ASIA', 20),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `FwoGZXIvYXdzE${randomBytes(96).toString('base64')}`,
      roleId: roleIdFor(grant.accountId, grant.roleName),
    };
    this.byKey.set(creds.accessKeyId, creds);
    return creds;
  }

  get(accessKeyId: string): IssuedCredentials | undefined {
    return this.byKey.get(accessKeyId);
  }

  get size(): number {
    return this.byKey.size;
  }
}
