import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { RedisLink, type RedisOperation } from '../../src/redis.js';
import { SharedTokens, VendorQuota } from '../../src/vendors/quota.js';
import { startRedisServer, type RedisServer } from '../support/redisServer.js';

// One vendor's rate shared by replicas through a real redis-server (a GCRA in Redis), and the
// local bucket that takes over at the replica's share while Redis is unavailable.

const silent = createLogger('silent');
const noRedisObserver = { redisAvailable: () => undefined, redisFailure: (_: RedisOperation) => undefined };
const links: RedisLink[] = [];
let redisServer: RedisServer;

beforeAll(async () => {
  redisServer = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(links.map((link) => link.close()));
  await redisServer.close();
});

function linkTo(url: string): RedisLink {
  const link = new RedisLink({ url, timeoutMs: 500, keyPrefix: 'shared-tokens:' }, silent, noRedisObserver);
  links.push(link);
  return link;
}

async function readyLink(): Promise<RedisLink> {
  const link = linkTo(redisServer.url);
  for (let i = 0; i < 100 && !link.available; i++) await sleep(20);
  expect(link.available).toBe(true);
  return link;
}

/** A link to a port nothing listens on: Redis never becomes available. */
async function unavailableLink(): Promise<RedisLink> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const link = linkTo(`redis://127.0.0.1:${port}`);
  await link.connected(2_000);
  expect(link.available).toBe(false);
  return link;
}

describe('SharedTokens', () => {
  it('while Redis serves, every replica takes from one bucket: the burst, then one per interval', async () => {
    const key = `quota:${Math.random()}`;
    const rate = { perSecond: 10, burst: 3 };
    const [a, b] = [new SharedTokens(await readyLink(), key, rate), new SharedTokens(await readyLink(), key, rate)];
    expect(a.interval).toBe(100);
    // Only Redis knows what is saved: nothing is taken without asking it.
    expect(a.tryTakeNow()).toBe(false);

    expect((await a.take(2)).granted).toBe(2);
    const second = await b.take(5); // the other replica gets what is left of the burst
    expect(second.granted).toBe(1);
    expect(second.nextInMs).toBeGreaterThan(0);
    expect(second.nextInMs).toBeLessThanOrEqual(100);
  });

  it("gives a wait estimate no more than Redis's burst can shorten: an idle vendor serves a call at once", async () => {
    const rate = { perSecond: 10, burst: 20 };
    const quota = new VendorQuota(
      { ...rate, maxConcurrency: 10, maxQueue: 100 },
      new SharedTokens(await readyLink(), `quota:${Math.random()}`, rate),
    );
    const caller = { group: 'scoped', id: 'checkout' };
    // Five calls ahead at 100 ms each would outlast a 50 ms deadline, were the burst not counted.
    const releases = await Promise.all(
      Array.from({ length: 6 }, () => quota.acquire(caller, Date.now() + 50, new AbortController().signal)),
    );
    expect(releases).toHaveLength(6);
    for (const release of releases) release();
  });

  it.each([
    { replicas: 1, interval: 100 },
    { replicas: 2, interval: 200 },
    // The burst is shared as whole calls, at least one each.
    { replicas: 10, interval: 1000 },
  ])(
    'without Redis, with $replicas replicas seen, takes 1/$replicas of the rate locally, starting empty',
    async ({ replicas, interval }) => {
      const link = await unavailableLink();
      link.replicas = replicas; // what the heartbeat last saw
      const tokens = new SharedTokens(link, 'quota:local', { perSecond: 10, burst: 6 });
      expect(tokens.interval).toBe(interval);
      // It takes over empty: what Redis granted a moment ago still counts at the vendor.
      expect(tokens.saved()).toBeLessThan(1);
      expect(tokens.tryTakeNow()).toBe(false);
    },
  );

  it('empties the local bucket when the share changes: what it saved may have been spent elsewhere', async () => {
    const link = await unavailableLink();
    link.replicas = 2;
    const tokens = new SharedTokens(link, 'quota:share', { perSecond: 100, burst: 6 }); // 20 ms, 3 at most
    expect(tokens.saved()).toBeLessThan(1); // takes over, empty
    await sleep(100);
    expect(tokens.saved()).toBe(3);
    expect(tokens.tryTakeNow()).toBe(true);
    link.replicas = 3;
    expect(tokens.saved()).toBeLessThan(1);
    expect(tokens.interval).toBeCloseTo(30, 9);
  });
});
