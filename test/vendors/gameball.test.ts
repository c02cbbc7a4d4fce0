// GameballClient against a fake Gameball on 127.0.0.1: credentials per endpoint and payloads shaped
// like the seed samples. Status mapping, encoding, timeouts and limits are in http.test.ts.
import { describe, expect, it } from 'vitest';
import type { GameballClient } from '../../src/vendors/gameball/client.js';
import type { UpsertCustomerRequest } from '../../src/vendors/gameball/payloads.js';
import { json } from '../support/upstream.js';
import { credentials, gameballClient, upstreamFailure, useUpstream } from '../support/vendorFixtures.js';
import { gameballCoupons, gameballDetails, gameballProfile, gameballUpsertRequest } from '../support/vendorSamples.js';

describe('GameballClient', () => {
  const ctx = useUpstream();
  const client = () => ctx.use(gameballClient(ctx.up.url));
  const only = () => {
    expect(ctx.up.requests).toHaveLength(1);
    return ctx.up.requests[0]!;
  };

  describe('credentials', () => {
    // One body every endpoint accepts, so these tests are only about the headers.
    const anyOk = () => json(200, { customerId: 'c-1', coupons: [], hash: 'h', gameballId: 1 });
    type Call = { endpoint: string; call: (client: GameballClient) => Promise<unknown> };

    const withSecret: Call[] = [
      { endpoint: 'getDetails', call: (c) => c.getDetails('c-1') },
      { endpoint: 'getCoupons', call: (c) => c.getCoupons('c-1') },
      { endpoint: 'getRedemptionHash', call: (c) => c.getRedemptionHash('c-1') },
      { endpoint: 'delete', call: (c) => c.delete('c-1') },
    ];
    const publicOnly: Call[] = [
      { endpoint: 'getProfile', call: (c) => c.getProfile('c-1') },
      { endpoint: 'upsert', call: (c) => c.upsert({ customerId: 'c-1' }) },
    ];

    it.each(withSecret)('$endpoint sends the apikey and the secretkey', async ({ call }) => {
      ctx.up.respond(anyOk);
      await call(client());
      const { headers } = only();
      expect(headers.apikey).toBe(credentials.gameball.apiKey);
      expect(headers.secretkey).toBe(credentials.gameball.secretKey);
    });

    it.each(publicOnly)('$endpoint sends the apikey and never the secretkey', async ({ call }) => {
      ctx.up.respond(anyOk);
      await call(client());
      const { headers } = only();
      expect(headers.apikey).toBe(credentials.gameball.apiKey);
      expect(headers).not.toHaveProperty('secretkey');
      expect(Object.values(headers)).not.toContain(credentials.gameball.secretKey);
    });
  });

  describe('getProfile', () => {
    it('parses the public profile sample and drops the keys it does not model', async () => {
      ctx.up.respond(() => json(200, { ...gameballProfile, internalScore: 99 }));
      const profile = await client().getProfile('cust_abc12345xyz67890');

      expect(only().path).toBe('/api/v4.0/integrations/customers/cust_abc12345xyz67890');
      expect(profile).toEqual({
        gameballId: 417384,
        customerId: 'cust_abc12345xyz67890',
        customerAttributes: {
          gender: 'Male',
          country: 'USA',
          city: 'Los Angeles',
          zip: '90001',
          custom: {},
          tags: ['loyal', 'VIP'],
          source: 'website',
          paymentMethods: [],
          totalSpent: 1500,
          lastOrderDate: '2024-09-15T00:00:00',
          totalOrders: 25,
        },
        referralCode: 'n13jACFC400AYZ',
        referralLink: 'https://myapp.example/register?ReferralCode=n13jACFC400AYZ',
        dynamicReferralLink: null,
      });
      expect(profile).not.toHaveProperty('internalScore');
      for (const dropped of ['community', 'utMs', 'devices', 'manualDate']) {
        expect(profile?.customerAttributes).not.toHaveProperty(dropped);
      }
    });

    it('accepts a profile without attributes', async () => {
      ctx.up.respond(() => json(200, { customerId: 'c-1', customerAttributes: null, referralCode: null }));
      await expect(client().getProfile('c-1')).resolves.toEqual({
        customerId: 'c-1',
        customerAttributes: null,
        referralCode: null,
      });
    });
  });

  describe('getDetails', () => {
    it('parses the details sample, PII included, and drops the keys it does not model', async () => {
      ctx.up.respond(() => json(200, gameballDetails));
      const details = await client().getDetails('cust_abc12345xyz67890');

      expect(only().path).toBe('/api/v4/integrations/customers/cust_abc12345xyz67890/details');
      expect(details).toEqual({
        customerId: 'cust_abc12345xyz67890',
        gameballId: 418384,
        customerAttributes: {
          displayName: 'Test Person',
          firstName: 'Test',
          lastName: 'Person',
          email: 'test.person@example.com',
          gender: 'Male',
          mobile: '+15555550100',
          dateOfBirth: '1985-10-25T00:00:00',
          joinDate: '2023-05-01T00:00:00',
          country: 'USA',
          city: 'Los Angeles',
          zip: '90001',
          custom: { favoriteCategory: 'Electronics', purchaseIntent: 'High' },
          tags: ['loyal', 'VIP'],
          source: 'website',
          paymentMethods: [],
          totalSpent: 1024,
          lastOrderDate: '2024-09-15T00:00:00',
          totalOrders: 20,
        },
        referralCode: 'n13jACFC400AYZ',
        referralLink: 'https://myapp.example/account/register?ReferralCode=n13jACFC400AYZ',
        dynamicReferralLink: 'https://myapp.example/xyz123?d=1',
      });
      expect(details?.customerAttributes).not.toHaveProperty('manualDate');
    });
  });

  describe('getCoupons', () => {
    it('parses the coupons sample, with either spelling of the availability flag', async () => {
      const second = { code: 'SPRING10', isAvaliableToUse: true, someFutureField: 'x' };
      ctx.up.respond(() => json(200, { coupons: [...gameballCoupons.coupons, second], page: 1 }));
      const coupons = await client().getCoupons('cust_abc12345xyz67890');

      expect(only().path).toBe('/api/v4/integrations/customers/cust_abc12345xyz67890/coupons');
      // Every documented key kept, the unknown one dropped.
      expect(coupons).toEqual([...gameballCoupons.coupons, { code: 'SPRING10', isAvaliableToUse: true }]);
    });

    it('resolves to an empty list, not null, when the customer has no coupons', async () => {
      ctx.up.respond(() => json(200, { coupons: [] }));
      await expect(client().getCoupons('c-1')).resolves.toEqual([]);
    });

    it('rejects a coupon without its code', async () => {
      ctx.up.respond(() => json(200, { coupons: [{ name: 'No code' }] }));
      const error = await upstreamFailure(client().getCoupons('c-1'));
      expect(error.failure).toBe('bad_response');
    });
  });

  describe('getRedemptionHash', () => {
    it('returns the hash of the sample as a string, leading zero kept', async () => {
      ctx.up.respond(() => json(200, { hash: '039684' }));
      await expect(client().getRedemptionHash('cust_abc12345xyz67890')).resolves.toBe('039684');
      expect(only().path).toBe('/api/v4/integrations/customers/cust_abc12345xyz67890/hash');
    });
  });

  describe('upsert', () => {
    it('POSTs the customer as JSON and returns the gameballId of the sample response', async () => {
      const customer: UpsertCustomerRequest = gameballUpsertRequest;
      ctx.up.respond(() => json(200, { gameballId: 417984 }));
      await expect(client().upsert(customer)).resolves.toBe(417984);

      const request = only();
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/api/v4.0/integrations/customers');
      expect(request.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request.body)).toEqual(gameballUpsertRequest);
    });
  });

  describe('delete', () => {
    it.each([
      { status: 200, body: '{"success":true}' },
      { status: 204, body: '' },
    ])('sends DELETE and resolves to true on $status', async ({ status, body }) => {
      ctx.up.respond(() => ({ status, body }));
      await expect(client().delete('cust_abc12345xyz67890')).resolves.toBe(true);

      const request = only();
      expect(request.method).toBe('DELETE');
      expect(request.path).toBe('/api/v4/integrations/customers/cust_abc12345xyz67890');
      expect(request.body).toBe('');
    });
  });
});
