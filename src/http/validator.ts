import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from '@fastify/type-provider-typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

/**
 * Validates with TypeBox's compiler, like the type provider's TypeBoxValidatorCompiler, and adds
 * what that one leaves out: schema defaults for the query string and params (`?limit` absent → 20).
 * Bodies are checked
 * as sent, never coerced: `"concurrency": "5"` is a type error, not 5. Unknown fields are rejected
 * (every schema sets `additionalProperties: false`); nothing is silently removed.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  return (value: unknown) => {
    const input = httpPart === 'body' ? value : Value.Default(schema, Value.Convert(schema, value ?? {}));
    if (check.Check(input)) return { value: input };
    return { error: [...check.Errors(input)] as never };
  };
};
