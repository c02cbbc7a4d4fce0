import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEdgeCases as edge } from '../../src/sandbox/dataset.js';
import { signToken } from '../support/tokens.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';
import { imprintLinkOf } from '../support/expected.js';
import { customerByImprintIdQuery, customerQuery, customersQuery, entitiesQuery } from '../support/graphql.js';

// The Cache-Control header of /graphql responses, per class of the fields a query selects. Every
// case also checks the response had no errors where the class alone should decide, so that a
// no-store cannot pass for the wrong reason.

const ttl = 42;
const PUBLIC = `public, max-age=${ttl}`;
const PRIVATE = `private, max-age=${ttl}`;
const NO_STORE = 'no-store';

let subgraph: TestSubgraph;

beforeAll(async () => {
  // Not the default 15: the max-age must come from the configured cache TTL.
  subgraph = await startTestSubgraph({ env: { CACHE: 'on', CACHE_TTL_SECONDS: String(ttl) } });
});

afterAll(async () => {
  await subgraph?.close();
});

/** The header of a response that had no errors. */
async function cacheControlOf(
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<string | null> {
  const response = await subgraph.queryWithHeaders(query, variables, headers);
  expect(response.errors).toBeUndefined();
  expect(response.status).toBe(200);
  return response.headers.get('cache-control');
}

const rich = edge.rich;
const publicSelection =
  'id gameballId tags location { country } loyaltyPoints { balance } referral { code receivedCount }';

describe('Cache-Control by field class', () => {
  it('is public with the cache TTL when only public fields are selected', async () => {
    expect(await cacheControlOf(customerQuery(publicSelection), { id: rich })).toBe(PUBLIC);
    expect(await cacheControlOf(customersQuery('id orderSummary { count }'), { ids: [rich, edge.richReferrer] })).toBe(
      PUBLIC,
    );
    expect(await cacheControlOf('{ __typename }')).toBe(PUBLIC);
  });

  it.each([
    ['a personal scalar', 'id email'],
    ['a personal object', 'id address { city }'],
    ['the Imprint id', 'id imprintId'],
    ['the SSN digits', 'id ssnLast4'],
    ['who referred the customer', 'id referral { code received { referredAt } }'],
  ])('is private with %s', async (_, selection) => {
    expect(await cacheControlOf(customerQuery(selection), { id: rich })).toBe(PRIVATE);
  });

  it.each([
    ['coupons', 'id email coupons { code }'],
    ['the redemption hash', 'id redemptionHash'],
    ['only a coupon sub-field', 'id coupons(availableOnly: true) { isAvailable }'],
  ])('is no-store with %s', async (_, selection) => {
    expect(await cacheControlOf(customerQuery(selection), { id: rich })).toBe(NO_STORE);
  });

  it('is no-store for a mutation, even one that changes nothing', async () => {
    const mutation = 'mutation ($id: ID!) { deleteCustomer(id: $id) { deletedCustomerId userErrors { code } } }';
    expect(await cacheControlOf(mutation, { id: edge.unknown })).toBe(NO_STORE);
  });
});

describe('Cache-Control for answers that depend on the caller', () => {
  it('is private for me, with or without a customer behind the token', async () => {
    const authorization = `Bearer ${await signToken({ sub: rich })}`;
    expect(await cacheControlOf('{ me { id gameballId } }', {}, { authorization })).toBe(PRIVATE);
    expect(await cacheControlOf('{ me { id } }', {}, { authorization: '' })).toBe(PRIVATE);
  });

  it('is private for customerByImprintId, public fields only', async () => {
    const imprintId = imprintLinkOf(subgraph.sandbox.dataset, rich);
    expect(imprintId).not.toBeNull();
    expect(await cacheControlOf(customerByImprintIdQuery('id gameballId'), { imprintId })).toBe(PRIVATE);
  });

  it('is public for entities by id and private once one is by imprintId', async () => {
    const imprintId = imprintLinkOf(subgraph.sandbox.dataset, rich);
    const byId = { __typename: 'Customer', id: rich };
    const byImprintId = { __typename: 'Customer', imprintId };
    const query = entitiesQuery('id gameballId');
    expect(await cacheControlOf(query, { representations: [byId] })).toBe(PUBLIC);
    expect(await cacheControlOf(query, { representations: [byImprintId] })).toBe(PRIVATE);
    expect(await cacheControlOf(query, { representations: [byId, byImprintId] })).toBe(PRIVATE);
    // Written into the document rather than sent as a variable.
    const inline = `{ _entities(representations: [{ __typename: "Customer", imprintId: "${imprintId}" }]) { ... on Customer { id } } }`;
    expect(await cacheControlOf(inline)).toBe(PRIVATE);
    expect(await cacheControlOf(entitiesQuery('id email'), { representations: [byId] })).toBe(PRIVATE);
  });
});

describe('Cache-Control through the shapes of a query', () => {
  it.each([
    ['an alias', '{ customer(id: "cust_0001") { id contact: email } }', PRIVATE],
    ['an inline fragment', '{ customer(id: "cust_0001") { id ... on Customer { phone } } }', PRIVATE],
    ['an untyped inline fragment', '{ customer(id: "cust_0001") { id ... { firstName } } }', PRIVATE],
    [
      'a named fragment',
      '{ customer(id: "cust_0001") { ...Contact } } fragment Contact on Customer { id lastName }',
      PRIVATE,
    ],
    [
      'a fragment inside a fragment',
      `{ customer(id: "cust_0001") { ...Outer } }
       fragment Outer on Customer { id referral { ...Inner } }
       fragment Inner on Referral { code received { referrer { coupons { code } } } }`,
      NO_STORE,
    ],
    [
      'a field under one of two aliases',
      '{ a: customer(id: "cust_0001") { id } b: customer(id: "cust_0002") { redemptionHash } }',
      NO_STORE,
    ],
  ])('counts %s', async (_, query, expected) => {
    expect(await cacheControlOf(query)).toBe(expected);
  });

  it('keeps one policy per operation of a document', async () => {
    const document = 'query A { customer(id: "cust_0001") { id } } query B { customer(id: "cust_0001") { email } }';
    const authorization = `Bearer ${await signToken({ scope: 'pii:read' })}`;
    const headerOf = async (operationName: string) => {
      const response = await fetch(`${subgraph.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: document, operationName }),
      });
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
      return response.headers.get('cache-control');
    };
    expect(await headerOf('A')).toBe(PUBLIC);
    expect(await headerOf('B')).toBe(PRIVATE);
  });

  it('follows @include and @skip as executed, per request, for the same document', async () => {
    const included = customerQuery('id email @include(if: $withEmail)').replace(
      '$id: ID!',
      '$id: ID!, $withEmail: Boolean!',
    );
    const skipped = customerQuery('id ... on Customer @skip(if: $public) { coupons { code } }').replace(
      '$id: ID!',
      '$id: ID!, $public: Boolean! = true',
    );
    // The same document alternately: the policy is kept per value of the condition, not per document.
    expect(await cacheControlOf(included, { id: rich, withEmail: false })).toBe(PUBLIC);
    expect(await cacheControlOf(included, { id: rich, withEmail: true })).toBe(PRIVATE);
    expect(await cacheControlOf(included, { id: rich, withEmail: false })).toBe(PUBLIC);
    expect(await cacheControlOf(skipped, { id: rich })).toBe(PUBLIC);
    expect(await cacheControlOf(skipped, { id: rich, public: false })).toBe(NO_STORE);
    expect(await cacheControlOf('{ customer(id: "cust_0001") { id email @skip(if: true) } }')).toBe(PUBLIC);
  });
});

describe('Cache-Control of responses that are not the data', () => {
  it('is no-store for a response with a FORBIDDEN field', async () => {
    const response = await subgraph.queryWithHeaders(customerQuery('id email'), { id: rich }, { authorization: '' });
    expect(response.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN']);
    expect(response.headers.get('cache-control')).toBe(NO_STORE);
  });

  it('is no-store for public fields a vendor failed to give', async () => {
    subgraph.sandbox.setFault('gameball.profile', { status: 503 });
    try {
      // A customer no other test here asks for: nothing cached to serve instead.
      const response = await subgraph.queryWithHeaders(customerQuery('id gameballId'), { id: 'cust_0299' });
      expect(response.errors?.map((error) => error.extensions?.['code'])).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(response.headers.get('cache-control')).toBe(NO_STORE);
    } finally {
      subgraph.sandbox.setFault('gameball.profile', null);
    }
  });

  it.each([
    ['a syntax error', '{ customer(id: "cust_0001") { id '],
    ['a validation error', '{ customer(id: "cust_0001") { nope } }'],
  ])('is no-store for %s', async (_, query) => {
    const response = await subgraph.queryWithHeaders(query);
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe(NO_STORE);
  });
});

describe('Cache-Control with CACHE=off', () => {
  let uncached: TestSubgraph;
  beforeAll(async () => {
    uncached = await startTestSubgraph({ env: { CACHE: 'off' } });
  });
  afterAll(async () => {
    await uncached?.close();
  });

  it('is no-store even for public data: the subgraph keeps nothing, so neither may a router', async () => {
    const response = await uncached.queryWithHeaders(customerQuery(publicSelection), { id: rich });
    expect(response.errors).toBeUndefined();
    expect(response.headers.get('cache-control')).toBe(NO_STORE);
  });
});
