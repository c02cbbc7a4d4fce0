import { SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';

export type { Span };

/** OpenTelemetry tracing to an OTLP/HTTP collector, or nothing at all when no endpoint is set. */
export interface Tracing {
  /** Null when tracing is off: no span objects are made on the hot path. */
  readonly tracer: Tracer | null;
  shutdown(): Promise<void>;
}

export async function startTracing(settings: { endpoint: string | null; serviceName: string }): Promise<Tracing> {
  if (!settings.endpoint) return { tracer: null, shutdown: () => Promise.resolve() };
  // Loaded only when tracing is on: the SDK and its exporter hold about 4 MB of heap for good, and
  // V8 lets a busy heap grow to a multiple of what it holds.
  const [{ OTLPTraceExporter }, { Resource }, { BatchSpanProcessor }, { NodeTracerProvider }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
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
