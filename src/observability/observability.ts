import { context, trace } from '@opentelemetry/api';
import type { VendorName } from '../vendors/errors.js';
import type { RequestScope, VendorCallObserver } from '../vendors/http.js';
import type { LoaderObserver } from '../vendors/loader.js';
import type { QuotaRefusal } from '../vendors/quota.js';
import { Metrics } from './metrics.js';
import { endSpan, type Tracing } from './tracing.js';

/** Metrics and traces of vendor calls and loader batches, fed by the vendor layer's hooks. */
export class Observability implements VendorCallObserver, LoaderObserver {
  readonly metrics = new Metrics();

  constructor(readonly tracing: Tracing) {}

  attempt(vendor: VendorName, endpoint: string, scope: RequestScope): (status: number) => void {
    const started = performance.now();
    const { tracer } = this.tracing;
    const span =
      tracer && scope.span
        ? tracer.startSpan(
            `${vendor} ${endpoint}`,
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
}
