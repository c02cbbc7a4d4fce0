import { context, trace } from '@opentelemetry/api';
import type { CacheObserver, CachedEndpoint } from '../cache/vendorCache.js';
import type { RedisObserver, RedisOperation } from '../redis.js';
import type { VendorEndpoint, VendorName } from '../vendors/endpoints.js';
import type { RequestScope, VendorCallObserver } from '../vendors/http.js';
import type { LoaderObserver } from '../vendors/loader.js';
import type { QuotaRefusal } from '../vendors/quota.js';
import { Metrics } from './metrics.js';
import { endSpan, type Tracing } from './tracing.js';

/** Metrics and traces of vendor calls, loader batches, the cache and Redis, fed by their hooks. */
export class Observability implements VendorCallObserver, LoaderObserver, CacheObserver, RedisObserver {
  readonly metrics = new Metrics();

  constructor(readonly tracing: Tracing) {}

  attempt(vendor: VendorName, endpoint: VendorEndpoint, scope: RequestScope): (status: number) => void {
    const started = performance.now();
    const { tracer } = this.tracing;
    const span =
      tracer && scope.span
        ? tracer.startSpan(
            endpoint,
            { attributes: { 'vendor.name': vendor, 'vendor.endpoint': endpoint } },
            trace.setSpan(context.active(), scope.span),
          )
        : null;
    return (status) => {
      this.metrics.vendorCall(vendor, endpoint, status, (performance.now() - started) / 1000);
      if (span) {
        span.setAttribute('http.response.status_code', status);
        endSpan(span, status === 0 || status >= 500);
      }
    };
  }

  breakerState(vendor: VendorName, state: 'closed' | 'open' | 'half-open'): void {
    this.metrics.breakerState(vendor, state);
  }

  quotaRefused(vendor: VendorName, reason: QuotaRefusal['reason']): void {
    this.metrics.quotaRefused(vendor, reason);
  }

  batch(loader: string, size: number): void {
    this.metrics.batch(loader, size);
  }

  cacheLookup(endpoint: CachedEndpoint, result: 'hit' | 'miss' | 'stale'): void {
    this.metrics.cacheLookup(endpoint, result);
  }

  cacheEviction(endpoint: CachedEndpoint, reason: 'write' | 'capacity'): void {
    this.metrics.cacheEviction(endpoint, reason);
  }

  redisAvailable(available: boolean): void {
    this.metrics.redisAvailable(available);
  }

  redisFailure(operation: RedisOperation): void {
    this.metrics.redisFailure(operation);
  }
}
