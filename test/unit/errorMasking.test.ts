import { GraphQLError, graphql, parse, parseValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import { maskErrorDetails, SafeInputError } from '../../src/errorMasking.js';
import { buildSchema } from '../../src/schema.js';

// What production makes of each kind of error, fed with the errors graphql-js itself raises on
// this subgraph's schema (validation and variable coercion stop before any resolver), and with a
// few made by hand for the cases a request cannot reach. The values are made up.

const schema = buildSchema();
const upsert = 'mutation Upsert($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { customer { id } } }';
const upsertLiteral = (input: string) => `mutation { upsertCustomer(input: ${input}) { customer { id } } }`;
const email = 'ada.lovelace@example.com';
const phone = '+14155552671';
const deepJson = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

function syntaxError(source: string): GraphQLError {
  try {
    parse(source);
  } catch (error) {
    if (error instanceof GraphQLError) return error;
  }
  throw new Error('expected a syntax error');
}

/** The first error graphql-js reports for the request. */
async function firstError(source: string, variableValues?: Record<string, unknown>): Promise<GraphQLError> {
  const result = await graphql({ schema, source, variableValues });
  const error = result.errors?.[0];
  if (!error) throw new Error('expected the request to be refused');
  return error;
}

describe('maskErrorDetails', () => {
  const requests: [string, string, Record<string, unknown> | undefined, string][] = [
    [
      'an unknown enum value in a variable',
      upsert,
      { input: { id: 'x', attributes: { channel: 'WE' } } },
      'Variable "$input" got an invalid value at "input.attributes.channel".',
    ],
    [
      'an unknown enum value in the document',
      upsertLiteral('{ id: "x", attributes: { channel: WE } }'),
      undefined,
      'Value does not exist in "CustomerChannel" enum.',
    ],
    [
      'a misspelled field in a variable',
      upsert,
      { input: { id: 'x', emial: email, mobile: phone } },
      'Variable "$input" got an invalid value at "input"; Field "emial" is not defined by type "UpsertCustomerInput".',
    ],
    [
      'a key that is no field name',
      upsert,
      { input: { id: 'x', [email]: phone } },
      'Variable "$input" got an invalid value at "input".',
    ],
    [
      'an invalid e-mail in a variable',
      upsert,
      { input: { id: 'x', attributes: { email: `${email}.` } } },
      'Variable "$input" got an invalid value at "input.attributes.email".',
    ],
    [
      'an invalid e-mail that quotes a path',
      upsert,
      { input: { id: 'x', attributes: { email: `${email} at "input.id"; ` } } },
      'Variable "$input" got an invalid value at "input.attributes.email".',
    ],
    [
      'a list element of the wrong type in a variable',
      upsert,
      { input: { id: 'x', attributes: { tags: ['VIP', { phone }] } } },
      'Variable "$input" got an invalid value at "input.attributes.tags[1]".',
    ],
    [
      'a missing required field in a variable',
      upsert,
      { input: { email } },
      'Variable "$input" got an invalid value at "input"; Field "id" of required type "ID!" was not provided.',
    ],
    [
      'a variable that is no object',
      upsert,
      { input: email },
      'Variable "$input" got an invalid value at "input"; Expected type "UpsertCustomerInput" to be an object.',
    ],
    [
      'an id that is an object',
      'query One($id: ID!) { customer(id: $id) { id } }',
      { id: { email } },
      'Variable "$id" got an invalid value at "id".',
    ],
    [
      'JSON over a bound in a variable',
      upsert,
      { input: { id: 'x', attributes: { customAttributes: { a: JSON.parse(deepJson(20)) as unknown } } } },
      'Variable "$input" got an invalid value at "input.attributes.customAttributes"; JSON input must not be nested more than 10 levels deep',
    ],
    [
      'JSON over a bound in the document',
      upsertLiteral(`{ id: "x", attributes: { customAttributes: { a: ${deepJson(20)} } } }`),
      undefined,
      'JSON input must not be nested more than 10 levels deep',
    ],
    [
      'an invalid e-mail in the document',
      upsertLiteral(`{ id: "x", email: "${email}." }`),
      undefined,
      'Invalid value (the value and the reason are not shown in production).',
    ],
    [
      'a string where an input object belongs',
      upsertLiteral(`{ id: "x", attributes: "${email}" }`),
      undefined,
      'Expected value of type "CustomerAttributesInput".',
    ],
    [
      'a number where a string belongs',
      upsertLiteral('{ id: "x", mobile: 14155552671 }'),
      undefined,
      'Invalid value (the value and the reason are not shown in production).',
    ],
    [
      'a missing required field in the document',
      upsertLiteral(`{ email: "${email}" }`),
      undefined,
      'Field "UpsertCustomerInput.id" of required type "ID!" was not provided.',
    ],
    [
      'a misspelled field in the document',
      upsertLiteral('{ id: "x", emial: "x" }'),
      undefined,
      'Field "emial" is not defined by type "UpsertCustomerInput".',
    ],
    [
      'a misspelled field in a selection',
      '{ customer(id: "x") { gendr } }',
      undefined,
      'Cannot query field "gendr" on type "Customer".',
    ],
    ['a misspelled type', '{ customer(id: "x") { ... on Custmer { id } } }', undefined, 'Unknown type "Custmer".'],
    [
      'a variable that is not provided',
      upsert,
      {},
      'Variable "$input" of required type "UpsertCustomerInput!" was not provided.',
    ],
  ];

  it.each(requests)('%s', async (_, source, variables, expected) => {
    const error = await firstError(source, variables);
    const masked = maskErrorDetails(error.toJSON(), error);

    expect(masked.message).toBe(expected);
    expect(masked.locations).toEqual(error.toJSON().locations);
    for (const personal of [email, 'ada.lovelace', 'example.com', phone, '4155552671']) {
      expect(masked.message).not.toContain(personal);
    }
  });

  const literal = parseValue(`{ email: "${email}" }`);
  const made: [string, GraphQLError | Error, string][] = [
    [
      'an argument found invalid at execution',
      new GraphQLError(`Argument "input" has invalid value {email: "${email}"}.`, { nodes: literal }),
      'Argument "input" has an invalid value.',
    ],
    [
      'a variable error without its cause',
      new GraphQLError(`Variable "$input" got invalid value "${email}" at "input.email"; Value is not valid: ${email}`),
      'Variable "$input" got an invalid value at "input.email".',
    ],
    [
      'a safe error about a literal',
      new SafeInputError('JSON input must not contain variables: send the whole value as one variable', {
        nodes: literal,
      }),
      'JSON input must not contain variables: send the whole value as one variable',
    ],
    [
      'a resolver refusing an input',
      new GraphQLError('input.mobile must be an E.164 phone number such as +14155552671', {
        extensions: { code: 'BAD_USER_INPUT' },
      }),
      'input.mobile must be an E.164 phone number such as +14155552671',
    ],
    [
      'several suggestions',
      new GraphQLError('Unknown argument "idd" on field "Query.customer". Did you mean "id", "ids", or "imprintId"?'),
      'Unknown argument "idd" on field "Query.customer".',
    ],
    [
      'a suggestion in any error',
      new Error('Cannot query field "gendr". Did you mean to use an inline fragment on "Customer"?'),
      'Cannot query field "gendr".',
    ],
  ];

  it.each(made)('%s', (_, error, expected) => {
    expect(maskErrorDetails({ message: error.message }, error).message).toBe(expected);
  });

  // The parser quotes the token it stopped at, and Apollo the operation name it did not find.
  const quoting: [string, () => GraphQLError, string][] = [
    [
      'a string where a field name belongs',
      () => syntaxError(`{ customer(id: "x") { "${email}" } }`),
      'Syntax Error: Expected Name, found String.',
    ],
    [
      'a number where a field name belongs',
      () => syntaxError('{ customer(id: "x") { 4155552671 } }'),
      'Syntax Error: Expected Name, found Int.',
    ],
    [
      'a string with escaped quotes',
      () => syntaxError(`{ customer(id: "x") { "say \\"${email}\\"" } }`),
      'Syntax Error: Expected Name, found String.',
    ],
    [
      'an unknown operation name',
      () => new GraphQLError(`Unknown operation named "${email} ${phone}".`),
      'Unknown operation named by operationName.',
    ],
  ];

  it.each(quoting)('drops the quoted value of %s', (_, make, expected) => {
    const error = make();
    expect(maskErrorDetails({ message: error.message }, error).message).toBe(expected);
  });

  it('returns an error it has nothing to mask as it is', () => {
    const formatted = { message: 'Gameball is unavailable', extensions: { code: 'UPSTREAM_UNAVAILABLE' } };
    expect(maskErrorDetails(formatted, new GraphQLError(formatted.message))).toBe(formatted);
  });
});
