import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEdgeCases } from '../../src/sandbox/dataset.js';
import type { VendorEndpoint } from '../../src/vendors/endpoints.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';
import { signToken } from '../support/tokens.js';

// Data a caller may not see is never fetched: vendor calls counted at the sandbox fakes.

const owner = sandboxEdgeCases.rich;
const secretKeyEndpoints: VendorEndpoint[] = ['gameball.details', 'gameball.coupons', 'gameball.hash'];

type Claims = { sub: string; scope?: string };

describe('least privilege upstream', () => {
  let subgraph: TestSubgraph;
  let ownerToken: string;

  beforeAll(async () => {
    subgraph = await startTestSubgraph();
    ownerToken = `Bearer ${await signToken({ sub: owner })}`;
  });
  afterAll(() => subgraph.close());

  async function callsFor(query: string, authorization: string): Promise<(endpoint: VendorEndpoint) => number> {
    subgraph.sandbox.resetCalls();
    const response = await subgraph.query(query, undefined, { authorization });
    expect(response.status).toBe(200);
    return (endpoint) => subgraph.sandbox.count(endpoint);
  }

  const everythingGated = `{ customer(id: "${owner}") {
    gender email firstName phone address { city } coupons { code } redemptionHash ssnLast4 cardPrograms { name }
    referral { code received { campaignId } } joinDate channel preferenceCenterUrl cardHolderSince
    purchaseHistory { paymentMethods averageOrderAmount { amount } }
  } }`;

  // Who asks (null: anonymously), and how often each endpoint is called for it (those left out are
  // not counted), for `everythingGated` unless another query is given.
  const noSecretKeyCalls = Object.fromEntries(secretKeyEndpoints.map((endpoint) => [endpoint, 0]));
  const cases: [
    title: string,
    claims: Claims | null,
    calls: Partial<Record<VendorEndpoint, number>>,
    query?: string,
  ][] = [
    [
      'an anonymous caller asking for everything reaches no secret-key endpoint and no Imprint',
      null,
      { ...noSecretKeyCalls, 'imprint.customer': 0, 'gameball.profile': 1 }, // the public fields it may read
    ],
    [
      'another customer gets the same least-privilege treatment as an anonymous caller',
      { sub: sandboxEdgeCases.richReferrer },
      { ...noSecretKeyCalls, 'imprint.customer': 0 },
    ],
    [
      'the owner: one details call serves public and personal fields; no SSN means no sensitive read',
      { sub: owner },
      { 'gameball.details': 1, 'gameball.profile': 0 },
      `{ customer(id: "${owner}") { gender tags email firstName } }`,
    ],
    [
      'pii:read without coupons:read: details yes, coupons and hash never',
      { sub: 'support-agent', scope: 'pii:read' },
      { 'gameball.details': 1, 'gameball.profile': 0, 'gameball.coupons': 0, 'gameball.hash': 0 },
    ],
    [
      'coupons:read without pii:read: coupons and hash, but the public profile instead of details',
      { sub: 'checkout', scope: 'coupons:read' },
      {
        'gameball.coupons': 1,
        'gameball.hash': 1,
        'gameball.details': 0,
        'gameball.profile': 1,
        'imprint.customer': 0,
      },
    ],
  ];

  it.each(cases)('%s', async (_, claims, calls, query = everythingGated) => {
    const count = await callsFor(query, claims ? `Bearer ${await signToken(claims)}` : '');
    const endpoints = Object.keys(calls) as VendorEndpoint[];
    expect(Object.fromEntries(endpoints.map((endpoint) => [endpoint, count(endpoint)]))).toEqual(calls);
  });

  it('in _entities, a customer reads details for their own entity only', async () => {
    const ids = ['cust_0001', 'cust_0002', 'cust_0003', 'cust_0004'];
    subgraph.sandbox.resetCalls();
    await subgraph.query(
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { gender email coupons { code } } } }`,
      { representations: ids.map((id) => ({ __typename: 'Customer', id })) },
      { authorization: ownerToken },
    );
    const keysOf = (endpoint: VendorEndpoint) =>
      subgraph.sandbox.calls.filter((call) => call.endpoint === endpoint).map((call) => call.key);
    expect(keysOf('gameball.details')).toEqual([owner]);
    expect(keysOf('gameball.coupons')).toEqual([owner]);
    expect(keysOf('gameball.profile').sort()).toEqual(ids.filter((id) => id !== owner).sort());
  });
});
