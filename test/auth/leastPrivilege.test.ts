import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEdgeCases } from '../../src/sandbox/dataset.js';
import type { VendorEndpoint } from '../../src/vendors/endpoints.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';
import { signToken } from '../support/tokens.js';

// Data a caller may not see is never fetched: vendor calls counted at the sandbox fakes.

const owner = sandboxEdgeCases.rich;
const secretKeyEndpoints: VendorEndpoint[] = ['gameball.details', 'gameball.coupons', 'gameball.hash'];

describe('least privilege upstream', () => {
  let subgraph: TestSubgraph;
  let ownerToken: string;
  let piiReader: string;

  beforeAll(async () => {
    subgraph = await startTestSubgraph();
    ownerToken = `Bearer ${await signToken({ sub: owner })}`;
    piiReader = `Bearer ${await signToken({ sub: 'support-agent', scope: 'pii:read' })}`;
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

  it('an anonymous caller asking for everything reaches no secret-key endpoint and no Imprint', async () => {
    const count = await callsFor(everythingGated, '');
    for (const endpoint of secretKeyEndpoints) expect(count(endpoint), endpoint).toBe(0);
    expect(count('imprint.customer')).toBe(0);
    expect(count('gameball.profile')).toBe(1); // the public fields it may read
  });

  it('another customer gets the same least-privilege treatment as an anonymous caller', async () => {
    const count = await callsFor(everythingGated, `Bearer ${await signToken({ sub: sandboxEdgeCases.richReferrer })}`);
    for (const endpoint of secretKeyEndpoints) expect(count(endpoint), endpoint).toBe(0);
    expect(count('imprint.customer')).toBe(0);
  });

  it('the owner: one details call serves public and personal fields; no SSN means no sensitive read', async () => {
    const count = await callsFor(`{ customer(id: "${owner}") { gender tags email firstName } }`, ownerToken);
    expect(count('gameball.details')).toBe(1);
    expect(count('gameball.profile')).toBe(0);
  });

  it('pii:read without coupons:read: details yes, coupons and hash never', async () => {
    const count = await callsFor(everythingGated, piiReader);
    expect(count('gameball.details')).toBe(1);
    expect(count('gameball.profile')).toBe(0);
    expect(count('gameball.coupons')).toBe(0);
    expect(count('gameball.hash')).toBe(0);
  });

  it('coupons:read without pii:read: coupons and hash, but the public profile instead of details', async () => {
    const count = await callsFor(
      everythingGated,
      `Bearer ${await signToken({ sub: 'checkout', scope: 'coupons:read' })}`,
    );
    expect(count('gameball.coupons')).toBe(1);
    expect(count('gameball.hash')).toBe(1);
    expect(count('gameball.details')).toBe(0);
    expect(count('gameball.profile')).toBe(1);
    expect(count('imprint.customer')).toBe(0);
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
