import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisLink, type RedisOperation } from '../../src/redis.js';
import { VendorCache, type CacheObserver, type CachedEndpoint } from '../../src/cache/vendorCache.js';
import type { CacheSettings } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { UpstreamError } from '../../src/vendors/errors.js';
import { requestScope, type RequestScope } from '../../src/vendors/http.js';
import { startRedisServer, type RedisServer } from '../support/redisServer.js';

// The vendor-response cache on its own, with fetches the test settles by hand, so orderings that
// are races over HTTP (an eviction during a fetch, a leader giving up) are exact here. Each case
// runs against the in-process tier and against a real redis-server.

const endpoint: CachedEndpoint = 'gameball.profile';
const settings: CacheSettings = { ttlSeconds: 60, negativeTtlSeconds: 60, staleIfErrorSeconds: 60, maxEntries: 100 };

/** A fetch that counts its calls and settles when the test says. */
function controlledFetch() {
  const pending: { key: string; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];
  const fetch = (key: string) =>
    new Promise<unknown>((resolve, reject) => {
      pending.push({ key, resolve, reject });
    });
  return { fetch, pending };
}

function counting(): CacheObserver & { lookups: string[]; evictions: string[] } {
  const lookups: string[] = [];
  const evictions: string[] = [];
  return {
    lookups,
    evictions,
    cacheLookup: (_, result) => void lookups.push(result),
    cacheEviction: (_, reason) => void evictions.push(reason),
  };
}

const silent = createLogger('silent');
const noRedisObserver = { redisAvailable: () => undefined, redisFailure: (_: RedisOperation) => undefined };

let redisServer: RedisServer;
beforeAll(async () => {
  redisServer = await startRedisServer();
});
afterAll(async () => {
  await redisServer.close();
});

async function readyLink(): Promise<RedisLink> {
  const link = new RedisLink(
    { url: redisServer.url, timeoutMs: 500, keyPrefix: `t${Math.random()}:` },
    silent,
    noRedisObserver,
  );
  for (let i = 0; i < 100 && !link.available; i++) await sleep(20);
  expect(link.available).toBe(true);
  return link;
}

describe.each([
  ['in-process tier', false],
  ['Redis tier', true],
] as const)('VendorCache, %s', (_, withRedis) => {
  let link: RedisLink | null;
  let observer: ReturnType<typeof counting>;
  let cache: VendorCache;
  let scope: RequestScope;

  beforeEach(async (context) => {
    link = withRedis ? await readyLink() : null;
    observer = counting();
    cache = new VendorCache(settings, link, observer, silent, 10_000);
    scope = requestScope(10_000);
    context.onTestFinished(async () => {
      await link?.close();
    });
  });

  it('fetches a miss once, then serves it from the cache', async () => {
    const { fetch, pending } = controlledFetch();
    const first = cache.load(endpoint, ['a', 'b'], fetch, scope);
    await until(() => pending.length === 2);
    pending[0]!.resolve({ n: 1 });
    pending[1]!.resolve(null);
    expect(await first).toEqual([{ n: 1 }, null]);
    expect(await cache.load(endpoint, ['a', 'b'], fetch, scope)).toEqual([{ n: 1 }, null]);
    expect(pending).toHaveLength(2);
    expect(observer.lookups).toEqual(['miss', 'miss', 'hit', 'hit']);
  });

  it('fetches concurrent misses of one key once (single flight)', async () => {
    const { fetch, pending } = controlledFetch();
    const loads = [1, 2, 3].map(() => cache.load(endpoint, ['a'], fetch, requestScope(10_000)));
    await until(() => pending.length >= 1);
    await sleep(20);
    expect(pending).toHaveLength(1);
    pending[0]!.resolve({ n: 1 });
    expect(await Promise.all(loads)).toEqual([[{ n: 1 }], [{ n: 1 }], [{ n: 1 }]]);
  });

  it('fetches for itself when the shared fetch failed for its own request (its deadline)', async () => {
    const { fetch, pending } = controlledFetch();
    const leader = cache.load(endpoint, ['a'], fetch, requestScope(10_000));
    await until(() => pending.length === 1);
    const follower = cache.load(endpoint, ['a'], fetch, requestScope(10_000));
    await sleep(10);
    pending[0]!.reject(new UpstreamError('gameball', 'timeout', undefined, { rejectedLocally: true }));
    await until(() => pending.length === 2);
    pending[1]!.resolve({ n: 2 });
    expect((await leader)[0]).toBeInstanceOf(UpstreamError);
    expect(await follower).toEqual([{ n: 2 }]);
  });

  it('fetches a value in the last fifth of its freshness again, once, in the background', async () => {
    const short = new VendorCache({ ...settings, ttlSeconds: 1 }, link, observer, silent, 10_000);
    const { fetch, pending } = controlledFetch();
    const first = short.load(endpoint, ['a'], fetch, scope);
    await until(() => pending.length === 1);
    pending[0]!.resolve({ n: 1 });
    await first;
    await sleep(850);
    // Both served at once from the cache; one refresh goes out.
    expect(await short.load(endpoint, ['a'], fetch, scope)).toEqual([{ n: 1 }]);
    expect(await short.load(endpoint, ['a'], fetch, scope)).toEqual([{ n: 1 }]);
    await until(() => pending.length === 2);
    pending[1]!.resolve({ n: 2 });
    await sleep(300);
    // Past the first value's freshness: the refreshed one, without a fetch in the way.
    expect(await short.load(endpoint, ['a'], fetch, scope)).toEqual([{ n: 2 }]);
    expect(pending).toHaveLength(2);
    expect(observer.lookups).toEqual(['miss', 'hit', 'hit', 'hit']);
  });

  it('does not write back a value whose fetch began before an eviction', async () => {
    const { fetch, pending } = controlledFetch();
    const before = cache.load(endpoint, ['a'], fetch, scope);
    await until(() => pending.length === 1);
    await cache.evict(endpoint, 'a');
    pending[0]!.resolve({ n: 'old' });
    expect(await before).toEqual([{ n: 'old' }]);
    // The old value was not stored: the next lookup fetches again and gets the new one.
    const after = cache.load(endpoint, ['a'], fetch, scope);
    await until(() => pending.length === 2);
    pending[1]!.resolve({ n: 'new' });
    expect(await after).toEqual([{ n: 'new' }]);
    expect(await cache.load(endpoint, ['a'], fetch, scope)).toEqual([{ n: 'new' }]);
    expect(observer.evictions).toEqual(['write']);
  });

  it('after an eviction, a new lookup does not join a fetch that began before it', async () => {
    const { fetch, pending } = controlledFetch();
    const before = cache.load(endpoint, ['a'], fetch, scope);
    await until(() => pending.length === 1);
    await cache.evict(endpoint, 'a');
    const after = cache.load(endpoint, ['a'], fetch, scope);
    await until(() => pending.length === 2);
    pending[0]!.resolve({ n: 'old' });
    pending[1]!.resolve({ n: 'new' });
    expect(await before).toEqual([{ n: 'old' }]);
    expect(await after).toEqual([{ n: 'new' }]);
  });

  /** A cache with a 1 s TTL holding `a` = { n: 1 }, just expired. */
  async function expired(overrides: Partial<CacheSettings>) {
    const short = new VendorCache({ ...settings, ttlSeconds: 1, ...overrides }, link, observer, silent, 10_000);
    const { fetch, pending } = controlledFetch();
    const first = short.load(endpoint, ['a'], fetch, scope);
    await until(() => pending.length === 1);
    pending[0]!.resolve({ n: 1 });
    await first;
    await sleep(1_100);
    return { cache: short, fetch, pending };
  }

  it('serves a stale value, noted in the request, when the vendor fails; the failure when there is none', async () => {
    const { cache: short, fetch, pending } = await expired({ negativeTtlSeconds: 1 });
    const failing = requestScope(10_000);
    const again = short.load(endpoint, ['a', 'b'], fetch, failing);
    await until(() => pending.length === 3);
    for (const call of pending.slice(1)) call.reject(new UpstreamError('gameball', 'unavailable', 503));
    const [stale, none] = await again;
    expect(stale).toEqual({ n: 1 });
    expect(none).toBeInstanceOf(UpstreamError);
    expect(failing.staleReads).toEqual([
      { endpoint, key: 'a', ageSeconds: expect.any(Number) as unknown, reason: 'Gameball is unavailable' },
    ]);
    expect(failing.staleReads[0]!.ageSeconds).toBeGreaterThanOrEqual(1);
    expect(observer.lookups).toEqual(['miss', 'miss', 'miss', 'stale']);
  });

  it('serves nothing stale past CACHE_STALE_IF_ERROR_SECONDS', async () => {
    const { cache: noStale, fetch, pending } = await expired({ staleIfErrorSeconds: 0 });
    const again = noStale.load(endpoint, ['a'], fetch, scope);
    await until(() => pending.length === 2);
    pending[1]!.reject(new UpstreamError('gameball', 'unavailable', 503));
    expect((await again)[0]).toBeInstanceOf(UpstreamError);
    expect(scope.staleReads).toEqual([]);
  });
});

describe('VendorCache, Redis tier', () => {
  it('lets no lookup key address another key’s claim or version', async (context) => {
    const link = await readyLink();
    context.onTestFinished(() => link.close());
    const cache = new VendorCache(settings, link, counting(), silent, 10_000);
    const scope = requestScope(10_000);
    // Ids a caller may send: each caches a "not found" under its own name, nothing else's.
    await cache.load(endpoint, ['a:fetching', 'a:version'], () => Promise.resolve(null), scope);
    const { fetch, pending } = controlledFetch();
    const before = cache.load(endpoint, ['a'], fetch, scope);
    // Fetched at once: no claim of another replica's in the way.
    await sleep(100);
    expect(pending).toHaveLength(1);
    await cache.evict(endpoint, 'a');
    pending[0]!.resolve({ n: 'old' });
    await before;
    const after = cache.load(endpoint, ['a'], fetch, scope);
    await until(() => pending.length === 2);
    pending[1]!.resolve({ n: 'new' });
    expect(await after).toEqual([{ n: 'new' }]);
  });

  it('replays an eviction Redis missed before it serves that key from Redis again', async (context) => {
    const link = await readyLink();
    context.onTestFinished(() => link.close());
    const cache = new VendorCache(settings, link, counting(), silent, 10_000);
    const scope = requestScope(10_000);
    await cache.load(endpoint, ['a'], () => Promise.resolve({ n: 'old' }), scope);
    redisServer.pause();
    try {
      await cache.evict(endpoint, 'a');
    } finally {
      redisServer.resume();
    }
    for (let i = 0; i < 100 && !link.available; i++) await sleep(20);
    expect(await cache.load(endpoint, ['a'], () => Promise.resolve({ n: 'new' }), scope)).toEqual([{ n: 'new' }]);
  });
});

describe('VendorCache, two replicas over one Redis', () => {
  /** Replica A fetches `a` (still pending) and replica B has missed it too, 60 ms later. */
  async function bothMissing(context: { onTestFinished(fn: () => Promise<void>): void }) {
    const link = await readyLink();
    context.onTestFinished(() => link.close());
    const [a, b] = [1, 2].map(() => new VendorCache(settings, link, counting(), silent, 10_000));
    const { fetch, pending } = controlledFetch();
    const first = a!.load(endpoint, ['a'], fetch, requestScope(10_000));
    await until(() => pending.length === 1);
    const second = b!.load(endpoint, ['a'], fetch, requestScope(10_000));
    await sleep(60);
    return { first, second, pending };
  }

  it('fetch a key both miss at once only once: the second waits for the first one’s value', async (context) => {
    const { first, second, pending } = await bothMissing(context);
    expect(pending).toHaveLength(1);
    pending[0]!.resolve({ n: 1 });
    expect(await Promise.all([first, second])).toEqual([[{ n: 1 }], [{ n: 1 }]]);
  });

  it('fetch for themselves when the replica that claimed a key fails', async (context) => {
    const { first, second, pending } = await bothMissing(context);
    pending[0]!.reject(new UpstreamError('gameball', 'unavailable', 503));
    await until(() => pending.length === 2);
    pending[1]!.resolve({ n: 2 });
    expect((await first)[0]).toBeInstanceOf(UpstreamError);
    expect(await second).toEqual([{ n: 2 }]);
  });

  it('refreshes a value in the background once between them', async (context) => {
    const link = await readyLink();
    context.onTestFinished(() => link.close());
    const short = { ...settings, ttlSeconds: 1 };
    const [a, b] = [1, 2].map(() => new VendorCache(short, link, counting(), silent, 10_000));
    const { fetch, pending } = controlledFetch();
    const scope = requestScope(10_000);
    const first = a!.load(endpoint, ['a'], fetch, scope);
    await until(() => pending.length === 1);
    pending[0]!.resolve({ n: 1 });
    await first;
    await sleep(850);
    await Promise.all([a!.load(endpoint, ['a'], fetch, scope), b!.load(endpoint, ['a'], fetch, scope)]);
    await sleep(50);
    expect(pending).toHaveLength(2);
  });
});

describe('VendorCache, in-process tier', () => {
  it('is bounded by CACHE_MAX_ENTRIES, evicting the least recently used', async () => {
    const observer = counting();
    const cache = new VendorCache({ ...settings, maxEntries: 2 }, null, observer, silent, 10_000);
    let calls = 0;
    const fetch = (key: string) => Promise.resolve({ key, call: ++calls });
    const scope = requestScope(10_000);
    await cache.load(endpoint, ['a', 'b', 'c'], fetch, scope);
    expect(observer.evictions).toEqual(['capacity']);
    await cache.load(endpoint, ['a'], fetch, scope);
    expect(calls).toBe(4);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(5);
  expect(condition()).toBe(true);
}
