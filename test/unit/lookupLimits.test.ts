import type { GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { GraphQLError, getOperationAST, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.js';
import { CustomerBudget, budgetKeys } from '../../src/customers/budget.js';
import { asList, fragmentsOf, lookupLimitsPlugin, type LookupLimits } from '../../src/lookupLimits.js';
import { buildSchema } from '../../src/schema.js';

// What one request may look up, from its document alone: the plugin's hook called as Apollo
// calls it once the operation is known, with a budget that records what it is asked to reserve.

const schema = buildSchema();
const roomy: LookupLimits = { maxEntities: 100, maxCustomersPerQuery: 100, maxCustomersPerRequest: 100 };

interface Lookup {
  limits?: Partial<LookupLimits>;
  variables?: Record<string, unknown>;
  /** The caller's subject (a customer's own token), or null. */
  subject?: string | null;
  budget?: { reserve(keys: ReadonlySet<string>): void };
}

/** The customers the document's root fields name, as reserved in the budget (null: nothing reserved). */
async function lookups(
  source: string,
  { limits, variables, subject = null, budget }: Lookup = {},
): Promise<string[] | null> {
  const document = parse(source);
  expect(validate(schema, document)).toEqual([]);
  let reserved: string[] | null = null;
  const requestContext = {
    schema,
    document,
    operation: getOperationAST(document) ?? undefined,
    request: { variables },
    contextValue: {
      caller: { subject },
      budget: budget ?? { reserve: (keys: ReadonlySet<string>) => void (reserved = [...keys]) },
    },
  } as unknown as GraphQLRequestContextDidResolveOperation<Context>;
  const listener = await lookupLimitsPlugin({ ...roomy, ...limits }).requestDidStart!(requestContext);
  await listener!.didResolveOperation!(requestContext);
  return reserved;
}

/** The request's refusal, as the plugin throws it. */
async function refusalOf(source: string, lookup: Lookup = {}): Promise<GraphQLError> {
  try {
    await lookups(source, lookup);
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return error as GraphQLError;
  }
  throw new Error('expected the request to be refused');
}

const merchant = budgetKeys.merchant;
const imprint = budgetKeys.imprint;
const customer = (__typename: string, keys: Record<string, unknown>) => ({ __typename, ...keys });
const entities = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id } } }';

describe('the customers a document names', () => {
  it.each([
    { name: 'customer(id:)', source: '{ customer(id: "c1") { id } }', keys: [merchant('c1')] },
    {
      name: 'customers(ids:)',
      source: '{ customers(ids: ["c1", "c2", "c3"]) { id } }',
      keys: [merchant('c1'), merchant('c2'), merchant('c3')],
    },
    {
      name: 'customers(ids:) with a single id, which GraphQL reads as a list of one',
      source: '{ customers(ids: "c1") { id } }',
      keys: [merchant('c1')],
    },
    {
      name: 'customerByImprintId(imprintId:), in its own key space',
      source: '{ customerByImprintId(imprintId: "c1") { id } }',
      keys: [imprint('c1')],
    },
    {
      name: 'each once, however many fields and aliases name it',
      source:
        '{ a: customer(id: "c1") { id } b: customer(id: "c1") { email } customers(ids: ["c1", "c2", "c1"]) { id } }',
      keys: [merchant('c1'), merchant('c2')],
    },
    {
      name: 'the root fields of named and inline fragments',
      source:
        '{ ...Lookups ... on Query { other: customer(id: "c2") { id } } } fragment Lookups on Query { customer(id: "c1") { id } }',
      keys: [merchant('c1'), merchant('c2')],
    },
    {
      name: 'none for a field @skip leaves out, or @include does not take in',
      source:
        '{ a: customer(id: "c1") @skip(if: true) { id } b: customer(id: "c2") @include(if: false) { id } c: customer(id: "c3") @skip(if: false) { id } }',
      keys: [merchant('c3')],
    },
    {
      name: 'none for a fragment @skip leaves out',
      source: '{ ...Lookup @skip(if: true) } fragment Lookup on Query { customer(id: "c1") { id } }',
      keys: [],
    },
    {
      name: 'no customer for fields that look none up',
      source: '{ __typename _service { sdl } }',
      keys: [],
    },
    {
      name: 'a referrer: execution counts it as it reaches it',
      source: '{ customer(id: "c1") { referral { received { referrer { id } } } } }',
      keys: [merchant('c1')],
    },
  ])('$name', async ({ source, keys }) => {
    expect(await lookups(source)).toEqual(keys);
  });

  it.each([
    {
      name: 'variables',
      source: 'query ($id: ID!, $ids: [ID!]!) { customer(id: $id) { id } customers(ids: $ids) { id } }',
      variables: { id: 'c1', ids: ['c2', 'c3'] },
      keys: [merchant('c1'), merchant('c2'), merchant('c3')],
    },
    {
      name: "a variable's default",
      source: 'query ($id: ID = "c9") { customer(id: $id) { id } }',
      variables: {},
      keys: [merchant('c9')],
    },
    {
      name: '@include with a variable',
      source:
        'query ($with: Boolean!) { a: customer(id: "c1") @include(if: $with) { id } b: customer(id: "c2") { id } }',
      variables: { with: false },
      keys: [merchant('c2')],
    },
    {
      name: '_entities, by id or by imprintId',
      source: entities,
      variables: {
        r: [
          customer('Customer', { id: 'c1' }),
          customer('Customer', { imprintId: 'c1' }),
          customer('Customer', { id: 'c2' }),
        ],
      },
      keys: [merchant('c1'), imprint('c1'), merchant('c2')],
    },
    {
      name: '_entities, by id when a representation has both keys',
      source: entities,
      variables: { r: [customer('Customer', { id: 'c1', imprintId: 'i1' })] },
      keys: [merchant('c1')],
    },
  ])('from $name', async ({ source, variables, keys }) => {
    expect(await lookups(source, { variables })).toEqual(keys);
  });

  it.each([
    { subject: 'c7', keys: [merchant('c7')] },
    { subject: null, keys: [] },
  ])("me: the caller's own customer ($subject)", async ({ subject, keys }) => {
    expect(await lookups('{ me { id } }', { subject })).toEqual(keys);
  });

  it.each([
    {
      name: 'upsertCustomer',
      source: 'mutation { upsertCustomer(input: { id: "c1" }) { customer { id } } }',
      keys: [merchant('c1')],
    },
    {
      name: 'deleteCustomer',
      source: 'mutation { deleteCustomer(id: "c2") { deletedCustomerId } }',
      keys: [merchant('c2')],
    },
  ])('the customer a mutation writes: $name', async ({ source, keys }) => {
    expect(await lookups(source)).toEqual(keys);
  });

  it('reserves nothing, and refuses nothing, when the variables do not coerce: validation refuses the request', async () => {
    expect(await lookups('query ($id: ID!) { customer(id: $id) { id } }', { variables: {} })).toBeNull();
    expect(
      await lookups('query ($ids: [ID!]!) { customers(ids: $ids) { id } }', { variables: { ids: [null] } }),
    ).toBeNull();
  });

  it('refuses the request, before anything runs, when the customers named are over the budget', async () => {
    const budget = new CustomerBudget(2);
    const refusal = await refusalOf('{ customers(ids: ["c1", "c2", "c3"]) { id } }', { budget });
    expect(refusal.message).toBe('This request would look up more customers than MAX_CUSTOMERS_PER_REQUEST allows (2)');
    expect(refusal.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      budget: { name: 'MAX_CUSTOMERS_PER_REQUEST', limit: 2, requested: 3 },
      http: { status: 400 },
    });
    // Nothing was counted: the two the budget allows can still be looked up.
    expect(() => budget.touch(merchant('c1'))).not.toThrow();
    expect(() => budget.touch(merchant('c2'))).not.toThrow();
  });
});

describe('_entities representations (MAX_ENTITIES_PER_REQUEST)', () => {
  const representations = (count: number) =>
    Array.from({ length: count }, (_, index) => customer('Customer', { id: `c${index}` }));

  it('takes exactly the limit', async () => {
    expect(await lookups(entities, { limits: { maxEntities: 3 }, variables: { r: representations(3) } })).toHaveLength(
      3,
    );
  });

  it('refuses one more, with a 400 that names both numbers', async () => {
    const refusal = await refusalOf(entities, { limits: { maxEntities: 3 }, variables: { r: representations(4) } });
    expect(refusal.message).toBe('_entities takes at most 3 representations per request, got 4');
    expect(refusal.extensions).toEqual({ code: 'BAD_USER_INPUT', http: { status: 400 } });
  });

  it('counts every representation, duplicates and aliases of the field included', async () => {
    const twice =
      'query ($r: [_Any!]!) { a: _entities(representations: $r) { __typename } b: _entities(representations: $r) { __typename } }';
    const same = Array.from({ length: 2 }, () => customer('Customer', { id: 'c1' }));
    const refusal = await refusalOf(twice, { limits: { maxEntities: 3 }, variables: { r: same } });
    expect(refusal.message).toBe('_entities takes at most 3 representations per request, got 4');
  });

  it.each([
    { name: 'another type', value: customer('Coupon', { id: 'c1' }) },
    { name: 'no __typename', value: { id: 'c1' } },
    { name: 'a string', value: 'c1' },
    { name: 'a number', value: 1 },
    { name: 'a list', value: [customer('Customer', { id: 'c1' })] },
  ])('refuses a representation that is $name, with a 400', async ({ value }) => {
    const refusal = await refusalOf(entities, { variables: { r: [customer('Customer', { id: 'c1' }), value] } });
    expect(refusal.message).toBe('Each _entities representation must be an object with __typename "Customer"');
    expect(refusal.extensions).toEqual({ code: 'BAD_USER_INPUT', http: { status: 400 } });
  });
});

describe('customers(ids:) over a whole request (MAX_CUSTOMERS_PER_QUERY)', () => {
  it.each([
    { name: 'in one field', source: '{ customers(ids: ["c1", "c2", "c3"]) { id } }' },
    { name: 'over aliases', source: '{ a: customers(ids: ["c1"]) { id } b: customers(ids: ["c2", "c3"]) { id } }' },
  ])('takes exactly the limit $name', async ({ source }) => {
    expect(await lookups(source, { limits: { maxCustomersPerQuery: 3 } })).toHaveLength(3);
  });

  it.each([
    { name: 'in one field', source: '{ customers(ids: ["c1", "c2", "c3", "c4"]) { id } }', path: ['customers'] },
    {
      name: 'with duplicates, each of which is resolved',
      source: '{ customers(ids: ["c1", "c1", "c1", "c1"]) { id } }',
      path: ['customers'],
    },
    {
      name: 'over aliases, naming the field that goes over',
      source: '{ a: customers(ids: ["c1", "c2"]) { id } b: customers(ids: ["c1", "c2"]) { id } }',
      path: ['b'],
    },
    {
      name: 'over aliases and fragments',
      source:
        '{ a: customers(ids: ["c1"]) { id } ...More } fragment More on Query { b: customers(ids: ["c2", "c3"]) { id } c: customers(ids: ["c4"]) { id } }',
      path: ['c'],
    },
  ])('refuses one more $name, with a 400 that names the field and the argument', async ({ source, path }) => {
    const refusal = await refusalOf(source, { limits: { maxCustomersPerQuery: 3 } });
    expect(refusal.message).toBe('ids may list at most 3 customers per request, got 4');
    expect(refusal.path).toEqual(path);
    expect(refusal.extensions).toEqual({ code: 'BAD_USER_INPUT', field: ['ids'], http: { status: 400 } });
  });

  it('counts a field written twice under one response key once, as graphql-js runs it once', async () => {
    const source = '{ customers(ids: ["c1", "c2"]) { id } customers(ids: ["c1", "c2"]) { email } }';
    expect(await lookups(source, { limits: { maxCustomersPerQuery: 3 } })).toEqual([merchant('c1'), merchant('c2')]);
  });

  it('does not count a customers field that @skip leaves out', async () => {
    const source = '{ a: customers(ids: ["c1", "c2", "c3"]) { id } b: customers(ids: ["c4"]) @skip(if: true) { id } }';
    expect(await lookups(source, { limits: { maxCustomersPerQuery: 3 } })).toHaveLength(3);
  });
});

describe('fragmentsOf', () => {
  it("maps a document's fragments by name, and nothing else", () => {
    const document = parse(
      'query Q { ...A } fragment A on Query { me { ...B } } fragment B on Customer { id } mutation M { deleteCustomer(id: "c1") { deletedCustomerId } }',
    );
    const fragments = fragmentsOf(document);
    expect(Object.keys(fragments)).toEqual(['A', 'B']);
    expect(fragments['A']).toBe(document.definitions[1]);
    expect(fragments['B']).toBe(document.definitions[2]);
  });

  it('is empty for a document without fragments', () => {
    expect(fragmentsOf(parse('{ me { id } }'))).toEqual({});
  });
});

describe('asList', () => {
  it.each([
    { value: undefined, list: [] },
    { value: null, list: [] },
    { value: 'c1', list: ['c1'] },
    { value: '', list: [''] },
    { value: 0, list: [0] },
    { value: false, list: [false] },
    { value: { id: 'c1' }, list: [{ id: 'c1' }] },
    { value: [], list: [] },
    { value: ['c1', null, 'c2'], list: ['c1', null, 'c2'] },
  ])('$value is $list', ({ value, list }) => {
    expect(asList(value)).toEqual(list);
  });

  it('returns a list as it is, not a copy', () => {
    const ids = ['c1'];
    expect(asList(ids)).toBe(ids);
  });
});
