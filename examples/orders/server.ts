import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

// A small second subgraph for composition and end-to-end tests: orders whose `customer` is a
// reference to customer-subgraph's Customer, by key. 50 orders of 20 customers.

export const ordersTypeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

interface Order {
  id: string;
  totalCents: number;
  customerId: string;
}

export const orders: Order[] = Array.from({ length: 50 }, (_, index) => ({
  id: `order_${String(index + 1).padStart(3, '0')}`,
  totalCents: 1_000 + ((index * 7_919) % 90_000),
  customerId: `cust_${String((index % 20) + 1).padStart(4, '0')}`,
}));

const resolvers = {
  Query: {
    orders: (_: unknown, { first }: { first: number }) => orders.slice(0, Math.max(0, Math.min(first, orders.length))),
  },
  Order: {
    __resolveReference: ({ id }: { id: string }) => orders.find((order) => order.id === id) ?? null,
    customer: (order: Order) => ({ __typename: 'Customer', id: order.customerId }),
  },
};

export async function startOrdersSubgraph(
  options: { port?: number } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs: ordersTypeDefs, resolvers }) });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: options.port ?? 0 } });
  return { url, close: () => server.stop() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await startOrdersSubgraph({ port: 4002 });
  process.stdout.write(`orders subgraph ready at ${url}\n`);
}
