import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSandboxVendors, type SandboxVendors } from '../../src/sandbox/vendors.js';
import { startServer } from '../../src/server.js';
import type { VendorName } from '../../src/vendors/endpoints.js';
import { fullAccessScope, signToken } from './tokens.js';
import { startUpstream, type Upstream } from './upstream.js';

export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  data?: Data | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

export interface TestSubgraph {
  url: string;
  /** Where GET /metrics is served: its own listener with METRICS_PORT, else `url`. */
  metricsUrl: string;
  sandbox: SandboxVendors;
  /** Every log line the server wrote, at trace level: for checking nothing leaks into logs. */
  logs: string[];
  /**
   * POSTs a GraphQL operation to /graphql, as a client would: by default with a token holding every
   * scope; pass `authorization: ''` to ask anonymously, or another header to ask as someone else.
   */
  query<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<Data>>;
  /** `query`, with the response's headers too. */
  queryWithHeaders<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<Data> & { headers: Headers }>;
  close(): Promise<void>;
}

/** A test subgraph started with `faulty`. */
export interface FaultyTestSubgraph extends TestSubgraph {
  /**
   * The upstream the subgraph reaches the `faulty` vendor through: it forwards every request to
   * that vendor's sandbox fake until told otherwise (`respond`), and counts what it receives, failed
   * or not (a failed call never reaches the fake, so `sandbox.calls` does not see it).
   */
  vendor: Upstream;
}

export interface TestSubgraphOptions {
  /** Settings on top of the test defaults, as the environment would give them. */
  env?: Record<string, string>;
  /** The vendor to reach through a programmable upstream (`vendor`) instead of directly. */
  faulty?: VendorName;
}

const unlimited = '1000000';

/** Client-side rate limits no test ever waits for (tests of the rate limiter set their own). */
export const unlimitedRateLimitsEnv = {
  GAMEBALL_RATE_LIMIT_PER_SECOND: unlimited,
  GAMEBALL_RATE_LIMIT_BURST: unlimited,
  VOUCHERIFY_RATE_LIMIT_PER_SECOND: unlimited,
  VOUCHERIFY_RATE_LIMIT_BURST: unlimited,
  IMPRINT_RATE_LIMIT_PER_SECOND: unlimited,
  IMPRINT_RATE_LIMIT_BURST: unlimited,
} as const;

/**
 * The resilience policies short enough for tests: two retries with a 10 ms base delay, a breaker
 * that opens after 4 consecutive failures, a 1 s attempt timeout and a 4 s request deadline. The
 * test defaults turn retries and the breaker off; tests of the policies start with these instead.
 */
export const resilientEnv = {
  VENDOR_MAX_RETRIES: '2',
  VENDOR_RETRY_BASE_DELAY_MS: '10',
  BREAKER_THRESHOLD: '4',
  BREAKER_HALF_OPEN_AFTER_MS: '300',
  UPSTREAM_TIMEOUT_MS: '1000',
  REQUEST_DEADLINE_MS: '4000',
} as const;

/**
 * The subgraph on 127.0.0.1, over the sandbox fakes, as `npm start` runs it, with `env` on top of
 * the test defaults; with `faulty`, that vendor is reached through a programmable upstream.
 */
export function startTestSubgraph(options: TestSubgraphOptions & { faulty: VendorName }): Promise<FaultyTestSubgraph>;
export function startTestSubgraph(options?: TestSubgraphOptions): Promise<TestSubgraph>;
export async function startTestSubgraph({ env = {}, faulty }: TestSubgraphOptions = {}): Promise<TestSubgraph> {
  // Each call's own outcome, unless a test of the resilience policies asks for them: no retries,
  // a circuit that does not open after a test's deliberate run of vendor faults, and rate limits
  // that never make a test wait. No cache across requests unless a test of the cache asks for it:
  // each request's vendor calls are its own. Every operation compiled from its first execution on,
  // so that every test checks graphql-jit's answers (test/graphql/execution.test.ts: graphql-js's).
  const config = loadConfig({
    SANDBOX: 'true',
    HOST: '127.0.0.1',
    PORT: '0',
    CACHE: 'off',
    GRAPHQL_COMPILE_AFTER: '0',
    VENDOR_MAX_RETRIES: '0',
    BREAKER_THRESHOLD: unlimited,
    ...unlimitedRateLimitsEnv,
    ...env,
  });
  const sandbox = await startSandboxVendors({ latencyMs: config.sandbox?.vendorLatencyMs ?? 0 });
  let vendors = sandbox.settings;
  let vendor: Upstream | undefined;
  if (faulty) {
    vendor = await startUpstream({ forwardTo: vendors[faulty].baseUrl });
    vendors = { ...vendors, [faulty]: { ...vendors[faulty], baseUrl: vendor.url } };
  }
  const logs: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void logs.push(line) });
  const server = await startServer({ config, vendors, logger });
  const fullAccess = `Bearer ${await signToken({ sub: 'support-tool', scope: fullAccessScope })}`;
  async function post<Data>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
    const { authorization = fullAccess, ...others } = headers;
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}), ...others },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse<Data>, 'status'>;
    return { graphql: { status: response.status, ...body }, headers: response.headers };
  }
  return {
    url: server.url,
    metricsUrl: server.metricsUrl,
    sandbox,
    ...(vendor ? { vendor } : {}),
    logs,
    async query<Data>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
      return (await post<Data>(query, variables, headers)).graphql;
    },
    async queryWithHeaders<Data>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
      const { graphql, headers: received } = await post<Data>(query, variables, headers);
      return { ...graphql, headers: received };
    },
    async close() {
      // The faulty vendor first: a request still hanging on it would hold the server's drain open.
      await vendor?.close();
      await server.close();
      await sandbox.close();
    },
  };
}

/**
 * Made-up credentials for every vendor: with them the configuration is out of sandbox mode (a test
 * still points the subgraph at the sandbox fakes where it calls a vendor).
 */
export const vendorCredentialsEnv = {
  GAMEBALL_API_KEY: 'gb-key',
  GAMEBALL_SECRET_KEY: 'gb-secret',
  VOUCHERIFY_APP_ID: 'vf-id',
  VOUCHERIFY_APP_TOKEN: 'vf-token',
  IMPRINT_BASE_URL: 'https://imprint.test',
  IMPRINT_API_KEY: 'im-key',
} as const;
