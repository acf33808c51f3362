/**
 * STS in the query protocol: AssumeRole and GetCallerIdentity.
 */
import { SimError, STS_XMLNS, queryResponse, xmlTag, type CallerContext, type QueryParams } from '../protocol.js';
import type { IamWorld } from '../iam/index.js';
import type { CredentialStore } from '../credentials.js';
import { roleIdFor } from '../credentials.js';
import type { SimOrganization } from '../org/organization.js';

export interface StsContext {
  org: SimOrganization;
  iam: IamWorld;
  credentials: CredentialStore;
  now(): number;
  /** When set, issued credentials expire after this many seconds whatever DurationSeconds asked. */
  credentialTtlSeconds?: number;
}

const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID_RE = /^[\w+=,.@:/-]{2,1224}$/;
// arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME
const ROLE_ARN_RE = /^arn:([\w-]+):iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;
// Sessions are usable while the account is; suspended, closing and closed accounts refuse them.
const ASSUMABLE_STATES = new Set(['ACTIVE', 'PENDING_ACTIVATION']);

export const STS_ACTIONS = new Set(['AssumeRole', 'GetCallerIdentity']);

/** The account of the role an AssumeRole names (for stats and scripted faults), if it parses. */
export function roleArnAccount(params: QueryParams): string | undefined {
  return ROLE_ARN_RE.exec(params.get('RoleArn') ?? '')?.[2];
}

function validation(message: string): SimError {
  return new SimError('ValidationError', message, 400);
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function assumeRole(ctx: StsContext, caller: CallerContext, params: QueryParams, requestId: string): string {
  const roleArn = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  if (!roleArn) throw validation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  if (!sessionName) throw validation("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  if (!SESSION_NAME_RE.test(sessionName)) {
    throw validation(
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  const rawDuration = params.get('DurationSeconds');
  let duration = 3600;
  if (rawDuration !== undefined) {
    duration = /^\d+$/.test(rawDuration) ? Number(rawDuration) : NaN;
    if (!(duration >= 900 && duration <= 43200)) {
      throw validation(
        `1 validation error detected: Value '${rawDuration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
      );
    }
  }
  const externalId = params.get('ExternalId');
  if (externalId !== undefined && !EXTERNAL_ID_RE.test(externalId)) {
    throw validation("1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must have length between 2 and 1224 and satisfy regular expression pattern: [\\w+=,.@:/-]*");
  }
  const m = ROLE_ARN_RE.exec(roleArn);
  if (!m) throw validation(`${roleArn} is invalid`);
  const [, partition, accountId, roleName] = m;
  if (caller.assumedRole && duration > 3600) {
    throw validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  const account = ctx.org.account(accountId);
  const allowed = partition === ctx.org.partition && account !== undefined && ASSUMABLE_STATES.has(account.state) && ctx.iam.hasRole(accountId, roleName);
  if (!allowed) {
    throw new SimError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
  }

  const ttl = ctx.credentialTtlSeconds ?? duration;
  const creds = ctx.credentials.issue({ accountId, roleName, sessionName, expiresAt: ctx.now() + ttl * 1000 });
  const result =
    `<Credentials>${xmlTag('AccessKeyId', creds.accessKeyId)}${xmlTag('SecretAccessKey', creds.secretAccessKey)}` +
    `${xmlTag('SessionToken', creds.sessionToken)}${xmlTag('Expiration', isoSeconds(creds.expiresAt))}</Credentials>` +
    `<AssumedRoleUser>${xmlTag('AssumedRoleId', `${creds.roleId}:${sessionName}`)}` +
    `${xmlTag('Arn', `arn:${ctx.org.partition}:sts::${accountId}:assumed-role/${roleName}/${sessionName}`)}</AssumedRoleUser>`;
  return queryResponse('AssumeRole', result, requestId, STS_XMLNS);
}

function getCallerIdentity(caller: CallerContext, requestId: string): string {
  const userId = caller.assumedRole ? `${roleIdFor(caller.accountId, caller.assumedRole.roleName)}:${caller.assumedRole.sessionName}` : caller.accountId;
  const result = `${xmlTag('UserId', userId)}${xmlTag('Account', caller.accountId)}${xmlTag('Arn', caller.arn)}`;
  return queryResponse('GetCallerIdentity', result, requestId, STS_XMLNS);
}

/** Handles one STS action; returns the XML body or throws SimError. */
export function handleStsAction(ctx: StsContext, caller: CallerContext, action: string, params: QueryParams, requestId: string): string {
  if (action === 'GetCallerIdentity') return getCallerIdentity(caller, requestId);
  if (action === 'AssumeRole') return assumeRole(ctx, caller, params, requestId);
  throw new SimError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`, 400);
}
