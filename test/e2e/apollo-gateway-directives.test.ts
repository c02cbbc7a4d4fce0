import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ordersTypeDefs } from '../../examples/orders/server.js';
import { buildSchema } from '../../src/schema.js';

// Why AUTH_DIRECTIVES_IN_SDL exists: @apollo/gateway 2.x refuses a supergraph carrying the auth
// directives, and accepts the one composed without them.

function supergraph(authDirectivesInSdl: boolean): string {
  const result = composeServices([
    {
      name: 'customers',
      url: 'http://127.0.0.1:1/graphql',
      typeDefs: parse(printSubgraphSchema(buildSchema({ authDirectivesInSdl }))),
    },
    { name: 'orders', url: 'http://127.0.0.1:2/graphql', typeDefs: ordersTypeDefs },
  ]);
  expect(result.errors).toBeUndefined();
  return result.supergraphSdl ?? '';
}

describe('@apollo/gateway and the auth directives', () => {
  it('refuses the supergraph composed with @authenticated / @requiresScopes', async () => {
    const gateway = new ApolloGateway({ supergraphSdl: supergraph(true) });
    await expect(gateway.load()).rejects.toThrow(/authenticated.*unsupported|unsupported.*SECURITY/s);
  });

  it('loads the supergraph composed with AUTH_DIRECTIVES_IN_SDL=false', async () => {
    const gateway = new ApolloGateway({ supergraphSdl: supergraph(false) });
    const { schema } = await gateway.load();
    expect(schema.getType('Customer')).toBeDefined();
    await gateway.stop();
  });
});
