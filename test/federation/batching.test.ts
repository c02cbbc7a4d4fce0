import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEndpoints, repeatedCalls } from '../support/callCounts.js';
import { everyCustomerField } from '../support/queries.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// "One call per vendor endpoint per customer per request, whatever the query's shape": counted at
// the sandbox fakes, which are real HTTP servers on 127.0.0.1.

const entitiesQuery = `query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Customer { ${everyCustomerField} } }
}`;

describe('per-request batching', () => {
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    subgraph = await startTestSubgraph();
  });
  afterAll(() => subgraph.close());

  it('_entities with 100 representations of 80 customers, every field: at most one call per endpoint per customer', async () => {
    const { dataset } = subgraph.sandbox;
    const linked = [...dataset.imprint.values()].filter((record) => record.partner_customer_id);
    const ids = Array.from({ length: 80 }, (_, index) => `cust_${String(index + 1).padStart(4, '0')}`);
    // 70 by merchant id, 10 of them again by Imprint id (the second key), 20 repeats.
    const representations = [
      ...ids.slice(0, 70).map((id) => ({ __typename: 'Customer', id })),
      ...linked.slice(0, 10).map((record) => ({ __typename: 'Customer', imprintId: record.id })),
      ...ids.slice(70).map((id) => ({ __typename: 'Customer', id })),
      ...ids.slice(0, 10).map((id) => ({ __typename: 'Customer', id })),
    ];
    expect(representations).toHaveLength(100);

    subgraph.sandbox.resetCalls();
    const response = await subgraph.query<{ _entities: unknown[] }>(entitiesQuery, { representations });

    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toHaveLength(100);
    expect(repeatedCalls(subgraph.sandbox)).toEqual([]);
    // Every read endpoint, the public profile too: the details serve its fields when personal data
    // is read anyway, but not `isReferred` (seed 002), which the selection has.
    for (const endpoint of readEndpoints) {
      expect(subgraph.sandbox.count(endpoint), endpoint).toBeGreaterThan(0);
    }
  });

  it('customers(ids:) with repeated ids and nested referrers: at most one call per endpoint per customer', async () => {
    const ids = Array.from({ length: 50 }, (_, index) => `cust_${String((index % 40) + 1).padStart(4, '0')}`);
    subgraph.sandbox.resetCalls();
    const response = await subgraph.query(`query($ids: [ID!]!) { customers(ids: $ids) { ${everyCustomerField} } }`, {
      ids,
    });
    expect(response.errors).toBeUndefined();
    expect(repeatedCalls(subgraph.sandbox)).toEqual([]);
  });

  it('the same customer under many aliases and fragments is fetched once per endpoint', async () => {
    const { rich } = await import('../../src/sandbox/dataset.js').then((module) => module.sandboxEdgeCases);
    // Five: more would exceed the default query cost limit, which counts each alias in full.
    const aliases = Array.from({ length: 5 }, (_, index) => `c${index}: customer(id: "${rich}") { ...all }`).join('\n');
    subgraph.sandbox.resetCalls();
    const response = await subgraph.query(`{ ${aliases} } fragment all on Customer { ${everyCustomerField} }`);
    expect(response.errors).toBeUndefined();
    expect(repeatedCalls(subgraph.sandbox)).toEqual([]);
    expect(subgraph.sandbox.count('gameball.details', rich)).toBe(1);
  });

  it('a new request fetches again: nothing is cached across requests', async () => {
    const query = `{ customer(id: "cust_0003") { gender } }`;
    subgraph.sandbox.resetCalls();
    await subgraph.query(query);
    await subgraph.query(query);
    expect(subgraph.sandbox.count('gameball.profile', 'cust_0003')).toBe(2);
  });
});
