import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { startSandboxVendors, type SandboxVendors } from '../../../src/sandbox/vendors.js';
import { startServer } from '../../../src/server.js';
import type { VendorName } from '../../../src/vendors/endpoints.js';
import type { VendorSettings } from '../../../src/vendors/settings.js';
import { unlimitedRateLimitsEnv, type GraphQLResponse } from '../../support/subgraph.js';
import { fullAccessScope, signToken } from '../../support/tokens.js';
import { startUpstream, type Upstream } from '../../support/upstream.js';

/**
 * The resilience policies as the issue describes them, short enough for tests: two retries with a
 * 10 ms base delay, a breaker that opens after 4 consecutive failures, and no client-side rate limit
 * (a test must never wait for tokens).
 */
export const resilientEnv = {
  VENDOR_MAX_RETRIES: '2',
  VENDOR_RETRY_BASE_DELAY_MS: '10',
  BREAKER_THRESHOLD: '4',
  BREAKER_HALF_OPEN_AFTER_MS: '300',
  UPSTREAM_TIMEOUT_MS: '1000',
  REQUEST_DEADLINE_MS: '4000',
} as const;

export interface FaultySubgraph {
  url: string;
  /** The three sandbox fakes; the faulty vendor forwards to its fake while healthy. */
  sandbox: SandboxVendors;
  /** The vendor that fails on demand, in front of its sandbox fake. */
  vendor: Upstream;
  /** Every log line the server wrote (never printed: they may name customers). */
  logs: string[];
  /** POSTs an operation to /graphql with a token holding every scope. */
  query<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<Data>>;
  close(): Promise<void>;
}

/**
 * The real server on 127.0.0.1 over the sandbox fakes, with `faulty` reached through a
 * programmable `Upstream` forwarding to its fake, instead of directly, and the resilience policies on (`resilientEnv`, then `env`).
 */
export async function startFaultySubgraph(options: {
  faulty: VendorName;
  env?: Record<string, string>;
}): Promise<FaultySubgraph> {
  const sandbox = await startSandboxVendors();
  const vendor = await startUpstream({ forwardTo: sandbox.settings[options.faulty].baseUrl });
  const settings: VendorSettings = {
    ...sandbox.settings,
    [options.faulty]: { ...sandbox.settings[options.faulty], baseUrl: vendor.url },
  };
  const config = loadConfig({
    SANDBOX: 'true',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    // Each request meets the vendor's fault itself (test/resilience/cache.test.ts covers stale values).
    CACHE: 'off',
    ...unlimitedRateLimitsEnv,
    ...resilientEnv,
    ...options.env,
  });
  const logs: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(line) });
  const server = await startServer({ config, vendors: settings, logger });
  const authorization = `Bearer ${await signToken({ sub: 'support-tool', scope: fullAccessScope })}`;

  return {
    url: server.url,
    sandbox,
    vendor,
    logs,
    async query<Data>(query: string, variables?: Record<string, unknown>) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<Data>, 'status'>;
      return { status: response.status, ...body };
    },
    async close() {
      // The vendor first: a request still hanging on it would hold the server's drain open.
      await vendor.close();
      await server.close();
      await sandbox.close();
    },
  };
}
