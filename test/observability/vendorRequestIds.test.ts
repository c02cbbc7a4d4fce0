import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// A failed vendor call is logged with the vendor's request id, which its support asks for, and
// never with the vendor's error body (it may echo personal data).

let subgraph: TestSubgraph;
beforeAll(async () => {
  subgraph = await startTestSubgraph();
});
afterAll(() => subgraph.close());

it('logs the vendor’s request id with a failed call, not its body', async () => {
  const echoed = 'echoed-personal-value@example.com';
  subgraph.sandbox.setFault('voucherify.customer', {
    status: 503,
    body: JSON.stringify({ code: 503, key: 'service_unavailable', message: echoed, request_id: 'v-7d3e9a1c5b' }),
  });
  try {
    const response = await subgraph.query('{ customer(id: "cust_0001") { orderSummary { count } } }');
    expect(response.errors?.map((error) => error.extensions?.['code'])).toEqual(['UPSTREAM_UNAVAILABLE']);
  } finally {
    subgraph.sandbox.setFault('voucherify.customer', null);
  }
  const failed = subgraph.logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === 'vendor call failed');
  expect(failed).toMatchObject([{ vendor: 'voucherify', status: 503, vendorRequestId: 'v-7d3e9a1c5b' }]);
  expect(subgraph.logs.some((line) => line.includes(echoed))).toBe(false);
});
