import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { sandboxEdgeCases } from '../../src/sandbox/dataset.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// The vendor-response cache in one process (no Redis), over HTTP: what it saves, what it never
// keeps, and what it serves when a vendor fails.

const publicProfile = /* GraphQL */ `
  query ($id: ID!) {
    customer(id: $id) {
      id
      gender
      loyaltyPoints {
        balance
      }
    }
  }
`;

let current: TestSubgraph | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function start(env: Record<string, string> = {}): Promise<TestSubgraph> {
  current = await startTestSubgraph({ env: { CACHE: 'on', ...env } });
  return current;
}

describe('the vendor-response cache (in-process)', () => {
  it('serves public fields from the cache, whoever asks, and asks the vendor again for personal ones', async () => {
    const subgraph = await start();
    const id = 'cust_0051';
    const first = await subgraph.query(publicProfile, { id }, { authorization: '' });
    expect(subgraph.sandbox.count('gameball.profile', id)).toBe(1);
    expect(subgraph.sandbox.count('voucherify.customer', id)).toBe(1);
    expect(await subgraph.query(publicProfile, { id })).toEqual(first);
    expect(subgraph.sandbox.count('gameball.profile', id)).toBe(1);
    expect(subgraph.sandbox.count('voucherify.customer', id)).toBe(1);

    const personal = /* GraphQL */ `
      query ($id: ID!) {
        customer(id: $id) {
          email
          address {
            city
          }
        }
      }
    `;
    for (let round = 0; round < 2; round++) expect((await subgraph.query(personal, { id })).errors).toBeUndefined();
    expect(subgraph.sandbox.count('gameball.details', id)).toBe(2);
    expect(subgraph.sandbox.count('voucherify.customer', id)).toBe(3);
  });

  it('keeps a "not found" briefly (CACHE_NEGATIVE_TTL_SECONDS), then asks again', async () => {
    const subgraph = await start({ CACHE_NEGATIVE_TTL_SECONDS: '1' });
    const id = sandboxEdgeCases.unknown;
    for (let round = 0; round < 3; round++)
      expect((await subgraph.query(publicProfile, { id })).data).toEqual({ customer: null });
    expect(subgraph.sandbox.count('gameball.profile', id)).toBe(1);
    await sleep(1_100);
    await subgraph.query(publicProfile, { id });
    expect(subgraph.sandbox.count('gameball.profile', id)).toBe(2);
  });

  it('fetches a customer once for concurrent requests (single flight)', async () => {
    const subgraph = await start({ SANDBOX_VENDOR_LATENCY_MS: '100' });
    const id = 'cust_0052';
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => subgraph.query(publicProfile, { id }, { authorization: '' })),
    );
    expect(new Set(responses.map((response) => JSON.stringify(response))).size).toBe(1);
    expect(subgraph.sandbox.count('gameball.profile', id)).toBe(1);
    expect(subgraph.sandbox.count('voucherify.customer', id)).toBe(1);
  });

  it('serves the last value, marked stale and no-store, while the vendor fails; null past the stale window', async () => {
    const subgraph = await start({
      CACHE_TTL_SECONDS: '1',
      CACHE_STALE_IF_ERROR_SECONDS: '2',
    });
    const id = 'cust_0053';
    const fresh = await subgraph.query(publicProfile, { id });
    await sleep(1_100);
    subgraph.sandbox.setFault('gameball.profile', { status: 503 });
    const stale = await subgraph.queryWithHeaders(publicProfile, { id });
    expect(stale.errors).toBeUndefined();
    expect(stale.data).toEqual(fresh.data);
    expect(stale.extensions?.['staleData']).toEqual([
      {
        endpoint: 'gameball.profile',
        key: id,
        ageSeconds: expect.any(Number) as unknown,
        reason: 'Gameball is unavailable',
      },
    ]);
    const [read] = stale.extensions?.['staleData'] as [{ ageSeconds: number }];
    expect(read.ageSeconds).toBeGreaterThanOrEqual(1);
    expect(stale.headers.get('cache-control')).toBe('no-store');

    await sleep(2_000);
    const tooOld = await subgraph.query(publicProfile, { id });
    expect(tooOld.data).toMatchObject({ customer: { gender: null } });
    expect(tooOld.errors?.map((error) => error.extensions?.['code'])).toEqual(['UPSTREAM_UNAVAILABLE']);
    subgraph.sandbox.setFault('gameball.profile', null);
  }, 10_000);

  it('refreshes a customer in use before it expires, in the background, whatever became of the request', async () => {
    const subgraph = await start({ CACHE_TTL_SECONDS: '1' });
    const id = 'cust_0056';
    await subgraph.query(publicProfile, { id }, { authorization: '' });
    await sleep(850);
    // A hit in the last fifth of the TTL: answered from the cache, and the profile fetched again
    // after the response has gone.
    await subgraph.query(publicProfile, { id }, { authorization: '' });
    await sleep(250);
    expect(subgraph.sandbox.count('gameball.profile', id)).toBe(2);
    // Past the first value's TTL: the refreshed value, no call in the way.
    await subgraph.query(publicProfile, { id }, { authorization: '' });
    expect(subgraph.sandbox.count('gameball.profile', id)).toBe(2);
  });

  it('drops the customer from the cache when this subgraph upserts it (test/cache/replicas.test.ts: deletes, across replicas)', async () => {
    const subgraph = await start();
    const id = 'cust_0054';
    await subgraph.query(publicProfile, { id });
    await subgraph.query(
      /* GraphQL */ `
        mutation ($id: ID!) {
          upsertCustomer(input: { id: $id, attributes: { gender: "Nonbinary" } }) {
            userErrors {
              message
            }
          }
        }
      `,
      { id },
    );
    expect((await subgraph.query(publicProfile, { id })).data).toMatchObject({ customer: { gender: 'Nonbinary' } });
    expect(subgraph.sandbox.count('gameball.profile', id)).toBe(2);
  });

  it('with CACHE=off, asks the vendors on every request', async () => {
    const subgraph = await start({ CACHE: 'off' });
    const id = 'cust_0055';
    for (let round = 0; round < 2; round++) await subgraph.query(publicProfile, { id });
    expect(subgraph.sandbox.count('gameball.profile', id)).toBe(2);
  });
});
