import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SeededRandom } from '../src/sandbox/random.js';
import { documentedQuotas } from '../src/sandbox/vendors.js';
import { vendorOf, type VendorEndpoint } from '../src/vendors/endpoints.js';
import { redisServerBinary, startRedisServer, type RedisServer } from '../test/support/redisServer.js';
import { stopChild, waitForQuietMachine, type Child } from './processes.js';
import type { CapacityResults, CapacityRun, Goal } from './report.js';
import { range, scenario1CustomerId } from './scenarios.js';
import {
  calls,
  fire,
  once,
  percentile,
  resetCalls,
  startSubgraph,
  vendorsIdle,
  type Environment,
  type Target,
} from './targets.js';

// The capacity set (issue 11; `npm run bench -- --capacity`, and part of the full run): what the
// deployment serves within the vendors' quotas. 1 and 3 replicas of the subgraph, without and with
// one redis-server, over one set of fakes that answer 429 beyond the quotas, loaded with a
// Zipf-distributed public workload. See the README's Capacity section.

export interface CapacityOptions {
  durationSeconds: number;
  warmupSeconds: number;
  /** In all, split evenly over the replicas. */
  capacityConnections: number;
  log: (message: string) => void;
}

/** Small and realistic: a vendor API in the same region. */
export const capacityLatencyMs = 20;
const configurations = [
  { replicas: 1, redis: false },
  { replicas: 3, redis: false },
  { replicas: 1, redis: true },
  { replicas: 3, redis: true },
];
/** With Redis, 3 replicas serve at least this many times what the quotas allow uncached. */
const goalMultiple = 20;

// The workload: anonymous callers asking for public fields, of every sandbox customer, the popular
// ones far more often, partly as a router's entity batches.

const capacityMix = {
  /** cust_0001 … cust_0300, whether a vendor knows them or not, as callers would ask. */
  customers: range(1, 300),
  /** Popularity: the customer of rank r is asked for in proportion to 1 / r^s. */
  zipfExponent: 1,
  /** The share of requests that are `_entities` batches rather than one `customer(id:)`. */
  entitiesShare: 0.2,
  /** Representations per batch, each drawn by popularity (a batch may repeat a customer). */
  batchSize: 10,
} as const;

/** What a public lookup of one customer costs when nothing is cached: one call to each. */
const capacityEndpointsPerCustomer: readonly VendorEndpoint[] = ['gameball.profile', 'voucherify.customer'];

// Public fields only (what any caller may see, so what a shared cache may hold): Gameball's profile
// and Voucherify's summaries, no Imprint.
const publicFields =
  'id gameballId gender location{country city} purchaseHistory{totalSpent{amount currencyCode} orderCount} ' +
  'referral{code link} orderSummary{count totalAmount{amount currencyCode}} redemptionSummary{total succeeded} loyaltyPoints{balance}';
const capacityLookupQuery = `query PublicProfile($id:ID!){customer(id:$id){${publicFields}}}`;
const capacityEntitiesQuery = `query($representations:[_Any!]!){_entities(representations:$representations){...on Customer{${publicFields}}}}`;

interface CapacityWorkload {
  /** A request body (JSON), drawn at random: one lookup, or an `_entities` batch. */
  next: () => string;
  /** The body of one lookup of `id`. */
  lookup: (id: string) => string;
  /** Customers per request over the mix, each a call to each of capacityEndpointsPerCustomer uncached (exact, from the weights). */
  customersPerRequest: number;
}

function capacityWorkload(seed = 11): CapacityWorkload {
  const { customers, zipfExponent, entitiesShare, batchSize } = capacityMix;
  const random = new SeededRandom(seed);
  // Ranks over a seeded shuffle, so the most asked-for are not simply the edge cases at cust_0001….
  const ranked = [...customers];
  for (let index = ranked.length - 1; index > 0; index -= 1) {
    const other = random.int(0, index);
    [ranked[index], ranked[other]] = [ranked[other] ?? '', ranked[index] ?? ''];
  }
  const weights = ranked.map((_, rank) => 1 / (rank + 1) ** zipfExponent);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const probabilities = weights.map((weight) => weight / total);
  let sum = 0;
  const cumulative = probabilities.map((probability) => (sum += probability));
  const draw = (): string => {
    const point = random.next();
    return ranked[cumulative.findIndex((upTo) => upTo >= point)] ?? ranked.at(-1) ?? '';
  };
  const lookup = (id: string) => JSON.stringify({ query: capacityLookupQuery, variables: { id } });
  const batch = () => {
    const representations = Array.from({ length: batchSize }, () => ({ __typename: 'Customer', id: draw() }));
    return JSON.stringify({ query: capacityEntitiesQuery, variables: { representations } });
  };
  // A batch asks each vendor once per distinct customer: E[distinct of k draws] = Σ 1 − (1 − p)^k.
  const distinctPerBatch = probabilities.reduce((distinct, p) => distinct + 1 - (1 - p) ** batchSize, 0);
  return {
    next: () => (random.chance(entitiesShare) ? batch() : lookup(draw())),
    lookup,
    customersPerRequest: 1 - entitiesShare + entitiesShare * distinctPerBatch,
  };
}

const redisServers = new Set<RedisServer>();
/** Synchronous, for exit handlers. */
export function killRedisServers(): void {
  for (const redis of redisServers) void redis.kill();
}

function byVendor(byEndpoint: Record<string, number>): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [endpoint, n] of Object.entries(byEndpoint)) {
    const vendor = vendorOf(endpoint as VendorEndpoint);
    sums[vendor] = (sums[vendor] ?? 0) + n;
  }
  return sums;
}

/** What the quotas allow with nothing cached: the least over the vendors with a quota of quota ÷ calls per request. */
function uncachedCapacity(workload: CapacityWorkload): CapacityResults['uncached'] {
  const perEndpoint = capacityEndpointsPerCustomer.map((endpoint) => [endpoint, workload.customersPerRequest] as const);
  const callsPerRequest = byVendor(Object.fromEntries(perEndpoint));
  let rps = Number.POSITIVE_INFINITY;
  let bottleneck = 'none';
  for (const [vendor, perRequest] of Object.entries(callsPerRequest)) {
    const quota = (documentedQuotas as CapacityResults['quotas'])[vendor];
    const allowed = quota ? (quota.limit * 1_000) / quota.windowMs / perRequest : Number.POSITIVE_INFINITY;
    if (allowed < rps) [rps, bottleneck] = [allowed, vendor];
  }
  return { callsPerLookup: capacityEndpointsPerCustomer.length, callsPerRequest, rps, bottleneck };
}

/** vendor_cache_requests_total summed per `result` over the replicas; null when none serves it. */
async function cacheCounts(targets: Target[]): Promise<Record<string, number> | null> {
  let sums: Record<string, number> | null = null;
  for (const target of targets) {
    const response = await fetch(target.url.replace(/\/graphql$/, '/metrics'), { headers: target.headers });
    const text = await response.text();
    if (!response.ok) continue;
    for (const [, result = 'other', value] of text.matchAll(
      /^vendor_cache_requests_total\{.*result="([^"]*)".*\} (\S+)$/gm,
    )) {
      sums ??= {};
      sums[result] = (sums[result] ?? 0) + Number(value);
    }
  }
  return sums;
}

function hitRatioOf(before: Record<string, number> | null, after: Record<string, number> | null): number | null {
  if (!after) return null;
  const delta = (result: string) => (after[result] ?? 0) - (before?.[result] ?? 0);
  const total = delta('hit') + delta('miss') + delta('stale');
  return total > 0 ? delta('hit') / total : null;
}

/** One autocannon per replica, all at once, the connections split evenly: round robin by connection. */
async function loadReplicas(targets: Target[], workload: CapacityWorkload, seconds: number, connections: number) {
  const fired = await Promise.all(
    targets.map((target, index) => {
      const share = Math.floor(connections / targets.length) + (index < connections % targets.length ? 1 : 0);
      return fire(target, seconds, share, workload.next);
    }),
  );
  const latencies = fired.flatMap((run) => run.latencies).sort((a, b) => a - b);
  return {
    served: fired.reduce((sum, run) => sum + run.served, 0),
    requests: fired.reduce((sum, run) => sum + run.requests, 0),
    durationSeconds: Math.max(...fired.map((run) => run.durationSeconds)),
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  };
}

async function measureCapacity(
  env: Environment,
  opts: CapacityOptions,
  config: { replicas: number; redis: boolean },
  workload: CapacityWorkload,
): Promise<CapacityRun> {
  const label = `capacity, ${config.replicas} replica${config.replicas > 1 ? 's' : ''}${config.redis ? ' with Redis' : ''}`;
  const log = (message: string) => opts.log(`${label}: ${message}`);
  // A fresh redis-server per configuration: nothing cached from the one before.
  const redis = config.redis ? await startRedisServer() : null;
  if (redis) redisServers.add(redis);
  const replicas: Child[] = [];
  try {
    // Production, everything on, the client-side rate limits at their defaults; anonymous callers:
    // public data, what a shared cache may serve.
    const headers = { 'content-type': 'application/json', 'router-authorization': env.routerSecret };
    const targets = await Promise.all(
      Array.from({ length: config.replicas }, async (): Promise<Target> => {
        const { child, url } = await startSubgraph('replica', env, redis ? { REDIS_URL: redis.url } : {});
        replicas.push(child);
        return { child, url, body: '', headers };
      }),
    );

    // A cold lookup: a correct answer first, and what it costs at the vendors.
    await vendorsIdle(env);
    await resetCalls(env);
    await once({ ...(targets[0] as Target), body: workload.lookup(scenario1CustomerId) });
    await vendorsIdle(env);
    const coldLookupCalls = (await calls(env)).total;

    // The cold start is when 429s are likeliest: the warm-up's count too.
    await resetCalls(env);
    log(`warm-up ${opts.warmupSeconds} s`);
    if (opts.warmupSeconds > 0) await loadReplicas(targets, workload, opts.warmupSeconds, opts.capacityConnections);
    await vendorsIdle(env);
    const warmUp = (await calls(env)).tooManyByEndpoint;
    await waitForQuietMachine([...replicas.map((child) => child.pid), env.vendorsPid], log);
    await resetCalls(env);
    const cacheBefore = await cacheCounts(targets);
    log(`measuring ${opts.durationSeconds} s × ${opts.capacityConnections} connections`);
    const measured = await loadReplicas(targets, workload, opts.durationSeconds, opts.capacityConnections);
    await vendorsIdle(env);
    const counts = await calls(env);
    const perSecond = byVendor(counts.byEndpoint);
    for (const vendor of Object.keys(perSecond))
      perSecond[vendor] = (perSecond[vendor] ?? 0) / measured.durationSeconds;
    for (const [endpoint, n] of Object.entries(warmUp))
      counts.tooManyByEndpoint[endpoint] = (counts.tooManyByEndpoint[endpoint] ?? 0) + n;
    const run: CapacityRun = {
      ...config,
      rps: measured.served / measured.durationSeconds,
      requests: measured.requests,
      served: measured.served,
      latencyMs: measured.latencyMs,
      vendorCallsPerSecond: perSecond,
      tooManyRequests: byVendor(counts.tooManyByEndpoint),
      hitRatio: hitRatioOf(cacheBefore, await cacheCounts(targets)),
      coldLookupCalls,
    };
    log(JSON.stringify(run, (_, value: unknown) => (typeof value === 'number' ? Number(value.toFixed(3)) : value)));
    return run;
  } finally {
    await Promise.all(replicas.map((child) => stopChild(child)));
    if (redis) {
      await redis.close();
      redisServers.delete(redis);
    }
  }
}

function capacityGoals(runs: CapacityRun[], uncached: CapacityResults['uncached'], redis: boolean): Goal[] {
  const goals = runs.map((run): Goal => {
    const tooMany = Object.values(run.tooManyRequests).reduce((sum, n) => sum + n, 0);
    const what = `${run.replicas} replica${run.replicas > 1 ? 's' : ''}${run.redis ? ' with Redis' : ' without Redis'}`;
    return { name: `no 429s, ${what}`, met: tooMany === 0, detail: `${tooMany} at the fakes` };
  });
  const target = runs.find((run) => run.replicas === 3 && run.redis);
  goals.push({
    name: `3 replicas with Redis serve ≥ ${goalMultiple}× what the quotas allow uncached`,
    met: target !== undefined && target.rps >= goalMultiple * uncached.rps,
    detail: target
      ? `${target.rps.toFixed(0)} req/s, ${(target.rps / uncached.rps).toFixed(1)}× ${uncached.rps.toFixed(1)} req/s`
      : redis
        ? 'not measured'
        : `not measured: no redis-server at ${redisServerBinary}`,
  });
  return goals;
}

export async function runCapacity(env: Environment, opts: CapacityOptions): Promise<CapacityResults> {
  const workload = capacityWorkload();
  const uncached = uncachedCapacity(workload);
  opts.log(`capacity: uncached, the quotas allow ${uncached.rps.toFixed(1)} req/s (${uncached.bottleneck})`);
  const redis = existsSync(redisServerBinary);
  if (!redis) opts.log(`capacity: no redis-server at ${redisServerBinary}; the configurations with Redis are left out`);
  const longestWindowMs = Math.max(...Object.values(documentedQuotas).map((quota) => quota.windowMs));
  const runs: CapacityRun[] = [];
  for (const config of configurations.filter((config) => redis || !config.redis)) {
    // The fakes' quota windows must not still hold the last configuration's calls.
    if (runs.length > 0) await sleep(longestWindowMs);
    runs.push(await measureCapacity(env, opts, config, workload));
  }
  const { customers, zipfExponent, entitiesShare, batchSize } = capacityMix;
  return {
    durationSeconds: opts.durationSeconds,
    warmupSeconds: opts.warmupSeconds,
    connections: opts.capacityConnections,
    vendorLatencyMs: capacityLatencyMs,
    quotas: { ...documentedQuotas },
    workload: { customers: customers.length, zipfExponent, entitiesShare, batchSize },
    uncached,
    runs,
    goals: capacityGoals(runs, uncached, redis),
  };
}
