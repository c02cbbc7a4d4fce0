import { randomUUID } from 'node:crypto';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { Redis } from 'ioredis';
import type { RedisSettings } from './config.js';
import type { Logger } from './logger.js';

/** Told when Redis becomes usable or stops being so, and about each failed call. */
export interface RedisObserver {
  redisAvailable(available: boolean): void;
  redisFailure(operation: RedisOperation): void;
}

export type RedisOperation = 'cache read' | 'cache write' | 'cache eviction' | 'cache flight' | 'quota' | 'heartbeat';

// Lua runs atomically in Redis: each script is one round trip and no other client sees half of it.

/**
 * GCRA (the generic cell rate algorithm): KEYS[1] holds the theoretical arrival time of the next
 * call, in ms of Redis's clock, so every replica shares one clock. Grants up to ARGV[3] calls at
 * one every ARGV[1] ms with bursts of ARGV[2]; returns how many, and in how many ms the next is due.
 */
const takeTokens = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local interval, burst, wanted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tolerance = (burst - 1) * interval
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local granted = 0
while granted < wanted and tat - now <= tolerance do
  tat = tat + interval
  granted = granted + 1
end
if granted > 0 then redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now) + 1000) end
return { granted, tostring(math.max(0, tat - now - tolerance)) }`;

/**
 * Writes KEYS[1] = ARGV[1] for ARGV[3] ms only if the version in KEYS[2] is still ARGV[2] ('' for
 * none): a value fetched before an eviction must not land after it.
 */
const setIfVersion = `
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/** Deletes KEYS[1] only if it still holds ARGV[1] (a claim this client made, not a later one). */
const deleteIfEqual = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface Scripts {
  takeTokens(key: string, intervalMs: number, burst: number, wanted: number): Promise<[number, string]>;
  setIfVersion(key: string, versionKey: string, value: string, version: string, ttlMs: number): Promise<number>;
  deleteIfEqual(key: string, value: string): Promise<number>;
}

export type RedisClient = Redis & Scripts;

/** How often a replica says it is alive, and how long it counts as alive after. */
const heartbeatMs = 2_000;
const aliveForMs = 3 * heartbeatMs;

/**
 * The one connection to Redis, which replicas share for the cache and the vendor rate limits.
 * Redis is never needed: every call is bounded (REDIS_TIMEOUT_MS, no offline queue, no retries), a
 * run of failures stops calls for a second (a circuit breaker), and callers fall back to what
 * they do without Redis while `available` is false. One log line when that starts, one when it ends.
 */
export class RedisLink {
  readonly client: RedisClient;
  /** Replicas alive at the last heartbeat, this one included: the share of a rate to use without Redis. */
  replicas = 1;
  private readonly breaker = circuitBreaker(handleAll, {
    halfOpenAfter: 1_000,
    breaker: new ConsecutiveBreaker(3),
  });
  /** null until the first connection attempt has succeeded or failed. */
  private wasAvailable: boolean | null = null;
  private readonly listeners: ((available: boolean) => void)[] = [];
  private readonly heartbeat: NodeJS.Timeout;
  private readonly replicaId = randomUUID();

  constructor(
    settings: RedisSettings,
    private readonly logger: Logger,
    private readonly observer: RedisObserver,
  ) {
    this.client = new Redis(settings.url, {
      keyPrefix: settings.keyPrefix,
      commandTimeout: settings.timeoutMs,
      connectTimeout: Math.max(settings.timeoutMs, 1_000),
      // Fail at once while disconnected, instead of queueing calls until Redis returns.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      // The calls of concurrent requests go out in one write: fewer round trips and syscalls.
      enableAutoPipelining: true,
      scripts: {
        takeTokens: { numberOfKeys: 1, lua: takeTokens },
        setIfVersion: { numberOfKeys: 2, lua: setIfVersion },
        deleteIfEqual: { numberOfKeys: 1, lua: deleteIfEqual },
      },
    }) as RedisClient;
    // Connection errors surface as the state change below; ioredis would otherwise print them.
    this.client.on('error', () => undefined);
    this.client.on('ready', () => {
      void this.beat();
      this.refresh();
    });
    this.client.on('close', () => this.refresh());
    this.breaker.onStateChange(() => this.refresh());
    this.heartbeat = setInterval(() => void this.beat(), heartbeatMs);
    this.heartbeat.unref();
  }

  /**
   * Whether calls go to Redis now: connected, and not after a run of failures. A half-open
   * breaker counts as unavailable: the heartbeat is its probe, so a frozen Redis does not flap.
   */
  get available(): boolean {
    return this.client.status === 'ready' && this.breaker.state === CircuitState.Closed;
  }

  /**
   * Resolves once the first connection attempt has succeeded or failed, or after `withinMs`: a
   * replica that starts serving before then would use the whole rate alone for a moment.
   */
  async connected(withinMs: number): Promise<void> {
    if (this.wasAvailable !== null) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.listeners.splice(this.listeners.indexOf(done), 1);
        resolve();
      };
      const timer = setTimeout(done, withinMs);
      this.listeners.push(done);
    });
  }

  /** Called with the new state whenever `available` changes. */
  onAvailability(listener: (available: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** Runs one call; rejects at once when Redis is not available, and on any failure. */
  async run<T>(operation: RedisOperation, call: (client: RedisClient) => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') {
      this.observer.redisFailure(operation);
      throw new RedisUnavailable();
    }
    try {
      return await this.breaker.execute(() => call(this.client));
    } catch (error) {
      this.observer.redisFailure(operation);
      throw error instanceof BrokenCircuitError ? new RedisUnavailable() : error;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.listeners.length = 0;
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** Counts the replicas alive, for the share of each vendor's rate a replica may use without Redis. */
  private async beat(): Promise<void> {
    const now = Date.now();
    try {
      const results = await this.run('heartbeat', (client) =>
        client
          .multi()
          .zadd('replicas', now, this.replicaId)
          .zremrangebyscore('replicas', 0, now - aliveForMs)
          .zcard('replicas')
          .exec(),
      );
      const count = Number(results?.[2]?.[1]);
      if (Number.isInteger(count) && count > 0) this.replicas = count;
    } catch {
      // Counted by run(); the last count stands.
    }
  }

  private refresh(): void {
    const available = this.available;
    if (available === this.wasAvailable) return;
    this.wasAvailable = available;
    this.observer.redisAvailable(available);
    if (available)
      this.logger.info('Redis is available: the cache and the vendor rate limits are shared across replicas');
    else
      this.logger.warn(
        { replicas: this.replicas },
        'Redis is unavailable: serving from the local cache, with each vendor rate divided by the replicas last seen',
      );
    for (const listener of [...this.listeners]) listener(available);
  }
}

/** Redis is disconnected or failing: the caller goes on without it. */
export class RedisUnavailable extends Error {
  override readonly name = 'RedisUnavailable';

  constructor() {
    super('Redis is unavailable');
  }
}
