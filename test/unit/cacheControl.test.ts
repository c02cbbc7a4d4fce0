import { HeaderMap, type GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { cacheControlPlugin } from '../../src/cacheControl.js';
import type { Context } from '../../src/context.js';
import { buildSchema } from '../../src/schema.js';
import type { StaleRead } from '../../src/vendors/http.js';

// A response served from stale cache entries, which no request over HTTP can make yet (the
// vendor-response cache is not written): the plugin on its own, with what Apollo would hand it.

const schema = buildSchema();
const document = parse('{ customer(id: "cust_0001") { id gameballId } }');

async function cacheControlWith(staleReads: StaleRead[]): Promise<string | undefined> {
  const response = {
    http: { headers: new HeaderMap(), status: undefined },
    body: { kind: 'single', singleResult: { data: { customer: { id: 'cust_0001', gameballId: '1' } } } },
  } as const;
  // Only what the plugin reads of a request context.
  const requestContext = {
    schema,
    document,
    operation: document.definitions[0] as OperationDefinitionNode,
    request: {},
    response,
    contextValue: { scope: { staleReads } },
  } as unknown as GraphQLRequestContextWillSendResponse<Context>;
  const listener = await cacheControlPlugin(15).requestDidStart?.(requestContext);
  await listener?.willSendResponse?.(requestContext);
  return response.http.headers.get('cache-control');
}

describe('cacheControlPlugin', () => {
  it('lets public data be stored, unless it was served stale', async () => {
    expect(await cacheControlWith([])).toBe('public, max-age=15');
    const stale: StaleRead = { endpoint: 'gameball.profile', key: 'cust_0001', ageSeconds: 20, reason: 'vendor down' };
    expect(await cacheControlWith([stale])).toBe('no-store');
  });
});
