import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxVendors, type SandboxVendors } from '../../src/sandbox/vendors.js';
import { startRedisServer, type RedisServer } from '../support/redisServer.js';
import { startReplica, type Replica } from '../support/replicas.js';
import { signToken } from '../support/tokens.js';

// Vendor rate limits across replicas: two subgraph processes, each configured with a rate that
// fits the vendor's quota on its own, against a fake Voucherify that answers 429 beyond it. With
// one Redis they share the rate and draw no 429; without it (the control) they do.

const quota = { limit: 10, windowMs: 1_000 };
// A token bucket lets `burst + perSecond × window` through in any window: 4 + 4 ≤ 10.
const replicaEnv = {
  CACHE: 'off',
  VOUCHERIFY_RATE_LIMIT_PER_SECOND: '4',
  VOUCHERIFY_RATE_LIMIT_BURST: '4',
  REQUEST_DEADLINE_MS: '20000',
};

const promotions = /* GraphQL */ `
  query ($id: ID!) {
    customer(id: $id) {
      orderSummary {
        count
      }
    }
  }
`;

let redis: RedisServer;
let vendors: SandboxVendors;
let replicas: Replica[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  vendors = await startSandboxVendors({ quotas: { voucherify: quota } });
});
afterEach(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
  replicas = [];
});
afterAll(async () => {
  await vendors?.close();
  await redis?.close();
});

async function startTwo(env: Record<string, string>): Promise<Replica[]> {
  replicas = await Promise.all([startReplica(vendors.settings, env), startReplica(vendors.settings, env)]);
  return replicas;
}

/** `count` cold lookups of distinct customers, split over the replicas, all at once. */
async function lookups(over: Replica[], first: number, count: number) {
  const ids = Array.from({ length: count }, (_, index) => `cust_${String(first + index).padStart(4, '0')}`);
  return await Promise.all(
    ids.map((id, index) => over[index % over.length]!.query(promotions, { id }, { authorization: '' })),
  );
}

describe('vendor rate limits across replicas', () => {
  it('with one Redis, two replicas together stay within the vendor quota: no 429', async () => {
    const [a, b] = await startTwo({ ...replicaEnv, REDIS_URL: redis.url });
    vendors.resetCalls();
    const responses = await lookups([a!, b!], 101, 24);
    expect(responses.flatMap((response) => response.errors ?? [])).toEqual([]);
    // Every lookup asked Voucherify once (a few customers it does not know: 404), none refused.
    expect(vendors.count('voucherify.customer')).toBe(24);
    expect(vendors.count('voucherify.customer', undefined, 429)).toBe(0);
  }, 30_000);

  it('shares the rate fairly: a caller on one replica is not queued behind a flood on the other', async () => {
    const [a, b] = await startTwo({ ...replicaEnv, REDIS_URL: redis.url });
    const flooder = { authorization: `Bearer ${await signToken({ sub: 'cust_0161' })}` };
    const other = { authorization: `Bearer ${await signToken({ sub: 'cust_0199' })}` };
    const finished: string[] = [];
    const flood = Array.from({ length: 16 }, (_, index) =>
      a!
        .query(promotions, { id: `cust_${String(161 + index).padStart(4, '0')}` }, flooder)
        .then(() => finished.push('flood')),
    );
    // Once the flood holds the rate: its burst is spent and the rest of it waits.
    while (vendors.count('voucherify.customer') < 4) await new Promise((resolve) => setTimeout(resolve, 10));
    const single = b!.query(promotions, { id: 'cust_0199' }, other).then((response) => {
      finished.push('other');
      return response;
    });
    expect((await single).errors).toBeUndefined();
    await Promise.all(flood);
    // A FIFO shared limit would serve it after all 16; round-robin between the replicas' asks, early.
    expect(finished.indexOf('other')).toBeLessThan(12);
    expect(vendors.count('voucherify.customer', undefined, 429)).toBe(0);
  }, 30_000);

  // Last: its 429s would still fill the fake's window for a test right after it.
  it('without Redis (the control), the same two replicas draw 429s', async () => {
    const [a, b] = await startTwo(replicaEnv);
    vendors.resetCalls();
    const responses = await lookups([a!, b!], 131, 24);
    expect(vendors.count('voucherify.customer', undefined, 429)).toBeGreaterThan(0);
    expect(responses.some((response) => response.errors?.length)).toBe(true);
  }, 30_000);
});
