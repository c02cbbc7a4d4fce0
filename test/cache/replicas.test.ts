import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { sandboxEdgeCases } from '../../src/sandbox/dataset.js';
import { startSandboxVendors, type SandboxVendors } from '../../src/sandbox/vendors.js';
import { everyCustomerField } from '../support/queries.js';
import { startRedisServer, type RedisServer } from '../support/redisServer.js';
import { startReplica, type Replica } from '../support/replicas.js';

// Two subgraph processes over one real redis-server and one set of vendor fakes: what replicas
// share through Redis (the public cache, evictions by our own writes), what never goes there
// (personal data, coupons, hashes), and that the subgraph goes on without it.

const publicFields = /* GraphQL */ `
  query ($id: ID!) {
    customer(id: $id) {
      id
      gender
      tags
      orderSummary {
        count
      }
      referral {
        code
        receivedCount
      }
    }
  }
`;

const everyField = /* GraphQL */ `
  query ($ids: [ID!]!) {
    customers(ids: $ids) {
      ${everyCustomerField}
    }
  }
`;

let redis: RedisServer;
let vendors: SandboxVendors;
let a: Replica;
let b: Replica;

beforeAll(async () => {
  redis = await startRedisServer();
  vendors = await startSandboxVendors();
  const env = { REDIS_URL: redis.url, CACHE_TTL_SECONDS: '60' };
  [a, b] = await Promise.all([startReplica(vendors.settings, env), startReplica(vendors.settings, env)]);
  await untilMetric(a, 'redis_available', 1);
  await untilMetric(b, 'redis_available', 1);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await vendors?.close();
  await redis?.close();
});

beforeEach(() => vendors.resetCalls());

describe('two replicas over one Redis', () => {
  it('serves through B what A fetched, without a vendor call', async () => {
    const id = 'cust_0041';
    const first = await a.query(publicFields, { id }, { authorization: '' });
    expect(first.errors).toBeUndefined();
    expect(vendors.calls.length).toBeGreaterThan(0);
    vendors.resetCalls();
    const second = await b.query(publicFields, { id }, { authorization: '' });
    expect(second.data).toEqual(first.data);
    expect(vendors.calls).toEqual([]);
    expect(await b.metric('vendor_cache_requests_total{endpoint="gameball.profile",result="hit"}')).toBeGreaterThan(0);
  });

  it('shows an upsert through A at once through B', async () => {
    const id = 'cust_0042';
    await b.query(publicFields, { id }, { authorization: '' });
    const upsert = await a.query(
      /* GraphQL */ `
        mutation ($id: ID!) {
          upsertCustomer(input: { id: $id, attributes: { gender: "Female", tags: ["after-upsert"] } }) {
            userErrors {
              message
            }
          }
        }
      `,
      { id },
    );
    expect(upsert.errors).toBeUndefined();
    const after = await b.query<{ customer: { gender: string; tags: string[] } }>(
      publicFields,
      { id },
      { authorization: '' },
    );
    expect(after.data?.customer).toMatchObject({ gender: 'Female', tags: ['after-upsert'] });
  });

  it('answers null through B once A has deleted the customer', async () => {
    const id = sandboxEdgeCases.gameballOnly;
    const query = /* GraphQL */ `
      query ($id: ID!) {
        customer(id: $id) {
          id
          gender
        }
      }
    `;
    const before = await b.query(query, { id }, { authorization: '' });
    expect(before.data).toEqual({ customer: { id, gender: expect.anything() as unknown } });
    const deleted = await a.query(
      /* GraphQL */ `
        mutation ($id: ID!) {
          deleteCustomer(id: $id) {
            deletedCustomerId
          }
        }
      `,
      { id },
    );
    expect(deleted.data).toEqual({ deleteCustomer: { deletedCustomerId: id } });
    const after = await b.query(query, { id }, { authorization: '' });
    expect(after.data).toEqual({ customer: null });
  });

  it('keeps no personal data, coupon code or hash in Redis after a query that reads them all', async () => {
    const ids = [...vendors.dataset.gameball.keys()].slice(0, 40);
    const response = await a.query(everyField, { ids });
    expect(response.data).toBeTruthy();
    // And once more through B, and for public fields only (what the cache does keep), anonymously
    // and with the full-access token: whatever a replica would write, it has written.
    await b.query(everyField, { ids });
    for (const id of ids.slice(0, 10)) {
      await a.query(publicFields, { id }, { authorization: '' });
      await b.query(publicFields, { id });
    }
    const stored = [...(await redis.dump()).entries()].map(([key, value]) => `${key}\n${value}`).join('\n');
    expect(stored.length).toBeGreaterThan(0);
    const secrets = personalValues(vendors, ids);
    expect(secrets.length).toBeGreaterThan(ids.length * 5);
    // Counted, never printed: the values are fixture PII.
    const leaked = secrets.filter((secret) => stored.includes(secret));
    expect(leaked.length, 'fixture personal values found in Redis').toBe(0);
  });
});

describe('Redis frozen mid-test (it accepts connections and answers nothing)', () => {
  it('keeps serving: each Redis call gives up after REDIS_TIMEOUT_MS, then Redis is left alone until it answers', async () => {
    const unavailable = (line: Record<string, unknown>) => String(line.msg).startsWith('Redis is unavailable');
    const warnedBefore = a.logs.filter(unavailable).length;
    redis.pause();
    try {
      for (let round = 0; round < 5; round++) {
        const response = await a.query(publicFields, { id: `cust_00${60 + round}` }, { authorization: '' });
        expect(response.errors).toBeUndefined();
        expect(response.data).toMatchObject({ customer: { id: `cust_00${60 + round}` } });
      }
      expect(await a.metric('redis_available')).toBe(0);
      // Frozen across heartbeats (their probes time out): still one warning, no flapping.
      await sleep(5_000);
      expect(await a.metric('redis_available')).toBe(0);
      expect(a.logs.filter(unavailable).length - warnedBefore).toBe(1);
    } finally {
      redis.resume();
    }
    await untilMetric(a, 'redis_available', 1);
  }, 40_000);
});

describe('Redis killed mid-test', () => {
  it('keeps serving from the vendors, says so once in the log, and shares again once Redis is back', async () => {
    const id = 'cust_0043';
    const unavailable = (line: Record<string, unknown>) => String(line.msg).startsWith('Redis is unavailable');
    const warnedBefore = a.logs.filter(unavailable).length;
    await redis.kill();
    await untilMetric(a, 'redis_available', 0);
    for (let round = 0; round < 3; round++) {
      const response = await a.query(publicFields, { id }, { authorization: '' });
      expect(response.errors).toBeUndefined();
      expect(response.data).toMatchObject({ customer: { id } });
    }
    expect(vendors.count('gameball.profile', id)).toBeGreaterThanOrEqual(1);
    expect(a.logs.filter(unavailable).length - warnedBefore).toBe(1);

    await redis.restart();
    await untilMetric(a, 'redis_available', 1);
    await untilMetric(b, 'redis_available', 1);
    vendors.resetCalls();
    await a.query(publicFields, { id: 'cust_0044' }, { authorization: '' });
    expect(vendors.calls.length).toBeGreaterThan(0);
    vendors.resetCalls();
    await b.query(publicFields, { id: 'cust_0044' }, { authorization: '' });
    expect(vendors.calls).toEqual([]);
  }, 40_000);
});

/** Every personal string the fakes hold for these customers: names, contacts, addresses, coupons, hashes, card data. */
function personalValues(sandbox: SandboxVendors, ids: string[]): string[] {
  const values = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string' && value.length >= 4) values.add(value);
  };
  for (const id of ids) {
    const gameball = sandbox.dataset.gameball.get(id);
    if (gameball) {
      const attributes = gameball.details.customerAttributes;
      for (const field of ['displayName', 'firstName', 'lastName', 'email', 'mobile', 'dateOfBirth'] as const)
        add(attributes[field]);
      add(gameball.hash);
      for (const coupon of gameball.coupons) add(coupon.code);
    }
    const voucherify = sandbox.dataset.voucherify.get(id);
    if (voucherify) {
      // Referrals name customers by it, so it would tell who referred whom.
      add(voucherify.id);
      add(voucherify.name);
      add(voucherify.email);
      add(voucherify.phone);
      add(voucherify.address?.line_1);
      for (const referral of voucherify.referrals?.campaigns ?? []) add(referral.referrer_id);
      for (const value of Object.values(voucherify.metadata ?? {})) add(value);
    }
  }
  for (const record of sandbox.dataset.imprint.values()) {
    if (!record.partner_customer_id || !ids.includes(record.partner_customer_id)) continue;
    add(record.id);
    add(record.email);
    add(record.ssn4 && `"${record.ssn4}"`);
    add(record.address?.street_line1);
  }
  return [...values];
}

async function untilMetric(replica: Replica, series: string, value: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await replica.metric(series)) === value) return;
    await sleep(100);
  }
  expect(await replica.metric(series)).toBe(value);
}
