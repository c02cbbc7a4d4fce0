import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEdgeCases as edge } from '../../src/sandbox/dataset.js';
import { everyCustomerField } from '../support/queries.js';
import { startTestSubgraph, type GraphQLResponse, type TestSubgraph } from '../support/subgraph.js';

// What one request may look up, wherever the document puts it: the `_entities` limit and shape
// check and the per-request customer budget hold through aliases, inline and named fragments,
// several `_entities` fields, variable defaults and literals, and are refused with BAD_USER_INPUT
// before any vendor call. What `@skip` leaves out is not counted.

/** Small limits on both. */
let subgraph: TestSubgraph;
/** The small budget, with the default `_entities` limit. */
let budgeted: TestSubgraph;
let defaults: TestSubgraph;

const maxEntities = 5;
const budget = 10;

beforeAll(async () => {
  [subgraph, budgeted, defaults] = await Promise.all([
    startTestSubgraph({
      env: {
        NODE_ENV: 'production',
        MAX_ENTITIES_PER_REQUEST: String(maxEntities),
        MAX_CUSTOMERS_PER_REQUEST: String(budget),
      },
    }),
    startTestSubgraph({ env: { NODE_ENV: 'production', MAX_CUSTOMERS_PER_REQUEST: String(budget) } }),
    startTestSubgraph({ env: { NODE_ENV: 'production' } }),
  ]);
});
afterAll(async () => {
  await Promise.all([subgraph, budgeted, defaults].map((target) => target?.close()));
});

const ids = (count: number, from = 1) =>
  Array.from({ length: count }, (_, index) => `cust_${String(from + index).padStart(4, '0')}`);
const reps = (list: string[]) => list.map((id) => ({ __typename: 'Customer', id }));

/** Sends the operation with the vendors' call log emptied; no vendor may have been called. */
async function refusedBeforeAnyVendorCall(
  target: TestSubgraph,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse> {
  target.sandbox.resetCalls();
  const response = await target.query(query, variables);
  expect(target.sandbox.calls).toEqual([]);
  expect(response.status).toBe(400);
  expect(response.data ?? null).toBeNull();
  expect(response.errors?.map((error) => error.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
  return response;
}

describe('the _entities limit holds wherever the field sits', () => {
  const six = reps(ids(6));
  const forms: [string, string, Record<string, unknown>?][] = [
    [
      'inside an inline fragment on Query',
      'query Q($r: [_Any!]!) { ... on Query { _entities(representations: $r) { ... on Customer { id } } } }',
      { r: six },
    ],
    [
      'inside a named fragment',
      'query Q($r: [_Any!]!) { ...E } fragment E on Query { _entities(representations: $r) { ... on Customer { id } } }',
      { r: six },
    ],
    [
      'inside a fragment inside an inline fragment',
      'query Q($r: [_Any!]!) { ... { ...E } } fragment E on Query { _entities(representations: $r) { __typename } }',
      { r: six },
    ],
    [
      'split over two aliased _entities fields, each under the limit',
      `query Q($a: [_Any!]!, $b: [_Any!]!) {
        a: _entities(representations: $a) { __typename }
        ... on Query { b: _entities(representations: $b) { __typename } }
      }`,
      { a: six.slice(0, 3), b: six.slice(3) },
    ],
    [
      'in a variable default',
      `query Q($r: [_Any!]! = ${JSON.stringify(six).replace(/"(\w+)":/g, '$1:')}) { _entities(representations: $r) { __typename } }`,
    ],
    [
      'as a literal in the document',
      `{ ...on Query { _entities(representations: ${JSON.stringify(six).replace(/"(\w+)":/g, '$1:')}) { __typename } } }`,
    ],
    [
      'under @include(if: $yes)',
      'query Q($r: [_Any!]!, $yes: Boolean!) { ...E @include(if: $yes) } fragment E on Query { _entities(representations: $r) { __typename } }',
      { r: six, yes: true },
    ],
  ];

  it.each(forms)('%s', async (_, query, variables) => {
    const response = await refusedBeforeAnyVendorCall(subgraph, query, variables);
    expect(response.errors?.[0]?.message).toContain(`at most ${maxEntities} representations`);
  });

  it('counts a field written twice under one response key once, as graphql-js runs it once', async () => {
    const response = await subgraph.query(
      'query Q($r: [_Any!]!) { e: _entities(representations: $r) { __typename } ...E } fragment E on Query { e: _entities(representations: $r) { __typename } }',
      { r: reps(ids(maxEntities)) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.['e']).toHaveLength(maxEntities);
  });

  // Values graphql-js refuses during execution are left to it: its error, not a crash here.
  it.each([
    [
      'a null for a non-null list through a variable default',
      'query Q($ids: [ID!] = []) { customers(ids: $ids) { id } }',
      { ids: null },
    ],
    [
      'a null @include condition through a variable default',
      'query Q($b: Boolean = true) { customer(id: "cust_0001") @include(if: $b) { id } }',
      { b: null },
    ],
  ])('leaves %s to graphql-js', async (_, query, variables) => {
    subgraph.sandbox.resetCalls();
    const response = await subgraph.query(query, variables);
    // graphql-js's own error for the field, in a 200: not a 500 from the lookup limits.
    expect(response.status).toBe(200);
    expect(response.errors?.[0]?.message).toMatch(/must not be null|Boolean!/);
    expect(subgraph.sandbox.calls).toEqual([]);
  });

  it('does not count a field that @skip leaves out', async () => {
    const response = await subgraph.query(
      'query Q($r: [_Any!]!) { ... @skip(if: true) { _entities(representations: $r) { __typename } } __typename }',
      { r: six },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ __typename: 'Query' });
  });
});

describe('the representation shape check holds wherever the field sits', () => {
  const malformed: [string, unknown][] = [
    ['of an unknown type', { __typename: 'Nope', id: edge.rich }],
    ['with a 900 KB type name', { __typename: 'N'.repeat(900_000), id: edge.rich }],
    ['that is not an object', 'cust_0001'],
    ['without a __typename', { id: edge.rich }],
  ];
  const placements: [string, string][] = [
    ['inline fragment', 'query Q($r: [_Any!]!) { ... on Query { _entities(representations: $r) { __typename } } }'],
    [
      'named fragment',
      'query Q($r: [_Any!]!) { ...E } fragment E on Query { _entities(representations: $r) { __typename } }',
    ],
  ];
  const cases = malformed.flatMap(([what, representation]) =>
    placements.map(([where, query]) => [what, where, query, representation] as const),
  );

  it.each(cases)(
    'refuses a representation %s in a %s, and logs nothing of it',
    async (_, __, query, representation) => {
      const logged = subgraph.logs.length;
      const response = await refusedBeforeAnyVendorCall(subgraph, query, { r: [reps([edge.rich])[0], representation] });

      expect(response.errors?.[0]?.message).toBe(
        'Each _entities representation must be an object with __typename "Customer"',
      );
      const lines = subgraph.logs.slice(logged);
      expect(lines.join('').length).toBeLessThan(4_000);
      expect(lines.join('')).not.toMatch(/INTERNAL_SERVER_ERROR|unexpected error|\bat .+:\d+:\d+/);
    },
  );
});

describe('the per-request customer budget (MAX_CUSTOMERS_PER_REQUEST)', () => {
  const over: [string, string, Record<string, unknown>?][] = [
    [
      'aliases of customers(ids:)',
      'query Q($a: [ID!]!, $b: [ID!]!, $c: [ID!]!) { a: customers(ids: $a) { id } b: customers(ids: $b) { id } c: customers(ids: $c) { id } }',
      { a: ids(4, 1), b: ids(4, 5), c: ids(3, 9) },
    ],
    [
      'aliases of customer(id:) in named fragments',
      `query Q { ...A ...B } fragment A on Query { ${ids(6, 1)
        .map((id, index) => `a${index}: customer(id: "${id}") { id }`)
        .join(' ')} } fragment B on Query { ${ids(5, 7)
        .map((id, index) => `b${index}: customer(id: "${id}") { id }`)
        .join(' ')} }`,
    ],
    [
      '_entities representations',
      'query Q($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
      { r: reps(ids(11)) },
    ],
    [
      'customers(ids:), _entities and customerByImprintId together',
      'query Q($ids: [ID!]!, $r: [_Any!]!) { customers(ids: $ids) { id } _entities(representations: $r) { __typename } customerByImprintId(imprintId: "X") { id } }',
      { ids: ids(5, 1), r: reps(ids(5, 6)) },
    ],
    [
      'aliased deleteCustomer mutations',
      `mutation M { ${ids(11, 200)
        .map((id, index) => `d${index}: deleteCustomer(id: "${id}") { deletedCustomerId }`)
        .join(' ')} }`,
    ],
  ];

  it.each(over)('refuses %s over the budget, naming it', async (_, query, variables) => {
    const response = await refusedBeforeAnyVendorCall(budgeted, query, variables);
    const [error] = response.errors ?? [];
    expect(error?.message).toContain('MAX_CUSTOMERS_PER_REQUEST');
    expect(error?.extensions?.['budget']).toEqual({ name: 'MAX_CUSTOMERS_PER_REQUEST', limit: budget, requested: 11 });
  });

  it('counts distinct customers: the same ids under many aliases fit', async () => {
    const response = await budgeted.query(
      `query Q($ids: [ID!]!) { ${Array.from({ length: 5 }, (_, index) => `a${index}: customers(ids: $ids) { id }`).join(' ')} ${ids(
        budget,
      )
        .map((id, index) => `b${index}: customer(id: "${id}") { id }`)
        .join(' ')} }`,
      { ids: ids(budget) },
    );
    expect(response.errors).toBeUndefined();
  });

  it('counts referrers as execution reaches them, and refuses the first over the budget before its vendor call', async () => {
    const tight = await startTestSubgraph({ env: { MAX_CUSTOMERS_PER_REQUEST: '1' } });
    try {
      const records = [...tight.sandbox.dataset.voucherify.values()];
      const referrerVoucherifyId = records.find((record) => record.source_id === edge.richReferrer)?.id;
      expect(records.find((record) => record.source_id === edge.rich)?.referrals?.campaigns[0]?.referrer_id).toBe(
        referrerVoucherifyId,
      );
      tight.sandbox.resetCalls();
      const response = await tight.query<{
        customer: { id: string; referral: { received: { referrer: unknown }[] } };
      }>(`{ customer(id: "${edge.rich}") { id referral { received { referrer { id gender } } } } }`);

      expect(response.data?.customer.id).toBe(edge.rich);
      expect(response.data?.customer.referral.received[0]?.referrer).toBeNull();
      expect(response.errors).toEqual([
        expect.objectContaining({
          path: ['customer', 'referral', 'received', 0, 'referrer'],
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) as unknown,
        }),
      ]);
      expect(tight.sandbox.count('voucherify.customer', referrerVoucherifyId)).toBe(0);
      expect(tight.sandbox.count('gameball.profile', edge.richReferrer)).toBe(0);
    } finally {
      await tight.close();
    }
  });

  it('by default fits customers(ids:) at its maximum with every field, referrers included', async () => {
    const hundred = ids(100);
    const response = await defaults.query(`query Q($ids: [ID!]!) { customers(ids: $ids) { ${everyCustomerField} } }`, {
      ids: hundred,
    });
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
  });
});
