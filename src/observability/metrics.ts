import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { VendorName } from '../vendors/errors.js';

const vendors: VendorName[] = ['gameball', 'voucherify', 'imprint'];
const breakerValues = { closed: 0, 'half-open': 1, open: 2 } as const;

interface CountAndSeconds {
  count: Counter.Internal;
  seconds: Histogram.Internal<string>;
}

/** Prometheus metrics, in a registry of this server's own (GET /metrics). */
export class Metrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();
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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const vendor of vendors) this.breakers.set({ vendor }, breakerValues.closed);
  }

  request(operation: string | null, outcome: 'success' | 'partial' | 'error', seconds: number): void {
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

  breakerState(vendor: VendorName, state: keyof typeof breakerValues): void {
    this.breakers.set({ vendor }, breakerValues[state]);
  }

  /**
   * Operation names come from clients: only well-formed ones become labels, and only the first
   * hundred, so a client cannot blow up the number of series.
   */
  private operationLabel(operation: string | null): string {
    if (!operation) return 'anonymous';
    if (this.operations.has(operation)) return operation;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(operation) || this.operations.size >= 100) return 'other';
    this.operations.add(operation);
    return operation;
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
