import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSubgraph, type TestSubgraph } from './support/subgraph.js';

describe('HTTP server', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph({ env: { MAX_REQUEST_BYTES: '2048' } });
  });
  afterAll(() => subgraph.close());

  it('answers GET /health with 200', async () => {
    const response = await fetch(`${subgraph.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers 404 outside /graphql and /health', async () => {
    expect((await fetch(`${subgraph.url}/nope`)).status).toBe(404);
  });

  it('serves GraphQL over POST /graphql', async () => {
    const response = await subgraph.query('{ __typename }');
    expect(response).toMatchObject({ status: 200, data: { __typename: 'Query' } });
  });

  it('refuses a body over MAX_REQUEST_BYTES with 413, without reading it all', async () => {
    const response = await fetch(`${subgraph.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename ${' '.repeat(4096)} }` }),
    });
    expect(response.status).toBe(413);
  });

  it('refuses malformed JSON with 400', async () => {
    const response = await fetch(`${subgraph.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": "{ __typename }"',
    });
    expect(response.status).toBe(400);
  });

  it('refuses a simple cross-site GET (CSRF prevention) but serves one with a preflight header', async () => {
    const url = `${subgraph.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    expect((await fetch(url)).status).toBe(400);
    const preflighted = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
  });
});
