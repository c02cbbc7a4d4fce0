import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxDenialErrors } from '../../src/auth/guard.js';
import { sandboxEdgeCases as edge } from '../../src/sandbox/dataset.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// What one request may make the server do when it costs no vendor call: a 3 KB document that
// repeats one cached customer under 30 aliases asked for 3,000 Customer objects and 42,000
// FORBIDDEN errors, seconds of CPU on the one event loop. The ids of all customers(ids:) fields
// count together, and refused fields past a cap add no error of their own.

let subgraph: TestSubgraph;
beforeAll(async () => {
  subgraph = await startTestSubgraph({ env: { NODE_ENV: 'production' } });
});
afterAll(() => subgraph.close());

const personal = 'id email phone firstName lastName displayName dateOfBirth address { city } cardPrograms { name }';
const aliased = (count: number) =>
  `query Q($ids: [ID!]!) { ${Array.from({ length: count }, (_, index) => `a${index}: customers(ids: $ids) { ...F }`).join(' ')} }
   fragment F on Customer { ${personal} }`;

describe('the ids of all customers(ids:) fields count together', () => {
  it.each([
    ['30 aliases of 100 copies of one id', 30, Array.from({ length: 100 }, () => edge.rich)],
    ['30 aliases of 4 distinct ids', 30, [edge.rich, edge.richReferrer, 'cust_0003', 'cust_0004']],
  ])('refuses %s before any vendor call', async (_, aliases, ids) => {
    subgraph.sandbox.resetCalls();
    const response = await subgraph.query(aliased(aliases), { ids }, { authorization: '' });

    expect(response.status).toBe(400);
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: `ids may list at most 100 customers per request, got ${aliases * ids.length}`,
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['ids'] }) as unknown,
      }),
    ]);
    expect(subgraph.sandbox.calls).toEqual([]);
  });

  it('accepts lists that together stay within the limit', async () => {
    const ids = Array.from({ length: 25 }, () => edge.rich);
    const response = await subgraph.query<Record<string, unknown[]>>(
      `query Q($ids: [ID!]!) { a: customers(ids: $ids) { id } b: customers(ids: $ids) { id } c: customers(ids: $ids) { id } d: customers(ids: $ids) { id } }`,
      { ids },
    );
    expect(response.errors).toBeUndefined();
    expect(Object.values(response.data ?? {}).map((list) => list.length)).toEqual([25, 25, 25, 25]);
  });
});

describe('refused fields past a cap add no error of their own', () => {
  it(`carries ${maxDenialErrors} FORBIDDEN errors, then one that counts the rest`, async () => {
    const ids = Array.from({ length: 100 }, () => edge.rich);
    const response = await subgraph.query<{ customers: Record<string, unknown>[] }>(
      `query Q($ids: [ID!]!) { customers(ids: $ids) { id email phone firstName } }`,
      { ids },
      { authorization: '' },
    );

    expect(response.status).toBe(200);
    const customers = response.data?.customers ?? [];
    expect(customers).toHaveLength(100);
    for (const customer of customers)
      expect(customer).toEqual({ id: edge.rich, email: null, phone: null, firstName: null });
    const errors = response.errors ?? [];
    expect(errors).toHaveLength(maxDenialErrors + 1);
    expect(
      errors.slice(0, maxDenialErrors).every((error) => error.extensions?.['code'] === 'FORBIDDEN' && error.path),
    ).toBe(true);
    expect(errors.at(-1)).toEqual({
      message: `Not authorized to read ${300 - maxDenialErrors} more fields; their errors are left out`,
      extensions: { code: 'FORBIDDEN', omitted: 300 - maxDenialErrors },
    });
  });

  it('adds no such error while the refusals stay under the cap', async () => {
    const response = await subgraph.query(`{ customer(id: "${edge.rich}") { id email phone } }`, undefined, {
      authorization: '',
    });
    expect(response.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(response.errors?.some((error) => 'omitted' in (error.extensions ?? {}))).toBe(false);
  });
});
