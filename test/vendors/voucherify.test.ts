// VoucherifyClient against a fake Voucherify on 127.0.0.1: credentials, path and the seed example.
// Status mapping, encoding, timeouts and limits are in http.test.ts.
import { describe, expect, it } from 'vitest';
import { json } from '../support/upstream.js';
import { credentials, upstreamFailure, useUpstream, voucherifyClient } from '../support/vendorFixtures.js';
import { voucherifyCustomer, withoutKeys } from '../support/vendorSamples.js';

describe('VoucherifyClient', () => {
  const ctx = useUpstream();
  const client = () => ctx.use(voucherifyClient(ctx.up.url));
  const only = () => {
    expect(ctx.up.requests).toHaveLength(1);
    return ctx.up.requests[0]!;
  };

  it('sends the X-App-Id and X-App-Token pair and nothing else as credentials', async () => {
    ctx.up.respond(() => json(200, voucherifyCustomer));
    await client().getCustomer('cust_T849EgzNVVmn5icJ2FAkT2rO');

    const { method, path, headers } = only();
    expect(method).toBe('GET');
    expect(path).toBe('/v1/customers/cust_T849EgzNVVmn5icJ2FAkT2rO');
    expect(headers['x-app-id']).toBe(credentials.voucherify.appId);
    expect(headers['x-app-token']).toBe(credentials.voucherify.appToken);
    expect(headers).not.toHaveProperty('authorization');
  });

  it('parses the documented example, amounts in integer cents, and drops the keys it does not model', async () => {
    ctx.up.respond(() => json(200, voucherifyCustomer));
    const customer = await client().getCustomer('cust_T849EgzNVVmn5icJ2FAkT2rO');

    expect(customer).toEqual(withoutKeys(voucherifyCustomer, 'system_metadata', 'updated_at'));
    for (const dropped of ['system_metadata', 'updated_at']) {
      expect(customer).not.toHaveProperty(dropped);
    }
  });

  it('looks a customer up by source_id, encoded as one segment', async () => {
    ctx.up.respond(() => json(200, voucherifyCustomer));
    await expect(client().getCustomer('test.person@example.com')).resolves.toMatchObject({
      source_id: 'test.person@example.com',
    });
    expect(only().path).toBe('/v1/customers/test.person%40example.com');
  });

  it('rejects an amount that is not integer cents', async () => {
    const orders = { ...voucherifyCustomer.summary.orders, total_amount: 2039.5 };
    ctx.up.respond(() => json(200, { ...voucherifyCustomer, summary: { ...voucherifyCustomer.summary, orders } }));
    const error = await upstreamFailure(client().getCustomer('cust_1'));
    expect(error.failure).toBe('bad_response');
    expect(error.cause).toEqual(['summary.orders.total_amount']);
  });
});
