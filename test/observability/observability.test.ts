import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { operationLabelLimit } from '../../src/observability/metrics.js';
import { sandboxEdgeCases } from '../../src/sandbox/dataset.js';
import { vendorNames } from '../../src/vendors/endpoints.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// Request logs with request ids, GET /metrics, OpenTelemetry spans, Apollo federated tracing.

const customer = sandboxEdgeCases.rich;
const query = `query CustomerCard { customer(id: "${customer}") { id gender orderSummary { count } cardPrograms { name } } }`;

interface LogLine {
  msg: string;
  requestId?: string;
  operation?: string | null;
  durationMs?: number;
  vendorCalls?: number;
  errorCodes?: string[];
}

function requestLines(subgraph: TestSubgraph): LogLine[] {
  return subgraph.logs.map((line) => JSON.parse(line) as LogLine).filter((line) => line.msg === 'graphql request');
}

describe('request logs and request ids', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph();
  });
  afterAll(() => subgraph.close());

  it('logs one line per request with the given request id, operation, duration and vendor call count', async () => {
    subgraph.sandbox.resetCalls();
    const before = requestLines(subgraph).length;
    const response = await fetch(`${subgraph.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-observability-1' },
      // Anonymous: public fields only.
      body: JSON.stringify({
        query: `query CustomerCard { customer(id: "${customer}") { id gender orderSummary { count } } }`,
      }),
    });
    expect(response.headers.get('x-request-id')).toBe('req-observability-1');
    const lines = requestLines(subgraph).slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      requestId: 'req-observability-1',
      operation: 'CustomerCard',
      vendorCalls: subgraph.sandbox.calls.length,
      errorCodes: [],
    });
    expect(lines[0]?.vendorCalls).toBeGreaterThan(0);
    expect(lines[0]?.durationMs).toEqual(expect.any(Number));
  });

  it('generates a request id when none (or a malformed one) is sent, and logs error codes', async () => {
    const before = requestLines(subgraph).length;
    const response = await fetch(`${subgraph.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces\n' },
      body: JSON.stringify({ query: '{ customer(id: "..") { id } }' }),
    });
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestLines(subgraph).slice(before)).toEqual([
      expect.objectContaining({ requestId: id, errorCodes: ['BAD_USER_INPUT'] }),
    ]);
  });

  it('redacts credentials and personal data wherever they appear in a logged object', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    logger.info(
      {
        headers: { authorization: 'Bearer secret-token', cookie: 'session=1' },
        request: { apikey: 'k-123', secretkey: 's-456', 'x-app-token': 't-789' },
        email: 'someone@example.com',
        variables: { input: { email: 'someone@example.com' } },
      },
      'careless',
    );
    const output = lines.join('');
    for (const secret of ['secret-token', 'session=1', 'k-123', 's-456', 't-789', 'someone@example.com']) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('[redacted]');
  });
});

describe('GET /metrics', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph({ env: { BREAKER_THRESHOLD: '2', BREAKER_HALF_OPEN_AFTER_MS: '60000' } });
  });
  afterAll(() => subgraph.close());

  const metrics = async () => (await fetch(`${subgraph.url}/metrics`)).text();

  it('counts requests by operation and outcome, vendor calls by endpoint and status, with latencies and batch sizes', async () => {
    await subgraph.query(query);
    await subgraph.query(`query Broken { customer(id: "..") { id } }`);
    const text = await metrics();
    expect(text).toMatch(/graphql_requests_total\{operation="CustomerCard",outcome="success"\} [1-9]/);
    expect(text).toMatch(/graphql_requests_total\{operation="Broken",outcome="(error|partial)"\} 1/);
    expect(text).toMatch(/graphql_request_duration_seconds_count\{operation="CustomerCard"\} [1-9]/);
    expect(text).toMatch(/vendor_calls_total\{vendor="gameball",endpoint="gameball.profile",status="200"\} [1-9]/);
    expect(text).toMatch(/vendor_calls_total\{vendor="imprint",endpoint="imprint.customer",status="200"\} [1-9]/);
    expect(text).toMatch(
      /vendor_call_duration_seconds_count\{vendor="voucherify",endpoint="voucherify.customer"\} [1-9]/,
    );
    expect(text).toMatch(/dataloader_batch_size_count\{loader="gameball.profile"\} [1-9]/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
    expect(text).toMatch(/vendor_circuit_state\{vendor="gameball"\} 0/);
  });

  it('shows a vendor circuit opening', async () => {
    subgraph.sandbox.setFault('voucherify.customer', { status: 503 });
    try {
      for (const id of ['cust_0003', 'cust_0004', 'cust_0005']) {
        await subgraph.query(`{ customer(id: "${id}") { orderSummary { count } } }`);
      }
    } finally {
      subgraph.sandbox.setFault('voucherify.customer', null);
    }
    expect(await metrics()).toMatch(/vendor_circuit_state\{vendor="voucherify"\} 2/);
  });

  it('keeps client-chosen operation names from multiplying series', async () => {
    await subgraph.query(`query ${'x'.repeat(80)} { __typename }`);
    expect(await metrics()).toMatch(/graphql_requests_total\{operation="other",outcome="success"\}/);
  });

  it('gives a real operation its own label again after a flood of made-up names, with the label count bounded', async () => {
    // One after the other, so that which names are the least recently used is known.
    for (let flood = 0; flood < 150; flood += 1) await subgraph.query(`query Flood${flood} { __typename }`);
    await subgraph.query(`query AfterTheFlood { __typename }`);
    const text = await metrics();
    expect(text).toMatch(/graphql_requests_total\{operation="AfterTheFlood",outcome="success"\} 1\n/);
    expect(text).toMatch(/graphql_request_duration_seconds_count\{operation="AfterTheFlood"\} 1\n/);
    expect(text).toMatch(/graphql_requests_total\{operation="Flood149",outcome="success"\} 1\n/);
    // The least recently used names gave up their slots: their series are gone, not just frozen.
    expect(text).not.toMatch(/operation="Flood0"/);
    expect(text).not.toMatch(/operation="CustomerCard"/);
    const labelled = (metric: string) =>
      new Set([...text.matchAll(new RegExp(`^${metric}\\{operation="([^"]+)"`, 'gm'))].map((match) => match[1]));
    // Plus `anonymous` and `other`, which take no slot.
    for (const metric of ['graphql_requests_total', 'graphql_request_duration_seconds_count']) {
      expect(labelled(metric).size).toBeLessThanOrEqual(operationLabelLimit + 2);
      expect(labelled(metric).size).toBeGreaterThanOrEqual(operationLabelLimit);
    }
  });
});

describe('tracing', () => {
  it('exports a span per operation and per vendor call to the OTLP endpoint, vendor spans under the operation', async () => {
    const bodies: unknown[] = [];
    const collector = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    const subgraph = await startTestSubgraph({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` } });
    try {
      await subgraph.query(query);
    } finally {
      await subgraph.close(); // flushes the spans
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
    type OtlpSpan = { name: string; spanId: string; parentSpanId?: string; traceId: string };
    const spans = (bodies as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }[]).flatMap((body) =>
      body.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)),
    );
    const operation = spans.find((span) => span.name === 'graphql.request');
    expect(operation).toBeDefined();
    const vendorSpans = spans.filter((span) => vendorNames.some((vendor) => span.name.startsWith(`${vendor}.`)));
    expect(vendorSpans.map((span) => span.name).sort()).toEqual([
      'gameball.profile',
      'imprint.customer',
      'voucherify.customer',
    ]);
    for (const span of vendorSpans) {
      expect(span.parentSpanId).toBe(operation?.spanId);
      expect(span.traceId).toBe(operation?.traceId);
    }
  });

  it('answers Apollo federated tracing (ftv1) to a gateway that asks for it', async () => {
    const subgraph = await startTestSubgraph();
    try {
      const response = await subgraph.query(query, undefined, { 'apollo-federation-include-trace': 'ftv1' });
      expect((response as { extensions?: { ftv1?: unknown } }).extensions?.ftv1).toEqual(expect.any(String));
    } finally {
      await subgraph.close();
    }
  });
});
