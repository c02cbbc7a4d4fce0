import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEdgeCases } from '../../src/sandbox/dataset.js';
import type { VendorEndpoint } from '../../src/vendors/endpoints.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// The selection analysis follows graphql's own field collection: a field that @skip or @include
// leaves out of the response is never fetched, whether written on the field, a fragment spread or
// an inline fragment, with a literal or a variable, under a query or under `_entities`.

const id = sandboxEdgeCases.rich;
let subgraph: TestSubgraph;

beforeAll(async () => {
  subgraph = await startTestSubgraph(); // a token holding every scope by default
});
afterAll(() => subgraph.close());

async function callsFor(query: string, variables: Record<string, unknown> = {}): Promise<Record<string, number>> {
  subgraph.sandbox.resetCalls();
  const response = await subgraph.query(query, { id, ...variables });
  expect(response.errors).toBeUndefined();
  const counts: Partial<Record<VendorEndpoint, number>> = {};
  for (const call of subgraph.sandbox.calls) counts[call.endpoint] = (counts[call.endpoint] ?? 0) + 1;
  return counts;
}

describe('skipped and not-included fields cause no vendor call', () => {
  it.each([
    ['@skip(if: true) on a field', `query ($id: ID!) { customer(id: $id) { gender email @skip(if: true) } }`, {}],
    [
      '@include with a false variable',
      `query ($id: ID!, $pii: Boolean!) { customer(id: $id) { gender email @include(if: $pii) } }`,
      { pii: false },
    ],
    [
      'a skipped fragment spread',
      `query ($id: ID!) { customer(id: $id) { gender ...Personal @skip(if: true) } }
       fragment Personal on Customer { email phone coupons { code } redemptionHash cardPrograms { name } }`,
      {},
    ],
    [
      'an inline fragment left out',
      `query ($id: ID!) { customer(id: $id) { gender ... @include(if: false) { coupons { code } redemptionHash } } }`,
      {},
    ],
    [
      'a nested field left out',
      `query ($id: ID!) { customer(id: $id) { gender purchaseHistory { orderCount averageOrderAmount @skip(if: true) { amount } } } }`,
      {},
    ],
  ])('%s', async (_, query, variables) => {
    const counts = await callsFor(query, variables);
    expect(counts).toEqual({ 'gameball.profile': 1 });
  });

  it('calls the endpoint when the same directive keeps the field', async () => {
    const counts = await callsFor(
      `query ($id: ID!, $pii: Boolean!) { customer(id: $id) { gender email @include(if: $pii) } }`,
      { pii: true },
    );
    // One details call serves the public and the personal fields.
    expect(counts).toEqual({ 'gameball.details': 1 });
  });

  it('under _entities, as a gateway asks', async () => {
    const query = `query ($representations: [_Any!]!, $pii: Boolean!) {
      _entities(representations: $representations) { ... on Customer { gender email @include(if: $pii) } }
    }`;
    const representations = [{ __typename: 'Customer', id }];
    subgraph.sandbox.resetCalls();
    const skipped = await subgraph.query(query, { representations, pii: false });
    expect(skipped.errors).toBeUndefined();
    expect(subgraph.sandbox.calls.map((call) => call.endpoint)).toEqual(['gameball.profile']);
  });
});
