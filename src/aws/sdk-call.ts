/**
 * Binds the retry policy to one SDK command, as a middleware of that command only, so the
 * same code path serves direct sends and the SDK paginators (through their `withCommand`).
 * It sits at the initialize step: each attempt is serialized and signed afresh, with the
 * current credentials. The account's call counter sits next to the transport.
 */
import type { AbsoluteLocation, DeserializeHandlerOptions, DeserializeMiddleware, InitializeHandlerOptions, InitializeMiddleware } from '@smithy/types';
import { operationKind, type AwsService, type RetryPolicy } from './retry.js';
import type { CallCounter } from '../core/ports.js';

interface InstrumentableCommand {
  middlewareStack: {
    add(middleware: InitializeMiddleware<any, any>, options: InitializeHandlerOptions & AbsoluteLocation): void;
    add(middleware: DeserializeMiddleware<any, any>, options: DeserializeHandlerOptions & AbsoluteLocation): void;
  };
}

export interface CallBinding {
  service: AwsService;
  calls?: CallCounter;
  signal?: AbortSignal;
}

export function withPolicy<C extends InstrumentableCommand>(command: C, policy: RetryPolicy, binding: CallBinding): C {
  const { calls, ...rest } = binding;
  const retry: InitializeMiddleware<any, any> = (next, context) => (args) => {
    const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
    return policy.run({ ...rest, operation, kind: operationKind(operation) }, () => next(args));
  };
  command.middlewareStack.add(retry, { step: 'initialize', priority: 'high', name: 'orgIamRolloutRetryMiddleware' });
  if (calls) {
    // Counted at the deserialize step, after signing: an attempt that fails before it is sent
    // (its credentials could not be refreshed) never reached AWS.
    const count: DeserializeMiddleware<any, any> = (next, context) => (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      if (operationKind(operation) === 'write') calls.writes++;
      else calls.reads++;
      return next(args);
    };
    command.middlewareStack.add(count, { step: 'deserialize', priority: 'low', name: 'orgIamRolloutCallCounter' });
  }
  return command;
}
