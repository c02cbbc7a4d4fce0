import { SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export type { Span };

/** OpenTelemetry tracing to an OTLP/HTTP collector, or nothing at all when no endpoint is set. */
export interface Tracing {
  /** Null when tracing is off: no span objects are made on the hot path. */
  readonly tracer: Tracer | null;
  shutdown(): Promise<void>;
}

export function startTracing(settings: { endpoint: string | null; serviceName: string }): Tracing {
  if (!settings.endpoint) return { tracer: null, shutdown: () => Promise.resolve() };
  const provider = new NodeTracerProvider({ resource: new Resource({ 'service.name': settings.serviceName }) });
  provider.addSpanProcessor(
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` })),
  );
  return {
    tracer: provider.getTracer('customer-subgraph'),
    // Flushes what is buffered, so the last requests' spans are not lost at shutdown.
    shutdown: () => provider.shutdown(),
  };
}

export function endSpan(span: Span, failed: boolean): void {
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

export { trace };
