import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// Composes what the running subgraph publishes with a second subgraph that references Customer by
// key, as a gateway or rover would.

const ordersSdl = readFileSync(new URL('../../examples/orders/schema.graphql', import.meta.url), 'utf8');

describe('composition', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph();
  });
  afterAll(() => subgraph.close());

  it('composes with a subgraph whose Order.customer references Customer by key', async () => {
    const response = await subgraph.query<{ _service: { sdl: string } }>('{ _service { sdl } }');
    const customersSdl = response.data?._service.sdl;
    expect(customersSdl).toBeTruthy();

    const result = composeServices([
      { name: 'customers', url: `${subgraph.url}/graphql`, typeDefs: parse(customersSdl ?? '') },
      { name: 'orders', url: 'http://127.0.0.1:4002/graphql', typeDefs: parse(ordersSdl) },
    ]);

    expect(result.errors?.map((error) => error.message)).toBeUndefined();
    const supergraph = result.supergraphSdl ?? '';
    expect(supergraph).toMatch(
      /type Customer\s+@join__type\(graph: CUSTOMERS, key: "id"\)\s+@join__type\(graph: CUSTOMERS, key: "imprintId"\)/,
    );
    expect(supergraph).toMatch(/customer: Customer!/);
    expect(supergraph).toContain('upsertCustomer');
  });
});
