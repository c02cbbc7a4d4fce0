import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest } from '../support/http.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// Who may read GET /metrics: on the main port, only the gateway when ROUTER_SECRET is set; with
// METRICS_PORT, only that port serves them (to whoever the network lets reach it), the main port none.

const routerSecret = 'router-secret-for-metrics-tests';
const counted = /graphql_requests_total\{operation="Counted",outcome="success"\} 1/;

let subgraph: TestSubgraph | undefined;

afterEach(async () => {
  await subgraph?.close();
  subgraph = undefined;
});

async function countOneQuery(target: TestSubgraph, headers: Record<string, string> = {}): Promise<void> {
  expect(await target.query('query Counted { __typename }', undefined, headers)).toMatchObject({ status: 200 });
}

describe('GET /metrics on the main port (no METRICS_PORT)', () => {
  it('is open to anyone when no ROUTER_SECRET is set', async () => {
    subgraph = await startTestSubgraph();
    await countOneQuery(subgraph);
    expect(subgraph.metricsUrl).toBe(subgraph.url);
    const response = await httpRequest(`${subgraph.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toMatch(counted);
  });

  it('answers 401 without the router secret, or with a wrong one, when ROUTER_SECRET is set', async () => {
    subgraph = await startTestSubgraph({ env: { ROUTER_SECRET: routerSecret } });
    await countOneQuery(subgraph, { 'router-authorization': routerSecret });
    const wrong: Record<string, string>[] = [
      {},
      { 'router-authorization': 'wrong' },
      { 'router-authorization': `${routerSecret}x` },
    ];
    for (const headers of wrong) {
      const refused = await httpRequest(`${subgraph.url}/metrics`, { headers });
      expect(refused.status).toBe(401);
      expect(refused.text).not.toMatch(/graphql_requests_total/);
    }
    const allowed = await httpRequest(`${subgraph.url}/metrics`, { headers: { 'router-authorization': routerSecret } });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toMatch(counted);
  });
});

describe('METRICS_PORT', () => {
  it('serves GET /metrics on its own listener only, 404 elsewhere there, and 404 at /metrics on the main port', async () => {
    subgraph = await startTestSubgraph({ env: { METRICS_PORT: '0' } });
    await countOneQuery(subgraph);
    expect(subgraph.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(subgraph.metricsUrl).not.toBe(subgraph.url);

    const scraped = await httpRequest(`${subgraph.metricsUrl}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.text).toMatch(counted);
    expect((await httpRequest(`${subgraph.url}/metrics`)).status).toBe(404);
    expect((await httpRequest(`${subgraph.metricsUrl}/graphql`)).status).toBe(404);
    expect((await httpRequest(`${subgraph.metricsUrl}/health`)).status).toBe(404);
    expect((await httpRequest(`${subgraph.metricsUrl}/metrics`, { method: 'POST', body: '{}' })).status).toBe(404);
    // The main port still serves everything else.
    expect((await httpRequest(`${subgraph.url}/health`)).status).toBe(200);
  });

  it('with ROUTER_SECRET set: the metrics port needs no secret, the main port answers 404 even with it', async () => {
    subgraph = await startTestSubgraph({ env: { METRICS_PORT: '0', ROUTER_SECRET: routerSecret } });
    await countOneQuery(subgraph, { 'router-authorization': routerSecret });
    const scraped = await httpRequest(`${subgraph.metricsUrl}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.text).toMatch(counted);
    const main = await httpRequest(`${subgraph.url}/metrics`, { headers: { 'router-authorization': routerSecret } });
    expect(main.status).toBe(404);
    expect(main.text).not.toMatch(/graphql_requests_total/);
  });

  it('closes the metrics listener in close()', async () => {
    const closing = await startTestSubgraph({ env: { METRICS_PORT: '0' } });
    const { metricsUrl } = closing;
    expect((await httpRequest(`${metricsUrl}/metrics`)).status).toBe(200);
    await closing.close();
    const refused = await httpRequest(`${metricsUrl}/metrics`).then(
      () => null,
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(refused).toBe('ECONNREFUSED');
  });
});
