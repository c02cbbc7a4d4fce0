import { GraphQLError, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { QueryLimits } from '../../src/config.js';
import { queryLimitsOf } from '../../src/queryLimits.js';
import { buildSchema } from '../../src/schema.js';

// What one request may ask, checked against small documents of this subgraph's own schema. Each
// measure is worked out by hand from the rule it counts by: depth is the number of fields on the
// longest path (fragments add none), aliases the aliased fields other than __typename, directives
// every directive used, and cost 1 per leaf field, 2 per field with a selection plus 1.5 times
// the cost of what it selects (fragments spread or inline counting as a selection). A document
// exactly at a limit passes, and one past it is refused with the count found.

const schema = buildSchema();

const roomy: QueryLimits = { maxDepth: 100, maxAliases: 100, maxCost: 100_000, maxTokens: 10_000, maxDirectives: 100 };

/** Why the limits refuse the document (null: they let it through); it is valid against the schema either way. */
function refusal(limits: Partial<QueryLimits>, source: string): string | null {
  const { parseOptions, validationRules } = queryLimitsOf({ ...roomy, ...limits });
  const document = parse(source, parseOptions);
  expect(validate(schema, document)).toEqual([]);
  try {
    const errors = validate(schema, document, validationRules);
    return errors.length === 0 ? null : errors.map((error) => error.message).join('\n');
  } catch (error) {
    // GraphQL Armor's rules throw their refusal; Apollo reports it as a validation error.
    expect(error).toBeInstanceOf(GraphQLError);
    return (error as GraphQLError).message;
  }
}

const chain = '{ customer(id: "c1") { referral { received { referrer { id } } } } }';

describe('depth', () => {
  it.each([
    { name: 'one field', depth: 1, source: '{ __typename }' },
    { name: 'a customer and a field of it', depth: 2, source: '{ me { id } }' },
    { name: 'a customer’s referrer’s id', depth: 5, source: chain },
    {
      name: 'the deepest of two branches',
      depth: 4,
      source: '{ me { id referral { code } } customer(id: "c1") { referral { received { campaignId } } } }',
    },
    {
      name: 'an inline fragment, which adds no level',
      depth: 3,
      source: '{ customer(id: "c1") { ... on Customer { referral { code } } } }',
    },
    {
      name: 'named fragments, which add no level',
      depth: 3,
      source:
        '{ ...Root } fragment Root on Query { customer(id: "c1") { ...Referral } } fragment Referral on Customer { referral { code } }',
    },
  ])('$name: $depth', ({ depth, source }) => {
    expect(refusal({ maxDepth: depth }, source)).toBeNull();
    expect(refusal({ maxDepth: depth - 1 }, source)).toBe(
      `Syntax Error: Query depth limit of ${depth - 1} exceeded, found ${depth}.`,
    );
  });

  it('leaves introspection of the schema out, however deep', () => {
    const introspection = '{ __schema { types { fields { type { ofType { ofType { name } } } } } } }';
    expect(refusal({ maxDepth: 1 }, introspection)).toBeNull();
  });
});

describe('aliases', () => {
  it.each([
    { name: 'one', aliases: 1, source: '{ mine: me { id } }' },
    {
      name: 'on root fields and on a leaf',
      aliases: 3,
      source: '{ a: customer(id: "1") { key: id } b: customer(id: "2") { id } }',
    },
    {
      name: 'not those of __typename',
      aliases: 1,
      source: '{ a: __typename b: __typename mine: me { t: __typename id } }',
    },
    {
      name: 'in a named fragment',
      aliases: 2,
      source: '{ ...Both } fragment Both on Query { a: customer(id: "1") { id } b: customer(id: "2") { id } }',
    },
    {
      name: 'in an inline fragment',
      aliases: 2,
      source: '{ me { ... on Customer { x: id y: id } } }',
    },
  ])('$name: $aliases', ({ aliases, source }) => {
    expect(refusal({ maxAliases: aliases }, source)).toBeNull();
    expect(refusal({ maxAliases: aliases - 1 }, source)).toBe(
      `Syntax Error: Aliases limit of ${aliases - 1} exceeded, found ${aliases}.`,
    );
  });
});

describe('directives', () => {
  it.each([
    { name: 'one', directives: 1, source: '{ me @include(if: true) { id } }' },
    {
      name: 'on a field and its fields',
      directives: 3,
      source: '{ me @include(if: true) { id @skip(if: false) email @skip(if: false) } }',
    },
    {
      name: 'on a fragment spread and in the fragment',
      directives: 2,
      source: 'query ($v: Boolean!) { ...Me @include(if: $v) } fragment Me on Query { me { id @skip(if: $v) } }',
    },
    {
      name: 'on an inline fragment',
      directives: 2,
      source: '{ me { ... on Customer @include(if: true) { id @include(if: true) } } }',
    },
  ])('$name: $directives', ({ directives, source }) => {
    expect(refusal({ maxDirectives: directives }, source)).toBeNull();
    expect(refusal({ maxDirectives: directives - 1 }, source)).toBe(
      `Syntax Error: Directives limit of ${directives - 1} exceeded, found ${directives}.`,
    );
  });
});

describe('cost', () => {
  it.each([
    { name: 'a leaf', cost: 1, source: '{ __typename }' },
    { name: 'an object with one field: 2 + 1.5 × 1', cost: 3.5, source: '{ me { id } }' },
    { name: 'an object with two fields: 2 + 1.5 × 2', cost: 5, source: '{ me { id email } }' },
    { name: 'two aliases of it', cost: 10, source: '{ a: me { id email } b: me { id email } }' },
    {
      name: 'two levels: 2 + 1.5 × (2 + 1.5 × 2)',
      cost: 9.5,
      source: '{ customer(id: "c1") { referral { code link } } }',
    },
    {
      name: 'a referrer’s id: 2 + 1.5 × (2 + 1.5 × (2 + 1.5 × (2 + 1.5)))',
      cost: 21.3125,
      source: chain,
    },
    {
      name: 'an inline fragment, costed as an object: 2 + 1.5 × (2 + 1.5 × 1)',
      cost: 7.25,
      source: '{ me { ... on Customer { id } } }',
    },
  ])('$name: $cost', ({ cost, source }) => {
    expect(refusal({ maxCost: Math.ceil(cost) }, source)).toBeNull();
    const below = Math.ceil(cost) - 1;
    expect(refusal({ maxCost: below }, source)).toBe(
      `Syntax Error: Query Cost limit of ${below} exceeded, found ${cost}.`,
    );
  });

  it('leaves introspection of the schema out', () => {
    expect(refusal({ maxCost: 1 }, '{ __typename __schema { types { name fields { name } } } }')).toBeNull();
  });
});

describe('tokens', () => {
  // Counted by graphql-js's parser, punctuation included; commas, white space and comments are no tokens.
  it.each([
    { name: 'a short query', tokens: 6, source: '{ me { id } }' },
    { name: 'commas and a comment', tokens: 7, source: '# the caller\n{ me { id, email, } }' },
    { name: 'a string, one token however long', tokens: 11, source: '{ customer(id: "a b c d e f") { id } }' },
    {
      name: 'a variable: $ and its name are two',
      tokens: 21,
      source: 'query Q($id: ID!) { customer(id: $id) { id } }',
    },
  ])('$name: $tokens', ({ tokens, source }) => {
    expect(refusal({ maxTokens: tokens }, source)).toBeNull();
    expect(() => refusal({ maxTokens: tokens - 1 }, source)).toThrow(
      `Syntax Error: Document contains more that ${tokens - 1} tokens. Parsing aborted.`,
    );
  });
});

describe('queryLimitsOf', () => {
  it('adds no Armor plugin: the token count is the parser’s, and suggestions are masked elsewhere', () => {
    const limits = queryLimitsOf(roomy);
    expect(limits.plugins).toEqual([]);
    expect(limits.parseOptions).toEqual({ maxTokens: roomy.maxTokens });
    // Cost, aliases, directives and depth.
    expect(limits.validationRules).toHaveLength(4);
  });

  it('checks every limit of one document at once, each against its own count', () => {
    const source = '{ a: me @include(if: true) { id } b: me { id } }'; // depth 2, 2 aliases, 1 directive, cost 7
    expect(refusal({ maxDepth: 2, maxAliases: 2, maxDirectives: 1, maxCost: 7 }, source)).toBeNull();
    expect(refusal({ maxDepth: 2, maxAliases: 1, maxDirectives: 1, maxCost: 7 }, source)).toBe(
      'Syntax Error: Aliases limit of 1 exceeded, found 2.',
    );
  });
});
