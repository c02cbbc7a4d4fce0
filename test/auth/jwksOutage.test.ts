import { createServer } from 'node:net';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// When the identity provider's keys cannot be fetched, a token gets no verdict: 503, not 401.

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 1;
}

describe('JWKS outage', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph({ env: { AUTH_JWKS_URL: `http://127.0.0.1:${await closedPort()}/jwks.json` } });
  });
  afterAll(() => subgraph.close());

  it('answers 503 SERVICE_UNAVAILABLE without calling any vendor', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ scope: 'pii:read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('cust_0001')
      .setExpirationTime('1h')
      .sign(privateKey);
    subgraph.sandbox.resetCalls();
    const response = await subgraph.query('{ customer(id: "cust_0001") { email } }', undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(response.status).toBe(503);
    expect(response.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(subgraph.sandbox.calls).toEqual([]);
  });
});
