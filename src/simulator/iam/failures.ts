import { SimError } from '../protocol.js';

/** IAM's error codes with the HTTP status the SDK's model declares for each. */

export const noSuchEntity = (message: string): SimError => new SimError('NoSuchEntity', message, 404);
export const entityAlreadyExists = (message: string): SimError => new SimError('EntityAlreadyExists', message, 409);
export const limitExceeded = (message: string): SimError => new SimError('LimitExceeded', message, 409);
export const deleteConflict = (message: string): SimError => new SimError('DeleteConflict', message, 409);
export const malformedPolicy = (message: string): SimError => new SimError('MalformedPolicyDocument', message, 400);
export const invalidInput = (message: string): SimError => new SimError('InvalidInput', message, 400);
export const policyNotAttachable = (message: string): SimError => new SimError('PolicyNotAttachable', message, 400);
export const invalidAction = (action: string): SimError =>
  new SimError('InvalidAction', `Could not find operation ${action} for version 2010-05-08`, 400);

/** The wording of IAM's (Smithy) input validation failures. */
export function validationError(field: string, value: string | number | null, constraint: string): SimError {
  const shown = value === null ? 'null' : `'${value}'`;
  return new SimError(
    'ValidationError',
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
    400,
  );
}
