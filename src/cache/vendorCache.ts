import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { CacheSettings } from '../config.js';
import type { Logger } from '../logger.js';
import { asError, UpstreamError } from '../vendors/errors.js';
import { requestScope, type RequestScope } from '../vendors/http.js';
import type { QuotaCaller } from '../vendors/quota.js';
import type { CustomerSource } from '../vendors/endpoints.js';
import type { RedisLink } from '../redis.js';

/**
 * The vendor answers that anyone may see, so they may outlive a request: Gameball's public
 * profile, and the public projection of Voucherify's customer (src/vendors/voucherify/payloads.ts).
 * Nothing personal has a name here, so nothing personal can be cached.
 */
export type CachedEndpoint = Extract<CustomerSource, 'gameball.profile' | 'voucherify.summary'>;

/** Told about every lookup (`stale`: served past its freshness because the vendor failed) and eviction. */
export interface CacheObserver {
  cacheLookup(endpoint: CachedEndpoint, result: 'hit' | 'miss' | 'stale'): void;
  cacheEviction(endpoint: CachedEndpoint, reason: 'write' | 'capacity'): void;
}

interface Entry {
  /** The payload; null when the vendor said it does not know the key. */
  readonly value: unknown;
  /** Epoch milliseconds. */
  readonly storedAt: number;
  readonly freshUntil: number;
}

/**
 * What a read found, and what a write-back must still see to land: the key's version in Redis,
 * or the local eviction sequence at the time of the read.
 */
type Found = { entry: Entry | undefined } & ({ tier: 'shared'; version: string } | { tier: 'local'; sequence: number });

/** How long an eviction is remembered: longer than any fetch that began before it can take. */
const evictionMemoryMs = 120_000;

/** A value in the last fifth of its freshness is fetched again in the background, once. */
const refreshAheadShare = 0.2;

/** Who background refreshes are for in the vendor quotas: a group of their own, taking turns with callers'. */
const refreshCaller: QuotaCaller = { group: 'cache refresh', id: '' };

/** How often a replica waiting for another's fetch looks for its value… */
const otherReplicaPollMs = 20;
/** …and for how long at most, before it fetches for itself (the other may be stuck or gone). */
const otherReplicaWaitMs = 1_000;

/** A loader's fetch, in the scope of the request that missed, or of a background refresh. */
export type CacheFetch<V> = (key: string, scope: RequestScope) => Promise<V | null>;

/**
 * The vendor-response cache under the per-request loaders. A loader batch reads every key in one
 * round trip, fetches only the misses (each key once across the concurrent requests of this
 * process), and writes them back. With Redis, replicas share one tier; the bounded in-process
 * tier is used without Redis, and while Redis is unavailable. Our own writes evict before they
 * return, in every replica's view, and a fetch that began before an eviction never writes after it.
 */
export class VendorCache {
  private readonly local: LRUCache<string, Entry>;
  private readonly evictions: LRUCache<string, number>;
  private sequence = 0;
  /**
   * Keys whose eviction could not reach Redis: they are neither read from nor written to Redis
   * until the eviction has been replayed there.
   */
  private readonly unsentEvictions = new Set<string>();
  private warnedUnsentEvictions = false;
  /** Fetches in flight, by cache key: concurrent misses of one key share one vendor call. */
  private readonly flights = new Map<string, Promise<unknown>>();
  private readonly staleMs: number;

  constructor(
    private readonly settings: CacheSettings,
    private readonly redis: RedisLink | null,
    private readonly observer: CacheObserver,
    private readonly logger: Logger,
    /** A background refresh's deadline (REQUEST_DEADLINE_MS). */
    private readonly refreshDeadlineMs: number,
  ) {
    this.staleMs = settings.staleIfErrorSeconds * 1000;
    this.local = new LRUCache<string, Entry>({
      max: settings.maxEntries,
      ttl: settings.ttlSeconds * 1000 + this.staleMs,
      dispose: (_, key, reason) => {
        if (reason === 'evict') observer.cacheEviction(endpointOf(key), 'capacity');
      },
    });
    this.evictions = new LRUCache<string, number>({ max: settings.maxEntries, ttl: evictionMemoryMs });
    // What this replica cached on its own is not seen by the others' evictions: it is only read
    // while Redis is unavailable, and dropped once Redis is back.
    redis?.onAvailability((available) => {
      if (available) this.local.clear();
    });
  }

  /**
   * One batch of a loader: fresh cached values, the rest from `fetch`. A key whose fetch fails
   * gets its stale value instead, if it has one within CACHE_STALE_IF_ERROR_SECONDS, noted in the
   * request's `staleReads`; else the failure. A value close to the end of its freshness is
   * fetched again in the background, so that a key in use does not expire under its callers and
   * make them wait for the vendor's quota.
   */
  async load<V>(
    endpoint: CachedEndpoint,
    keys: readonly string[],
    fetch: CacheFetch<V>,
    scope: RequestScope,
  ): Promise<(V | null | Error)[]> {
    const found = await this.read(endpoint, keys);
    const now = Date.now();
    return await Promise.all(
      keys.map(async (key, index) => {
        const lookup = found[index]!;
        const { entry } = lookup;
        if (entry && now < entry.freshUntil) {
          this.observer.cacheLookup(endpoint, 'hit');
          if (now >= entry.freshUntil - (entry.freshUntil - entry.storedAt) * refreshAheadShare)
            void this.refresh(endpoint, key, lookup, fetch);
          return entry.value as V | null;
        }
        this.observer.cacheLookup(endpoint, 'miss');
        return this.fetchAndStore(endpoint, key, lookup, (fetchScope) => fetch(key, fetchScope), scope);
      }),
    );
  }

  /**
   * Drops the key's entry in every tier, before the write that changed it returns. If Redis cannot
   * be told now, this replica keeps the key away from Redis until it can, and tells it first thing.
   */
  async evict(endpoint: CachedEndpoint, key: string): Promise<void> {
    const id = cacheKey(endpoint, key);
    this.evictions.set(id, ++this.sequence);
    this.local.delete(id);
    // A fetch already running may hold the old value: later lookups must not join it.
    this.flights.delete(id);
    this.observer.cacheEviction(endpoint, 'write');
    if (!this.redis) return;
    this.unsentEvictions.add(id);
    await this.sendEvictions();
  }

  /**
   * Evicts in Redis what could not be evicted there before: drops the entry and the claim of a
   * fetch, and gives the key a new version, so a fetch that began before cannot write after.
   */
  private async sendEvictions(): Promise<void> {
    if (this.unsentEvictions.size === 0) return;
    if (!this.redis?.available) return this.warnUnsent();
    const ids = [...this.unsentEvictions];
    try {
      await this.redis.run('cache eviction', async (client) => {
        const transaction = client.multi();
        for (const id of ids)
          transaction.del(id, fetchingKey(id)).set(versionKey(id), randomUUID(), 'PX', evictionMemoryMs);
        for (const [error] of (await transaction.exec()) ?? [[new Error('transaction discarded')]]) {
          if (error) throw error;
        }
      });
      for (const id of ids) this.unsentEvictions.delete(id);
      this.warnedUnsentEvictions = false;
    } catch {
      this.warnUnsent();
    }
  }

  /** Once per outage: the other replicas may serve evicted entries until they expire. */
  private warnUnsent(): void {
    if (this.warnedUnsentEvictions) return;
    this.warnedUnsentEvictions = true;
    this.logger.warn(
      { keys: this.unsentEvictions.size },
      'cache evictions could not reach Redis; they are sent once it answers, and other replicas may serve the old entries until they expire',
    );
  }

  /**
   * Fetches a key again for no request in particular: in a scope of its own (deadline, quota
   * group), and only if no request or refresh fetches it already, here or (a claim in Redis) on
   * another replica.
   * Failures are dropped: the value in hand stays until it expires.
   */
  private async refresh<V>(endpoint: CachedEndpoint, key: string, lookup: Found, fetch: CacheFetch<V>): Promise<void> {
    const id = cacheKey(endpoint, key);
    if (this.flights.has(id)) return;
    const scope = requestScope(this.refreshDeadlineMs, { caller: refreshCaller });
    const claim = lookup.tier === 'shared' ? await this.claim(id, scope) : null;
    if (claim === 'taken' || this.flights.has(id)) return;
    const flight = this.fetchAndWrite(id, lookup, () => fetch(key, scope), claim);
    this.flights.set(id, flight);
    try {
      await flight;
    } catch {
      // The next lookup after it expires fetches again.
    } finally {
      if (this.flights.get(id) === flight) this.flights.delete(id);
    }
  }

  private async fetchAndStore<V>(
    endpoint: CachedEndpoint,
    key: string,
    lookup: Found,
    fetch: (scope: RequestScope) => Promise<V | null>,
    scope: RequestScope,
  ): Promise<V | null | Error> {
    const id = cacheKey(endpoint, key);
    try {
      return await this.shared(id, () => this.fromVendor(id, lookup, () => fetch(scope), scope), scope);
    } catch (error) {
      const stale = lookup.entry;
      const now = Date.now();
      // A request that is over needs no value; a failure that is not the vendor's is no reason.
      if (stale && error instanceof UpstreamError && !scope.signal.aborted && now - stale.freshUntil <= this.staleMs) {
        this.observer.cacheLookup(endpoint, 'stale');
        scope.staleReads.push({
          endpoint,
          key,
          ageSeconds: Math.round((now - stale.storedAt) / 1000),
          reason: error.message,
        });
        return stale.value as V | null;
      }
      return asError(error);
    }
  }

  /**
   * The key's value from this process's fetch of it: the one another request already runs, or a
   * new one. If the running one fails for its own request's reasons (its deadline, its request
   * over), this request fetches for itself.
   */
  private async shared<V>(id: string, fetch: () => Promise<V | null>, scope: RequestScope): Promise<V | null> {
    const running = this.flights.get(id) as Promise<V | null> | undefined;
    if (running) {
      try {
        return await running;
      } catch (error) {
        if (!(error instanceof UpstreamError && error.rejectedLocally) || scope.signal.aborted) throw error;
      }
    }
    const flight = fetch();
    this.flights.set(id, flight);
    try {
      return await flight;
    } finally {
      if (this.flights.get(id) === flight) this.flights.delete(id);
    }
  }

  /**
   * The key from its vendor, stored. With Redis, the fetch is claimed across replicas first: a
   * replica that finds it claimed waits for the other's value instead, which comes sooner than its
   * own call would after queueing for the same quota, and fetches for itself if the other gives up
   * or fails.
   */
  private async fromVendor<V>(
    id: string,
    lookup: Found,
    fetch: () => Promise<V | null>,
    scope: RequestScope,
  ): Promise<V | null> {
    const claim = lookup.tier === 'shared' ? await this.claim(id, scope) : null;
    if (claim === 'taken') {
      const other = await this.fromOtherReplica(id, scope);
      if (other) return other.value as V | null;
    }
    return await this.fetchAndWrite(id, lookup, fetch, claim);
  }

  private async fetchAndWrite<V>(
    id: string,
    lookup: Found,
    fetch: () => Promise<V | null>,
    claim: Claim | 'taken' | null,
  ): Promise<V | null> {
    try {
      const value = await fetch();
      await this.write(id, value, lookup);
      return value;
    } finally {
      // After the write: a replica waiting for the value finds it, not a missing claim. Only our
      // own claim: it may have expired, and another replica's taken its place.
      if (claim && claim !== 'taken') {
        const { token } = claim;
        void this.redis!.run('cache flight', (client) => client.deleteIfEqual(fetchingKey(id), token)).catch(
          () => null,
        );
      }
    }
  }

  /** This replica's claim to fetch the key; 'taken' when another replica has it; null when Redis could not say. */
  private async claim(id: string, scope: RequestScope): Promise<Claim | 'taken' | null> {
    const forMs = Math.max(1, Math.round(Math.min(scope.deadlineAt - Date.now(), this.refreshDeadlineMs)));
    const token = randomUUID();
    try {
      const set = await this.redis!.run('cache flight', (client) =>
        client.set(fetchingKey(id), token, 'PX', forMs, 'NX'),
      );
      return set === 'OK' ? { token } : 'taken';
    } catch {
      return null;
    }
  }

  /** The value another replica is fetching, once it has stored it; undefined if it gives up first. */
  private async fromOtherReplica(id: string, scope: RequestScope): Promise<Entry | undefined> {
    const until = Math.min(scope.deadlineAt, Date.now() + otherReplicaWaitMs);
    while (!scope.signal.aborted && Date.now() + otherReplicaPollMs < until) {
      await sleep(otherReplicaPollMs);
      try {
        const [text, fetching] = await this.redis!.run('cache read', (client) => client.mget(id, fetchingKey(id)));
        const entry = parseEntry(text);
        // The lookup found nothing fresh, so a fresh entry is the other replica's.
        if (entry && Date.now() < entry.freshUntil) return entry;
        if (!fetching) return undefined;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  private async read(endpoint: CachedEndpoint, keys: readonly string[]): Promise<Found[]> {
    const ids = keys.map((key) => cacheKey(endpoint, key));
    if (this.redis?.available) {
      await this.sendEvictions();
      try {
        const values = await this.redis.run('cache read', (client) => client.mget(...ids, ...ids.map(versionKey)));
        return ids.map((id, index) =>
          // An eviction Redis has not heard of yet: nothing there is current, and nothing goes there.
          this.unsentEvictions.has(id)
            ? { tier: 'local', entry: undefined, sequence: -1 }
            : { tier: 'shared', entry: parseEntry(values[index]), version: values[ids.length + index] ?? '' },
        );
      } catch {
        // Counted and logged by the link; this batch goes on from the local tier.
      }
    }
    return ids.map((id) => ({ tier: 'local', entry: this.local.get(id), sequence: this.sequence }));
  }

  private async write(id: string, value: unknown, lookup: Found): Promise<void> {
    const now = Date.now();
    const freshMs = (value === null ? this.settings.negativeTtlSeconds : this.settings.ttlSeconds) * 1000;
    const entry: Entry = { value, storedAt: now, freshUntil: now + freshMs };
    const keepMs = freshMs + this.staleMs;
    if (lookup.tier === 'local') {
      if (lookup.sequence < 0) return;
      const evicted = this.evictions.get(id);
      if (evicted === undefined || evicted <= lookup.sequence) this.local.set(id, entry, { ttl: keepMs });
      return;
    }
    try {
      await this.redis!.run('cache write', (client) =>
        client.setIfVersion(id, versionKey(id), JSON.stringify(entry), lookup.version, keepMs),
      );
    } catch {
      // Counted by the link: the next lookup fetches again.
    }
  }
}

/**
 * The key's name in the cache: the endpoint, then a hash of the lookup key. Hashed, so that a
 * lookup key (a caller's input) can neither address another key's version or claim nor put a
 * merchant id (some are e-mail addresses) into Redis in clear.
 */
function cacheKey(endpoint: CachedEndpoint, key: string): string {
  return `${endpoint}:${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
}

/** A replica's claim to fetch a key, in Redis: its own token, so that it releases only its own. */
interface Claim {
  readonly token: string;
}

function versionKey(id: string): string {
  return `${id}:version`;
}

function fetchingKey(id: string): string {
  return `${id}:fetching`;
}

function endpointOf(id: string): CachedEndpoint {
  return id.slice(0, id.indexOf(':')) as CachedEndpoint;
}

function parseEntry(text: string | null | undefined): Entry | undefined {
  if (!text) return undefined;
  try {
    const entry = JSON.parse(text) as Entry;
    return typeof entry.freshUntil === 'number' && typeof entry.storedAt === 'number' ? entry : undefined;
  } catch {
    return undefined;
  }
}
