import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orders, startOrdersSubgraph } from '../../examples/orders/server.js';
import { readEndpoints, repeatedCalls } from '../support/callCounts.js';
import { startTestSubgraph, type GraphQLResponse, type TestSubgraph } from '../support/subgraph.js';
import { fullAccessScope, signToken } from '../support/tokens.js';

// A real @apollo/gateway in front of customer-subgraph and the example orders subgraph, all on
// 127.0.0.1. @apollo/gateway 2.x refuses supergraphs carrying the auth directives, so the subgraph
// runs with AUTH_DIRECTIVES_IN_SDL=false; its own enforcement is what gates the data.

const routerSecret = 'gateway-to-subgraph-secret';
interface Order {
  id: string;
  customer: Record<string, unknown> & { id: string };
}

describe('through @apollo/gateway', () => {
  let customers: TestSubgraph;
  let ordersSubgraph: { url: string; close(): Promise<void> };
  let gateway: ApolloServer<{ authorization?: string }>;
  let gatewayUrl: string;

  beforeAll(async () => {
    customers = await startTestSubgraph({ env: { AUTH_DIRECTIVES_IN_SDL: 'false', ROUTER_SECRET: routerSecret } });
    ordersSubgraph = await startOrdersSubgraph();
    gateway = new ApolloServer<{ authorization?: string }>({
      gateway: new ApolloGateway({
        supergraphSdl: new IntrospectAndCompose({
          subgraphs: [
            { name: 'customers', url: `${customers.url}/graphql` },
            { name: 'orders', url: ordersSubgraph.url },
          ],
        }),
        buildService: ({ url }) =>
          new RemoteGraphQLDataSource<{ authorization?: string }>({
            url,
            willSendRequest({ request, context }) {
              // The client's token travels to the subgraphs; the router secret proves the gateway.
              const { authorization } = context as { authorization?: string };
              if (authorization) request.http?.headers.set('authorization', authorization);
              request.http?.headers.set('router-authorization', routerSecret);
            },
          }),
      }),
    });
    ({ url: gatewayUrl } = await startStandaloneServer(gateway, {
      listen: { host: '127.0.0.1', port: 0 },
      context: ({ req }) => Promise.resolve({ authorization: req.headers.authorization }),
    }));
  });

  afterAll(async () => {
    await gateway.stop();
    await ordersSubgraph.close();
    await customers.close();
  });

  async function viaGateway(query: string, token?: string): Promise<GraphQLResponse<{ orders: Order[] }>> {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return {
      status: response.status,
      ...((await response.json()) as Omit<GraphQLResponse<{ orders: Order[] }>, 'status'>),
    };
  }

  it('answers a query crossing both subgraphs: orders → customer → coupons, referrals, Voucherify summary', async () => {
    const token = await signToken({ sub: 'support-tool', scope: fullAccessScope });
    customers.sandbox.resetCalls();
    const response = await viaGateway(
      `{ orders(first: 50) { id customer {
          id email orderSummary { count totalAmount { amount currencyCode } } loyaltyPoints { balance }
          coupons { code isAvailable } referral { code isReferred received { referredAt referrer { id } } }
      } } }`,
      token,
    );
    expect(response.errors).toBeUndefined();
    const answered = response.data?.orders ?? [];
    expect(answered.map((order) => [order.id, order.customer.id])).toEqual(
      orders.map((order) => [order.id, order.customerId]),
    );
    const { dataset } = customers.sandbox;
    for (const order of answered) {
      const record = dataset.gameball.get(order.customer.id);
      expect(order.customer['email']).toBe(record?.details.customerAttributes.email ?? order.customer['email']);
      expect((order.customer['coupons'] as unknown[] | null)?.length).toBe(record?.coupons.length);
    }
  });

  it("the gateway's _entities fetch for 50 orders of 20 customers calls each vendor endpoint at most once per customer", async () => {
    customers.sandbox.resetCalls();
    const response = await viaGateway(
      `{ orders(first: 50) { customer {
          id gender tags orderSummary { count } redemptionSummary { total } loyaltyPoints { balance }
          referral { code receivedCount } cardPrograms { name } email coupons { code } redemptionHash
      } } }`,
      await signToken({ sub: 'support-tool', scope: fullAccessScope }),
    );
    expect(response.errors).toBeUndefined();
    expect(repeatedCalls(customers.sandbox)).toEqual([]);
    const distinctCustomers = new Set(orders.map((order) => order.customerId));
    expect(distinctCustomers.size).toBe(20);
    expect(
      new Set(customers.sandbox.calls.filter((call) => call.endpoint === 'gameball.details').map((call) => call.key)),
    ).toEqual(distinctCustomers);
    for (const endpoint of readEndpoints.filter((name) => name !== 'gameball.profile')) {
      expect(customers.sandbox.count(endpoint), endpoint).toBeGreaterThan(0);
    }
  });

  it('forwards Authorization: PII gating holds through the gateway exactly as direct', async () => {
    const owner = 'cust_0001';
    const ownerToken = await signToken({ sub: owner });
    const query = `{ orders(first: 20) { customer { id gender email coupons { code } ssnLast4 } } }`;
    const through = await viaGateway(query, ownerToken);

    const byCustomer = new Map((through.data?.orders ?? []).map((order) => [order.customer.id, order.customer]));
    expect(byCustomer.size).toBe(20);
    for (const [id, customer] of byCustomer) {
      const direct = await customers.query<{ customer: Record<string, unknown> }>(
        `{ customer(id: "${id}") { id gender email coupons { code } ssnLast4 } }`,
        undefined,
        { authorization: `Bearer ${ownerToken}`, 'router-authorization': routerSecret },
      );
      expect(customer).toEqual(direct.data?.customer);
      expect(customer['gender']).toBe(
        customers.sandbox.dataset.gameball.get(id)?.details.customerAttributes.gender ?? null,
      );
      if (id === owner) {
        expect(customer['email']).not.toBeNull();
        expect(customer['coupons']).not.toBeNull();
      } else {
        expect(customer['email']).toBeNull();
        expect(customer['coupons']).toBeNull();
      }
      expect(customer['ssnLast4']).toBeNull();
    }
    // email and coupons of the 19 other customers, ssnLast4 of all 20, on each of their orders.
    const forbidden = (through.errors ?? []).filter((error) => error.extensions?.code === 'FORBIDDEN');
    const forbiddenFields = forbidden.map((error) => String(error.path?.at(-1)));
    expect(forbiddenFields.filter((field) => field === 'ssnLast4')).toHaveLength(20);
    expect(forbiddenFields.filter((field) => field === 'email')).toHaveLength(19);
    expect(forbiddenFields.filter((field) => field === 'coupons')).toHaveLength(19);
  });

  it('anonymous clients get the public fields only, and the subgraph is never asked for secret-key data', async () => {
    customers.sandbox.resetCalls();
    const response = await viaGateway(`{ orders(first: 50) { customer { id gender email coupons { code } } } }`);
    expect(
      response.data?.orders.every(
        (order) => order.customer['email'] === null && order.customer['gender'] !== undefined,
      ),
    ).toBe(true);
    expect(customers.sandbox.count('gameball.details')).toBe(0);
    expect(customers.sandbox.count('gameball.coupons')).toBe(0);
  });

  it('refuses callers that bypass the gateway (ROUTER_SECRET)', async () => {
    const response = await customers.query('{ customer(id: "cust_0001") { id } }');
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
