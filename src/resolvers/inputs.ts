import { GraphQLError } from 'graphql';
import { z } from 'zod';

/** A refused input: a GraphQL error a developer can act on, raised before any vendor call. */
export function badInput(message: string, field: string[]): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } });
}

// Vendor ids may be database ids, e-mails or random strings, so most characters are allowed
// (they are percent-encoded into paths). What is refused could only be a mistake or an attack:
// control characters, and `.`/`..`, which address another resource even when encoded.
const identifier = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')
  .refine((value) => value !== '.' && value !== '..', 'must not be "." or ".."');

/** Validates an id argument; `field` is its path in the request, for the error. */
export function parseId(value: string, field: string[]): string {
  const parsed = identifier.safeParse(value);
  if (!parsed.success) throw badInput(`${field.join('.')} ${parsed.error.issues[0]?.message ?? 'is invalid'}`, field);
  return parsed.data;
}
