import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSandboxVendors, type SandboxVendors } from '../../src/sandbox/vendors.js';
import { startServer } from '../../src/server.js';

export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  data?: Data | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestSubgraph {
  url: string;
  sandbox: SandboxVendors;
  /** POSTs a GraphQL operation to /graphql, as a client would. */
  query<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<Data>>;
  close(): Promise<void>;
}

/** The subgraph on 127.0.0.1, over the sandbox fakes, as `npm start` runs it. */
export async function startTestSubgraph(env: Record<string, string> = {}): Promise<TestSubgraph> {
  const sandbox = await startSandboxVendors();
  const config = loadConfig({ SANDBOX: 'true', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...env });
  const server = await startServer({ config, vendors: sandbox.settings, logger: createLogger('silent') });
  return {
    url: server.url,
    sandbox,
    async query<Data>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<Data>, 'status'>;
      return { status: response.status, ...body };
    },
    async close() {
      await server.close();
      await sandbox.close();
    },
  };
}
