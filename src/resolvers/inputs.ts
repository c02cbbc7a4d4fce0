import { GraphQLError } from 'graphql';
import { z } from 'zod';

/** A refused input: a GraphQL error a developer can act on, raised before any vendor call. */
export function badInput(message: string, field: string[]): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } });
}

// Ids go into vendor URLs. Merchant ids are database ids, random strings or e-mails, and vendor
// ids UUIDs or `cust_…` strings, so an allow-list covers them all and refuses what could only be a
// mistake or an attack: path and query syntax (`/`, `?`, `#`, `%`), dot segments, whitespace,
// control and non-ASCII characters (look-alike ids).
const identifier = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.~@+:=-]*$/,
    'may only contain letters, digits and _ . ~ @ + : = - (starting with a letter, digit or _)',
  )
  .refine((value) => !value.includes('..'), 'must not contain ".."');

/** Validates an id argument; `field` is its path in the request, for the error. */
export function parseId(value: string, field: string[]): string {
  const parsed = identifier.safeParse(value);
  if (!parsed.success) throw badInput(`${field.join('.')} ${parsed.error.issues[0]?.message ?? 'is invalid'}`, field);
  return parsed.data;
}
