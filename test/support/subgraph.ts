import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSandboxVendors, type SandboxVendors } from '../../src/sandbox/vendors.js';
import { startServer } from '../../src/server.js';
import { fullAccessScope, signToken } from './tokens.js';

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

/** The subgraph on 127.0.0.1, over the sandbox fakes, as `npm start` runs it. */
export async function startTestSubgraph(env: Record<string, string> = {}): Promise<TestSubgraph> {
  // Each call's own outcome, unless a test of the resilience policies asks for them: no retries,
  // a circuit that does not open after a test's deliberate run of vendor faults, and rate limits
  // that never make a test wait. No cache across requests unless a test of the cache asks for it:
  // each request's vendor calls are its own.
  const config = loadConfig({
    SANDBOX: 'true',
    HOST: '127.0.0.1',
    PORT: '0',
    CACHE: 'off',
    VENDOR_MAX_RETRIES: '0',
    BREAKER_THRESHOLD: unlimited,
    ...unlimitedRateLimitsEnv,
    ...env,
  });
  const sandbox = await startSandboxVendors({ latencyMs: config.sandbox?.vendorLatencyMs ?? 0 });
  const logs: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void logs.push(line) });
  const server = await startServer({ config, vendors: sandbox.settings, logger });
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
    logs,
    async query<Data>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
      return (await post<Data>(query, variables, headers)).graphql;
    },
    async queryWithHeaders<Data>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
      const { graphql, headers: received } = await post<Data>(query, variables, headers);
      return { ...graphql, headers: received };
    },
    async close() {
      await server.close();
      await sandbox.close();
    },
  };
}
