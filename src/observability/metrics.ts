import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { vendorNames, type VendorName } from '../vendors/endpoints.js';

const breakerValues = { closed: 0, 'half-open': 1, open: 2 } as const;
const outcomes = ['success', 'partial', 'error'] as const;
type Outcome = (typeof outcomes)[number];

/** Most operation names labelled at once; the least recently used gives its slot to a new one. */
export const operationLabelLimit = 100;

interface CountAndSeconds {
  count: Counter.Internal;
  seconds: Histogram.Internal<string>;
}

/** Prometheus metrics, in a registry of this server's own (GET /metrics). */
export class Metrics {
  readonly registry = new Registry();
  /** Labelled operation names, least recently used first (a Map keeps insertion order). */
  private readonly operations = new Map<string, true>();
  private readonly requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL requests by operation name and outcome (success, partial, error).',
    labelNames: ['operation', 'outcome'],
    registers: [this.registry],
  });
  private readonly requestSeconds = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL request duration, from parsing to the response.',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly vendorCalls = new Counter({
    name: 'vendor_calls_total',
    help: 'Vendor HTTP attempts by vendor, endpoint and status (0: no response).',
    labelNames: ['vendor', 'endpoint', 'status'],
    registers: [this.registry],
  });
  private readonly vendorSeconds = new Histogram({
    name: 'vendor_call_duration_seconds',
    help: 'Vendor HTTP attempt duration.',
    labelNames: ['vendor', 'endpoint'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly batchSizes = new Histogram({
    name: 'dataloader_batch_size',
    help: 'Keys per DataLoader batch, by loader.',
    labelNames: ['loader'],
    buckets: [1, 2, 5, 10, 20, 50, 100, 250],
    registers: [this.registry],
  });
  private readonly quotaRefusals = new Counter({
    name: 'vendor_quota_refusals_total',
    help: 'Vendor calls refused by our own quota (no slot before the deadline, or the queue full), by vendor.',
    labelNames: ['vendor', 'reason'],
    registers: [this.registry],
  });
  private readonly cacheLookups = new Counter({
    name: 'vendor_cache_requests_total',
    help: 'Vendor-response cache lookups by endpoint: hit (fresh), miss (fetched), stale (served past its TTL because the vendor failed; also a miss).',
    labelNames: ['endpoint', 'result'],
    registers: [this.registry],
  });
  private readonly cacheEvictions = new Counter({
    name: 'vendor_cache_evictions_total',
    help: 'Vendor-response cache entries dropped, by endpoint and reason: write (our own upsert or delete) or capacity (CACHE_MAX_ENTRIES).',
    labelNames: ['endpoint', 'reason'],
    registers: [this.registry],
  });
  private readonly redisUp = new Gauge({
    name: 'redis_available',
    help: '1 while Redis is used (cache and vendor rate limits shared by replicas), 0 while this replica goes on without it.',
    registers: [this.registry],
  });
  private readonly redisFailures = new Counter({
    name: 'redis_failures_total',
    help: 'Redis calls that failed, timed out or were skipped while Redis was unavailable, by operation.',
    labelNames: ['operation'],
    registers: [this.registry],
  });
  private readonly breakers = new Gauge({
    name: 'vendor_circuit_state',
    help: 'Circuit breaker state per vendor: 0 closed, 1 half-open, 2 open.',
    labelNames: ['vendor'],
    registers: [this.registry],
  });

  // Labelled series, looked up once: prom-client hashes the label object on every update.
  private readonly requestSeries = new Map<string, CountAndSeconds>();
  private readonly vendorSeries = new Map<string, CountAndSeconds>();
  private readonly batchSeries = new Map<string, Histogram.Internal<string>>();
  private readonly cacheSeries = new Map<string, Counter.Internal>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const vendor of vendorNames) this.breakers.set({ vendor }, breakerValues.closed);
  }

  request(operation: string | null, outcome: Outcome, seconds: number): void {
    const label = this.operationLabel(operation);
    const series = seriesOf(this.requestSeries, `${label} ${outcome}`, () => ({
      count: this.requests.labels(label, outcome),
      seconds: this.requestSeconds.labels(label),
    }));
    series.count.inc();
    series.seconds.observe(seconds);
  }

  vendorCall(vendor: VendorName, endpoint: string, status: number, seconds: number): void {
    const series = seriesOf(this.vendorSeries, `${vendor} ${endpoint} ${status}`, () => ({
      count: this.vendorCalls.labels(vendor, endpoint, String(status)),
      seconds: this.vendorSeconds.labels(vendor, endpoint),
    }));
    series.count.inc();
    series.seconds.observe(seconds);
  }

  batch(loader: string, size: number): void {
    seriesOf(this.batchSeries, loader, () => this.batchSizes.labels(loader)).observe(size);
  }

  quotaRefused(vendor: VendorName, reason: 'deadline' | 'queue full'): void {
    // Rare, and a label pair from code: no series cache needed.
    this.quotaRefusals.inc({ vendor, reason });
  }

  cacheLookup(endpoint: string, result: 'hit' | 'miss' | 'stale'): void {
    seriesOf(this.cacheSeries, `${endpoint} ${result}`, () => this.cacheLookups.labels(endpoint, result)).inc();
  }

  cacheEviction(endpoint: string, reason: 'write' | 'capacity'): void {
    this.cacheEvictions.inc({ endpoint, reason });
  }

  redisAvailable(available: boolean): void {
    this.redisUp.set(available ? 1 : 0);
  }

  redisFailure(operation: string): void {
    this.redisFailures.inc({ operation });
  }

  breakerState(vendor: VendorName, state: keyof typeof breakerValues): void {
    this.breakers.set({ vendor }, breakerValues[state]);
  }

  /**
   * Operation names come from clients: only well-formed ones become labels, and at most
   * `operationLabelLimit` at once, so a client cannot blow up the number of series. The least
   * recently used name's series are dropped to make room, so that a flood of made-up names cannot
   * push the operations actually in use into `other` for good.
   */
  private operationLabel(operation: string | null): string {
    if (!operation) return 'anonymous';
    if (this.operations.delete(operation)) {
      this.operations.set(operation, true); // now the most recently used
      return operation;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(operation)) return 'other';
    if (this.operations.size >= operationLabelLimit) {
      const [oldest] = this.operations.keys();
      if (oldest !== undefined) this.forgetOperation(oldest);
    }
    this.operations.set(operation, true);
    return operation;
  }

  private forgetOperation(operation: string): void {
    this.operations.delete(operation);
    for (const outcome of outcomes) {
      this.requests.remove(operation, outcome);
      this.requestSeries.delete(`${operation} ${outcome}`);
    }
    this.requestSeconds.remove(operation);
  }
}

/** The series for `key`, made on first use. Keys are bounded: labels come from code or a capped set. */
function seriesOf<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let series = cache.get(key);
  if (series === undefined) {
    series = make();
    cache.set(key, series);
  }
  return series;
}
