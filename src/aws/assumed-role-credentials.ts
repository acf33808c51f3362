/**
 * Credentials of one member account: AssumeRole once, reuse, refresh ahead of expiry.
 *
 * Not `fromTemporaryCredentials`: each of its providers builds its own STS client (10,000
 * accounts, 10,000 clients with their own config resolution), and its AssumeRole calls
 * would run under the SDK's retry layer, outside retry.ts, uncounted in the account's
 * apiCalls and invisible to telemetry. This provider shares ONE STS client and sends
 * AssumeRole through the same policy as every other call.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { DomainError, isDomainError } from '../core/errors.js';
import type { CallCounter } from '../core/ports.js';
import type { RetryPolicy } from './retry.js';
import { abortReason } from './retry.js';
import { withPolicy } from './sdk-call.js';

/** Refresh this long before expiry (the SDK's own providers use 5 minutes). */
export const REFRESH_AHEAD_MS = 5 * 60_000;

export interface AssumeRoleParams {
  accountId: string;
  roleArn: string;
  sessionName: string;
  externalId?: string;
  durationSeconds: number;
}

export interface CredentialCall {
  calls?: CallCounter;
  signal?: AbortSignal;
}

interface Held {
  identity: AwsCredentialIdentity;
  refreshAt: number;
}

export class AssumedRoleCredentials {
  private held?: Held;
  private pending?: Promise<AwsCredentialIdentity>;

  constructor(
    private readonly sts: STSClient,
    private readonly policy: RetryPolicy,
    readonly params: AssumeRoleParams,
    private readonly now: () => number = Date.now,
  ) {}

  /** Current credentials; assumes the role when none are held or they are due for refresh. */
  async get(call: CredentialCall = {}): Promise<AwsCredentialIdentity> {
    if (this.held && this.now() < this.held.refreshAt) return this.held.identity;
    // Concurrent callers of one account share one AssumeRole.
    this.pending ??= this.assume(call).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** The time of the next refresh (ms since epoch), for tests and logs. */
  get refreshAt(): number | undefined {
    return this.held?.refreshAt;
  }

  private async assume(call: CredentialCall): Promise<AwsCredentialIdentity> {
    const { accountId, roleArn, sessionName, externalId, durationSeconds } = this.params;
    const issuedAt = this.now();
    let out;
    try {
      out = await this.sts.send(
        withPolicy(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: sessionName,
            DurationSeconds: durationSeconds,
            ...(externalId ? { ExternalId: externalId } : {}),
          }),
          this.policy,
          { service: 'sts', calls: call.calls, signal: call.signal },
        ),
        { abortSignal: call.signal },
      );
    } catch (e) {
      if (call.signal?.aborted) throw abortReason(call.signal);
      throw assumeRoleFailed(e, accountId, roleArn);
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new DomainError('ROLLOUT.ASSUME_ROLE_FAILED', `AssumeRole ${roleArn} returned no credentials`, {
        awsCode: 'InvalidResponse',
        accountId,
        roleArn,
      });
    }
    const expiresAt = c.Expiration instanceof Date ? c.Expiration.getTime() : issuedAt + durationSeconds * 1000;
    // Short-lived sessions (tests, strict roles) would otherwise be "due" from the start.
    const ahead = Math.min(REFRESH_AHEAD_MS, Math.max(0, (expiresAt - issuedAt) / 4));
    const identity: AwsCredentialIdentity = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: new Date(expiresAt),
    };
    this.held = { identity, refreshAt: expiresAt - ahead };
    return identity;
  }
}

function assumeRoleFailed(e: unknown, accountId: string, roleArn: string): DomainError {
  const awsCode = isDomainError(e) ? String((e as DomainError).details?.awsCode ?? e.code) : 'Unknown';
  const message = isDomainError(e) ? e.message : 'AssumeRole failed';
  return new DomainError('ROLLOUT.ASSUME_ROLE_FAILED', `cannot assume ${roleArn}: ${message}`, { awsCode, accountId, roleArn }, { cause: e });
}
