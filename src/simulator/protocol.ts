/**
 * Wire-protocol helpers shared by the simulator's services.
 * STS and IAM speak the AWS query protocol (form-encoded requests, XML responses);
 * Organizations speaks JSON 1.1.
 */

/** An AWS error as the simulator answers it. `status` drives which exception class the SDKs raise. */
export class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Query protocol only: Sender for client errors, Receiver for server errors. */
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = 'SimError';
  }
}

export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<Name>escaped value</Name>`, or '' when the value is undefined. */
export function xmlTag(name: string, value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

/** A query-protocol list: `<Name><member>…</member>…</Name>`; items are already-serialized XML. */
export function xmlMembers(name: string, itemsXml: string[]): string {
  return `<${name}>${itemsXml.map((x) => `<member>${x}</member>`).join('')}</${name}>`;
}

export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** The full success envelope of a query-protocol action. `resultXml` is the inner XML of `<ActionResult>`. */
export function queryResponse(action: string, resultXml: string, requestId: string, xmlns: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${xmlns}">` +
    `<${action}Result>${resultXml}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

/** The query-protocol error envelope. */
export function queryError(err: SimError, requestId: string, xmlns: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${xmlns}"><Error>` +
    `<Type>${err.type}</Type><Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message>` +
    `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** RFC 3986 encoding, as IAM returns policy documents. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The caller of one request, resolved from its SigV4 access key. */
export interface CallerContext {
  accountId: string;
  partition: string;
  /** ARN of the caller (root user of the management account, or the assumed-role session). */
  arn: string;
  /** Set when the credentials came from AssumeRole. */
  assumedRole?: { roleName: string; sessionName: string };
}

/** Query-protocol parameters, flattened (`PolicyArn`, `Tags.member.1.Key`, …). */
export type QueryParams = Map<string, string>;
