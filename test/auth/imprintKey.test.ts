import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEdgeCases } from '../../src/sandbox/dataset.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';
import { signToken } from '../support/tokens.js';

// Resolving a Customer entity by its Imprint key maps a card account to a merchant customer, as
// customerByImprintId does: only with scope pii:read, or for the card holder themself. Written out
// from the product rule, independently of src/auth/rules.ts.

const { imprintId, partnerCustomerId: cardHolder } = sandboxEdgeCases.unlinkedImprint;
const unknownImprintId = '00000000-0000-4000-8000-000000000000';

let subgraph: TestSubgraph;
beforeAll(async () => {
  subgraph = await startTestSubgraph();
});
afterAll(async () => {
  await subgraph?.close();
});

const entities = `query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Customer { id gender } }
}`;

async function resolveByImprintKey(claims: { sub?: string; scope?: string } | null, key: string) {
  const authorization = claims ? `Bearer ${await signToken(claims)}` : '';
  subgraph.sandbox.resetCalls();
  const response = await subgraph.query<{ _entities: ({ id: string } | null)[] }>(
    entities,
    { representations: [{ __typename: 'Customer', imprintId: key }] },
    { authorization },
  );
  return { response, imprintCalls: subgraph.sandbox.count('imprint.customer'), vendorCalls: subgraph.sandbox.calls };
}

const forbidden = [
  expect.objectContaining({
    path: ['_entities', 0],
    extensions: expect.objectContaining({ code: 'FORBIDDEN' }) as unknown,
  }),
];

describe('_entities by imprintId', () => {
  it('is FORBIDDEN to an anonymous caller, decided before Imprint is asked', async () => {
    const { response, vendorCalls } = await resolveByImprintKey(null, imprintId);
    expect(response.data?._entities).toEqual([null]);
    expect(response.errors).toEqual(forbidden);
    expect(vendorCalls).toEqual([]);
  });

  it('is FORBIDDEN to a token with neither a subject nor the scope, before Imprint is asked', async () => {
    const { response, vendorCalls } = await resolveByImprintKey({ scope: 'coupons:read' }, imprintId);
    expect(response.errors).toEqual(forbidden);
    expect(vendorCalls).toEqual([]);
  });

  it('resolves for the card holder themself (the record names their merchant id)', async () => {
    const { response } = await resolveByImprintKey({ sub: cardHolder }, imprintId);
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual([expect.objectContaining({ id: cardHolder })]);
  });

  it('is FORBIDDEN to another customer, for an existing and for an unknown Imprint id alike', async () => {
    const someoneElse = sandboxEdgeCases.rich;
    const existing = await resolveByImprintKey({ sub: someoneElse }, imprintId);
    const unknown = await resolveByImprintKey({ sub: someoneElse }, unknownImprintId);
    for (const { response } of [existing, unknown]) {
      expect(response.data?._entities).toEqual([null]);
      expect(response.errors).toEqual(forbidden);
    }
    // Same answer either way: nothing tells them whether the card account exists.
    expect(existing.response.errors?.[0]?.message).toBe(unknown.response.errors?.[0]?.message);
    // Only Imprint was asked, and nothing was fetched for the merchant customer it names.
    expect(existing.vendorCalls.map((call) => call.endpoint)).toEqual(['imprint.customer']);
  });

  it('resolves with scope pii:read, and is null without an error for an unknown Imprint id', async () => {
    const known = await resolveByImprintKey({ sub: 'support-agent', scope: 'pii:read' }, imprintId);
    expect(known.response.errors).toBeUndefined();
    expect(known.response.data?._entities).toEqual([expect.objectContaining({ id: cardHolder })]);

    const unknown = await resolveByImprintKey({ sub: 'support-agent', scope: 'pii:read' }, unknownImprintId);
    expect(unknown.response.errors).toBeUndefined();
    expect(unknown.response.data?._entities).toEqual([null]);
    expect(unknown.imprintCalls).toBe(1);
  });

  it('keeps customerByImprintId to scope pii:read, as its SDL declares', async () => {
    const query = `{ customerByImprintId(imprintId: "${imprintId}") { id } }`;
    subgraph.sandbox.resetCalls();
    const holder = await subgraph.query(query, undefined, {
      authorization: `Bearer ${await signToken({ sub: cardHolder })}`,
    });
    expect(holder.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN']);
    expect(subgraph.sandbox.calls).toEqual([]);
  });
});
