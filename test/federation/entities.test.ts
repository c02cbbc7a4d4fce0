import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEdgeCases } from '../../src/sandbox/dataset.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// The gateway's view of the subgraph: `_entities` for each @key of Customer, and `_service`.

const entities = `query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Customer { id imprintId gender orderSummary { count } cardPrograms { name status } }
  }
}`;

type Entity = { __typename: string; id: string; imprintId: string | null; gender: string | null } | null;

describe('_entities and _service', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph();
  });
  afterAll(() => subgraph.close());

  it('resolves Customer by id, in order, with null for an unknown id', async () => {
    const { rich, gameballOnly, unknown } = sandboxEdgeCases;
    const { dataset } = subgraph.sandbox;
    const response = await subgraph.query<{ _entities: Entity[] }>(entities, {
      representations: [rich, unknown, gameballOnly].map((id) => ({ __typename: 'Customer', id })),
    });
    expect(response.errors).toBeUndefined();
    const [first, second, third] = response.data?._entities ?? [];
    expect(first).toMatchObject({ __typename: 'Customer', id: rich });
    expect(first?.gender).toBe(dataset.gameball.get(rich)?.details.customerAttributes.gender);
    expect(second).toBeNull();
    expect(third).toMatchObject({ id: gameballOnly, orderSummary: null });
  });

  it('resolves Customer by imprintId to the merchant id Imprint holds, with card programs', async () => {
    const { imprintId, partnerCustomerId } = sandboxEdgeCases.unlinkedImprint;
    const record = subgraph.sandbox.dataset.imprint.get(imprintId);
    const response = await subgraph.query<{
      _entities: (Entity & { cardPrograms: { name: string; status: string }[] })[];
    }>(entities, {
      representations: [
        { __typename: 'Customer', imprintId },
        { __typename: 'Customer', imprintId: 'UNKNOWN-IMPRINT-ID' },
      ],
    });
    expect(response.errors).toBeUndefined();
    const [found, missing] = response.data?._entities ?? [];
    expect(found).toMatchObject({ __typename: 'Customer', id: partnerCustomerId, imprintId });
    expect(found?.cardPrograms).toEqual(
      Object.entries(record?.statuses ?? {}).map(([name, status]) => ({ name, status })),
    );
    expect(missing).toBeNull();
  });

  it('refuses a representation with a malformed id without calling any vendor', async () => {
    subgraph.sandbox.resetCalls();
    const response = await subgraph.query(entities, { representations: [{ __typename: 'Customer', id: '..' }] });
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(subgraph.sandbox.calls).toEqual([]);
  });

  it('publishes its SDL with both keys through _service', async () => {
    const response = await subgraph.query<{ _service: { sdl: string } }>('{ _service { sdl } }');
    const sdl = response.data?._service.sdl ?? '';
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.5"');
    expect(sdl).toMatch(/type Customer\s+@key\(fields: "id"\)\s+@key\(fields: "imprintId"\)/);
  });
});
