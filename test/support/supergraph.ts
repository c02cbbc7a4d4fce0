import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { startOrdersSubgraph } from '../../examples/orders/server.js';
import { startTestSubgraph, type GraphQLResponse, type TestSubgraph, type TestSubgraphOptions } from './subgraph.js';

// Gateway-independent helpers for end-to-end tests: both subgraphs on 127.0.0.1, a supergraph
// composed from what they serve, and a plain GraphQL-over-HTTP client.

export interface RunningSubgraphs {
  /** customer-subgraph over the sandbox fakes; its GraphQL endpoint is `${customers.url}/graphql`. */
  customers: TestSubgraph;
  /** The example orders subgraph: 50 orders of 20 customers, cust_0001…cust_0020. */
  orders: { url: string; close(): Promise<void> };
  /** The GraphQL endpoint of each, by the subgraph name the supergraph uses. */
  endpoints: { customers: string; orders: string };
  close(): Promise<void>;
}

/** Starts customer-subgraph (as `startTestSubgraph(options)` does) and the orders subgraph. */
export async function startSubgraphs(options: TestSubgraphOptions = {}): Promise<RunningSubgraphs> {
  const customers = await startTestSubgraph(options);
  let orders: RunningSubgraphs['orders'];
  try {
    orders = await startOrdersSubgraph();
  } catch (error) {
    await customers.close();
    throw error;
  }
  return {
    customers,
    orders,
    endpoints: { customers: `${customers.url}/graphql`, orders: orders.url },
    async close() {
      await Promise.allSettled([orders.close(), customers.close()]);
    },
  };
}

/** The SDL a running subgraph publishes (`_service { sdl }`), as a gateway reads it. */
export async function fetchSubgraphSdl(endpoint: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await postGraphQL<{ _service: { sdl: string } }>(endpoint, '{ _service { sdl } }', { headers });
  const sdl = response.data?._service.sdl;
  if (response.status !== 200 || !sdl) {
    throw new Error(`${endpoint} served no SDL (HTTP ${response.status}): ${JSON.stringify(response.errors)}`);
  }
  return sdl;
}

export interface ComposedSupergraph {
  supergraphSdl: string;
  /** The published SDL of each subgraph, by name. */
  subgraphSdl: Record<string, string>;
  /** Composition hints (not errors), as `code: message`. */
  hints: string[];
}

/** Composes the supergraph from the SDL the running subgraphs serve; throws on composition errors. */
export async function composeRunningSubgraphs(endpoints: Record<string, string>): Promise<ComposedSupergraph> {
  const subgraphSdl: Record<string, string> = {};
  for (const [name, url] of Object.entries(endpoints)) subgraphSdl[name] = await fetchSubgraphSdl(url);
  const result = composeServices(
    Object.entries(subgraphSdl).map(([name, sdl]) => ({ name, url: endpoints[name], typeDefs: parse(sdl) })),
  );
  if (result.errors) {
    throw new Error(`composition failed:\n  ${result.errors.map((error) => error.message).join('\n  ')}`);
  }
  return {
    supergraphSdl: result.supergraphSdl,
    subgraphSdl,
    hints: (result.hints ?? []).map((hint) => `${hint.definition.code}: ${hint.message}`),
  };
}

/**
 * POSTs a GraphQL operation as a client would. `token` becomes `Authorization: Bearer <token>`;
 * without one the request is anonymous (no Authorization header at all).
 */
export async function postGraphQL<Data = Record<string, unknown>>(
  endpoint: string,
  query: string,
  options: { variables?: Record<string, unknown>; token?: string | null; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<Data>> {
  const { variables, token, headers = {} } = options;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: Omit<GraphQLResponse<Data>, 'status'>;
  try {
    body = JSON.parse(text) as Omit<GraphQLResponse<Data>, 'status'>;
  } catch {
    throw new Error(`${endpoint} answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, ...body };
}
