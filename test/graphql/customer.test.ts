import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeCaseCustomers, sandboxEdgeCases as edge, type SandboxDataset } from '../../src/sandbox/dataset.js';
import { vendorOf, type VendorEndpoint, type VendorName } from '../../src/vendors/endpoints.js';
import { everyCustomerField } from '../support/queries.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';
import {
  availabilityFlagOf,
  cardHolderOf,
  expectedCustomer,
  gameballOf,
  imprintLinkOf,
  isKnown,
  voucherifyOf,
} from '../support/expected.js';
import {
  chunks,
  customerByImprintIdQuery,
  customerQuery,
  customersQuery,
  entitiesQuery,
  type JsonObject,
} from '../support/graphql.js';

// Client → subgraph → sandbox fakes, over HTTP. Every expectation is derived from the dataset the
// fakes serve (see test/support/expected.ts); assertions compare values, nothing personal is printed.

let subgraph: TestSubgraph;
let dataset: SandboxDataset;

// Gameball's timestamps carry no zone and are documented as UTC: run the server (in this process)
// in another zone so that reading them as local time would show. Vitest runs each file in its own
// process (pool: forks), so this does not reach other files.
const zoneBefore = process.env['TZ'];

beforeAll(async () => {
  process.env['TZ'] = 'America/Los_Angeles';
  subgraph = await startTestSubgraph();
  dataset = subgraph.sandbox.dataset;
});

afterAll(async () => {
  await subgraph?.close();
  if (zoneBefore === undefined) delete process.env['TZ'];
  else process.env['TZ'] = zoneBefore;
});

interface CustomerData {
  customer: JsonObject | null;
}

const fullCustomer = customerQuery(everyCustomerField);
const maxCustomersPerQuery = 100;
const anyString: unknown = expect.any(String);

function queryCustomer(id: string, selection = everyCustomerField) {
  return subgraph.query<CustomerData>(selection === everyCustomerField ? fullCustomer : customerQuery(selection), {
    id,
  });
}

function callsTo(vendor: VendorName): number {
  return subgraph.sandbox.calls.filter((call) => vendorOf(call.endpoint) === vendor).length;
}

function count(endpoint: VendorEndpoint): number {
  return subgraph.sandbox.count(endpoint);
}

/** Every merchant id a vendor keyed by merchant id knows, in id order. */
function knownMerchantIds(): string[] {
  const ids = new Set<string>(dataset.gameball.keys());
  for (const record of dataset.voucherify.values()) if (record.source_id) ids.add(record.source_id);
  return [...ids].sort();
}

/** Customers known to both Gameball and Voucherify that are none of the deliberate edge cases. */
function ordinaryCustomers(): string[] {
  return knownMerchantIds().filter(
    (id) => !edgeCaseCustomers.has(id) && dataset.gameball.has(id) && voucherifyOf(dataset, id),
  );
}

describe('customer(id) for a customer every vendor knows', () => {
  it('answers every field as the dataset implies, without errors', async () => {
    const response = await queryCustomer(edge.rich);

    expect(response.status).toBe(200);
    expect(response).not.toHaveProperty('errors');
    // Read after the request: the fake issues a new redemption hash on every call.
    expect(response.data?.customer).toEqual(expectedCustomer(dataset, edge.rich));
  });

  it('is a customer that exercises every mapping (guards the test above against a thin dataset)', () => {
    const gameball = gameballOf(dataset, edge.rich);
    const promotions = voucherifyOf(dataset, edge.rich);
    const card = cardHolderOf(dataset, edge.rich);
    expect(gameball?.details.customerAttributes.dateOfBirth).toBeTruthy();
    expect(gameball?.details.customerAttributes.joinDate).toBeTruthy();
    expect(gameball?.details.customerAttributes.lastOrderDate).toBeTruthy();
    expect(promotions?.address?.line_1).toBeTruthy();
    expect(promotions?.summary?.orders.total_count).toBeGreaterThan(0);
    expect(Object.keys(promotions?.loyalty?.campaigns ?? {}).length).toBeGreaterThan(1);
    expect(promotions?.referrals?.campaigns.length).toBeGreaterThan(0);
    expect(card?.ssn4).toBeTruthy();
    expect(Object.keys(card?.statuses ?? {}).length).toBeGreaterThan(1);
    const flags = (gameball?.coupons ?? []).map(availabilityFlagOf);
    expect(flags).toContain(true);
    expect(flags).toContain(false);
    expect(gameball?.coupons.some((coupon) => coupon.capping != null)).toBe(true);
  });

  it('formats money, dates and enums as the schema documents', async () => {
    const response = await queryCustomer(edge.rich);
    const customer = response.data?.customer as unknown as {
      dateOfBirth: string;
      joinedAt: string;
      purchaseHistory: { totalSpent: { amount: string; currencyCode: string }; lastOrderAt: string };
      orderSummary: { totalAmount: { amount: string; currencyCode: string }; lastOrderAt: string };
      redemptionSummary: { giftCards: { redeemed: { amount: string }; remaining: { amount: string } } };
      coupons: { type: string; target: string; startsAt: string | null; expiresAt: string | null }[];
      cardPrograms: { status: string | null }[];
      redemptionHash: string;
    };
    const promotions = voucherifyOf(dataset, edge.rich);
    const decimal = /^-?\d+\.\d{2}$/;
    const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

    // Cents become an exact decimal string: its digits without the point are the cents.
    expect(customer.orderSummary.totalAmount.amount).toMatch(decimal);
    expect(BigInt(customer.orderSummary.totalAmount.amount.replace('.', ''))).toBe(
      BigInt(promotions?.summary?.orders.total_amount ?? Number.NaN),
    );
    expect(customer.orderSummary.totalAmount.currencyCode).toBe('USD');
    expect(customer.purchaseHistory.totalSpent.amount).toMatch(decimal);
    expect(customer.purchaseHistory.totalSpent.currencyCode).toBe('USD');
    expect(customer.redemptionSummary.giftCards.redeemed.amount).toMatch(decimal);
    expect(customer.redemptionSummary.giftCards.remaining.amount).toMatch(decimal);
    expect(customer.dateOfBirth).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const value of [customer.joinedAt, customer.purchaseHistory.lastOrderAt, customer.orderSummary.lastOrderAt]) {
      expect(value).toMatch(isoUtc);
    }
    for (const coupon of customer.coupons) {
      expect(['SHIPPING', 'FIXED', 'PERCENTAGE', 'PRODUCT', 'CUSTOM']).toContain(coupon.type);
      expect(['ONLINE', 'POS', 'PERMANENT', 'REWARD', 'AUTOMATION']).toContain(coupon.target);
      for (const date of [coupon.startsAt, coupon.expiresAt]) if (date !== null) expect(date).toMatch(isoUtc);
    }
    for (const program of customer.cardPrograms) expect(['OPEN', 'CLOSED']).toContain(program.status);
    expect(typeof customer.redemptionHash).toBe('string');
  });

  it('matches the dataset for every customer the dataset holds', async () => {
    const ids = [...knownMerchantIds(), edge.unknown, edge.partnerMismatch.partnerCustomerId];
    expect(ids.length).toBeGreaterThan(maxCustomersPerQuery); // several requests, each at the limit

    for (const batch of chunks(ids, maxCustomersPerQuery)) {
      const response = await subgraph.query<{ customers: (JsonObject | null)[] }>(customersQuery(everyCustomerField), {
        ids: batch,
      });
      expect(response).not.toHaveProperty('errors');
      expect(response.data?.customers).toEqual(batch.map((id) => expectedCustomer(dataset, id)));
    }
  });

  it('returns, with availableOnly, exactly the coupons whose availability flag is true', async () => {
    const response = await queryCustomer(
      edge.rich,
      'coupons { code } available: coupons(availableOnly: true) { code isAvailable }',
    );
    const coupons = gameballOf(dataset, edge.rich)?.coupons ?? [];

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.customer).toEqual({
      coupons: coupons.map(({ code }) => ({ code })),
      available: coupons
        .filter((coupon) => coupon.isAvaliableToUse === true)
        .map(({ code }) => ({ code, isAvailable: true })),
    });
  });

  it("reads the availability flag under the sample's other spelling (isAvlaibleToUse)", async () => {
    const coupons = gameballOf(dataset, edge.couponSampleSpelling)?.coupons ?? [];
    expect(coupons.length).toBeGreaterThan(0);
    expect(
      coupons.every((coupon) => coupon.isAvaliableToUse == null && typeof coupon.isAvlaibleToUse === 'boolean'),
    ).toBe(true);
    expect(new Set(coupons.map((coupon) => coupon.isAvlaibleToUse)).size).toBe(2); // both usable and unusable

    const response = await queryCustomer(
      edge.couponSampleSpelling,
      'coupons { code isAvailable } available: coupons(availableOnly: true) { code }',
    );

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.customer).toEqual({
      coupons: coupons.map((coupon) => ({ code: coupon.code, isAvailable: coupon.isAvlaibleToUse })),
      available: coupons.filter((coupon) => coupon.isAvlaibleToUse === true).map(({ code }) => ({ code })),
    });
  });

  it('follows the availability flag, under both spellings, even where it disagrees with the dates and counters', async () => {
    // Flip every flag: a resolver that recomputed availability instead of reading the flag fails.
    const flipped = [edge.rich, edge.couponSampleSpelling].flatMap((id) => gameballOf(dataset, id)?.coupons ?? []);
    const originals = flipped.map((coupon) => ({
      coupon,
      isAvaliableToUse: coupon.isAvaliableToUse,
      isAvlaibleToUse: coupon.isAvlaibleToUse,
    }));
    for (const coupon of flipped) {
      if (coupon.isAvaliableToUse != null) coupon.isAvaliableToUse = !coupon.isAvaliableToUse;
      if (coupon.isAvlaibleToUse != null) coupon.isAvlaibleToUse = !coupon.isAvlaibleToUse;
    }
    try {
      const response = await subgraph.query<{ customers: JsonObject[] }>(
        customersQuery('coupons { code isAvailable } available: coupons(availableOnly: true) { code }'),
        { ids: [edge.rich, edge.couponSampleSpelling] },
      );

      expect(response).not.toHaveProperty('errors');
      expect(response.data?.customers).toEqual(
        [edge.rich, edge.couponSampleSpelling].map((id) => {
          const coupons = gameballOf(dataset, id)?.coupons ?? [];
          return {
            coupons: coupons.map((coupon) => ({ code: coupon.code, isAvailable: availabilityFlagOf(coupon) })),
            available: coupons.filter(availabilityFlagOf).map(({ code }) => ({ code })),
          };
        }),
      );
    } finally {
      for (const { coupon, isAvaliableToUse, isAvlaibleToUse } of originals) {
        coupon.isAvaliableToUse = isAvaliableToUse;
        coupon.isAvlaibleToUse = isAvlaibleToUse;
      }
    }
  });

  it('answers null, not false, for coupon flags Gameball leaves out (it documents no defaults)', async () => {
    const id = 'cust_0057';
    const record = dataset.gameball.get(id)!;
    const coupons = record.coupons;
    const bare = { ...coupons[0]!, code: 'BARE-1', combinesWith: { orderDiscounts: true } };
    delete bare.isActive;
    delete bare.isExpired;
    delete bare.isManualCoupon;
    record.coupons = [bare];
    try {
      const response = await subgraph.query(
        `query ($id: ID!) { customer(id: $id) { coupons { code isActive isExpired isManual combinesWith { orderDiscounts productDiscounts shippingDiscounts } } } }`,
        { id },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({
        customer: {
          coupons: [
            {
              code: 'BARE-1',
              isActive: null,
              isExpired: null,
              isManual: null,
              combinesWith: { orderDiscounts: true, productDiscounts: null, shippingDiscounts: null },
            },
          ],
        },
      });
    } finally {
      record.coupons = coupons;
    }
  });

  it('reads isReferred from the public profile even when personal data comes from the details, which lack it', async () => {
    const referred = [...dataset.gameball.values()].find((record) => record.details.isReferred)!.details.customerId;
    subgraph.sandbox.resetCalls();
    const response = await subgraph.query(
      `query ($id: ID!) { customer(id: $id) { email referral { isReferred code } } }`,
      { id: referred },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toMatchObject({ customer: { referral: { isReferred: true } } });
    expect(count('gameball.details')).toBe(1);
    expect(count('gameball.profile')).toBe(1);
  });

  it('lists received referrals oldest first, each referrer resolved to its merchant id', async () => {
    // Every generated customer has at most one referral: give one two, in the vendor's newest-first order.
    const [refereeId, firstReferrerId, secondReferrerId] = ordinaryCustomers().filter(
      (id) => voucherifyOf(dataset, id)?.referrals?.total === 0,
    );
    const referee = refereeId ? voucherifyOf(dataset, refereeId) : undefined;
    const firstReferrer = firstReferrerId ? voucherifyOf(dataset, firstReferrerId) : undefined;
    const secondReferrer = secondReferrerId ? voucherifyOf(dataset, secondReferrerId) : undefined;
    if (!referee?.referrals || !firstReferrer || !secondReferrer)
      throw new Error('the dataset has too few ordinary customers');
    const original = structuredClone(referee.referrals);
    const referral = (referrerId: string, date: string) => ({
      campaign_id: 'camp_test_referrals_order',
      referrer_id: referrerId,
      related_object_id: `r_${date}`,
      related_object_type: 'redemption',
      date,
    });
    referee.referrals = {
      total: 2,
      campaigns: [
        referral(secondReferrer.id, '2024-03-01T10:00:00.000Z'),
        referral(firstReferrer.id, '2023-12-24T08:30:00.000Z'),
      ],
    };
    try {
      const response = await queryCustomer(
        refereeId!,
        'referral { receivedCount received { campaignId referredAt referrer { id } } }',
      );

      expect(response).not.toHaveProperty('errors');
      expect(response.data?.customer).toEqual({
        referral: {
          receivedCount: 2,
          received: [
            {
              campaignId: 'camp_test_referrals_order',
              referredAt: '2023-12-24T08:30:00.000Z',
              referrer: { id: firstReferrerId },
            },
            {
              campaignId: 'camp_test_referrals_order',
              referredAt: '2024-03-01T10:00:00.000Z',
              referrer: { id: secondReferrerId },
            },
          ],
        },
      });
    } finally {
      referee.referrals = original;
    }
  });

  it('fetches the rotating redemption hash afresh for every request', async () => {
    const selection = 'redemptionHash';
    subgraph.sandbox.resetCalls();
    const first = await queryCustomer(edge.rich, selection);
    const hashAfterFirst = gameballOf(dataset, edge.rich)?.hash;
    const second = await queryCustomer(edge.rich, selection);

    expect(first.data?.customer).toEqual({ redemptionHash: hashAfterFirst });
    expect(second.data?.customer).toEqual({ redemptionHash: gameballOf(dataset, edge.rich)?.hash });
    expect(subgraph.sandbox.count('gameball.hash', edge.rich)).toBe(2);
  });
});

describe('customer(id) for the edge cases of the dataset', () => {
  it('is null, without errors, for an id no vendor knows', async () => {
    expect(isKnown(dataset, edge.unknown)).toBe(false);

    const response = await queryCustomer(edge.unknown);

    expect(response.status).toBe(200);
    expect(response).not.toHaveProperty('errors');
    expect(response.data).toEqual({ customer: null });
  });

  it('serves the Gameball fields of a customer only Gameball knows, and null for the Voucherify ones', async () => {
    expect(dataset.gameball.has(edge.gameballOnly)).toBe(true);
    expect(voucherifyOf(dataset, edge.gameballOnly)).toBeUndefined();

    const response = await queryCustomer(edge.gameballOnly);
    const expected = expectedCustomer(dataset, edge.gameballOnly);

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.customer).toEqual(expected);
    expect(response.data?.customer).toMatchObject({
      gameballId: anyString,
      gender: anyString,
      tags: expect.any(Array) as unknown,
      location: { country: anyString },
      email: anyString,
      orderSummary: null,
      redemptionSummary: null,
      loyaltyPoints: null,
      address: null,
      imprintId: null,
      cardPrograms: null,
      referral: { code: anyString, receivedCount: null, received: null },
    });
  });

  it('serves the Voucherify fields of a customer only Voucherify knows, with its PII as the fallback', async () => {
    const promotions = voucherifyOf(dataset, edge.voucherifyOnly);
    expect(dataset.gameball.has(edge.voucherifyOnly)).toBe(false);
    expect(promotions?.email && promotions.name && promotions.phone).toBeTruthy();

    const response = await queryCustomer(edge.voucherifyOnly);

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.customer).toEqual(expectedCustomer(dataset, edge.voucherifyOnly));
    expect(response.data?.customer).toMatchObject({
      gameballId: null,
      gender: null,
      location: null,
      tags: null,
      registrationSource: null,
      customAttributes: null,
      joinedAt: null,
      purchaseHistory: null,
      coupons: null,
      availableCoupons: null,
      redemptionHash: null,
      referral: { code: null, link: null, dynamicLink: null, isReferred: null },
      email: promotions?.email,
      displayName: promotions?.name,
      phone: promotions?.phone,
      orderSummary: { count: promotions?.summary?.orders.total_count },
      loyaltyPoints: { balance: promotions?.loyalty?.points },
    });
  });

  it("exists when any vendor knows it, even if the selection asks only another vendor's fields", async () => {
    const response = await subgraph.query<{ a: JsonObject | null; b: JsonObject | null; c: JsonObject | null }>(
      /* GraphQL */ `
        query ($voucherifyOnly: ID!, $gameballOnly: ID!, $rich: ID!) {
          a: customer(id: $voucherifyOnly) {
            id
            gender
            coupons {
              code
            }
          }
          b: customer(id: $gameballOnly) {
            id
            orderSummary {
              count
            }
            cardPrograms {
              name
            }
          }
          c: customer(id: $rich) {
            id
          }
        }
      `,
      { voucherifyOnly: edge.voucherifyOnly, gameballOnly: edge.gameballOnly, rich: edge.rich },
    );

    expect(response).not.toHaveProperty('errors');
    expect(response.data).toEqual({
      a: { id: edge.voucherifyOnly, gender: null, coupons: null },
      b: { id: edge.gameballOnly, orderSummary: null, cardPrograms: null },
      c: { id: edge.rich },
    });
  });

  it('has no card programs, and no error, when the Imprint link names a record Imprint does not have', async () => {
    const { customerId, imprintId } = edge.danglingImprintLink;
    expect(imprintLinkOf(dataset, customerId)).toBe(imprintId);
    expect(dataset.imprint.has(imprintId)).toBe(false);

    const response = await queryCustomer(customerId);

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.customer).toEqual(expectedCustomer(dataset, customerId));
    expect(response.data?.customer).toMatchObject({ cardPrograms: null, ssnLast4: null });
  });

  it("shows none of another person's card data when the link resolves to a record of another merchant id", async () => {
    const { customerId, imprintId, partnerCustomerId } = edge.partnerMismatch;
    const record = dataset.imprint.get(imprintId);
    expect(imprintLinkOf(dataset, customerId)).toBe(imprintId);
    expect(record?.partner_customer_id).toBe(partnerCustomerId);
    expect(record?.ssn4).toBeTruthy();

    const response = await queryCustomer(customerId);
    const customer = response.data?.customer;

    expect(response).not.toHaveProperty('errors');
    expect(customer).toEqual(expectedCustomer(dataset, customerId));
    expect(customer).toMatchObject({ cardPrograms: null, ssnLast4: null });
    // The PII fields come from this customer's own vendors, never from the linked record.
    const gameball = gameballOf(dataset, customerId)?.details.customerAttributes;
    expect(customer).toMatchObject({
      firstName: gameball?.firstName,
      lastName: gameball?.lastName,
      email: gameball?.email,
    });
  });

  // The entity must not advertise another person's @key.
  it('does not expose the imprintId of a record that belongs to another merchant id', async () => {
    const response = await queryCustomer(edge.partnerMismatch.customerId, 'imprintId');
    expect(response.data?.customer).toEqual({ imprintId: null });
  });

  it('has a null referrer when Voucherify does not know the referring id', async () => {
    const { customerId, referrerId } = edge.unresolvableReferrer;
    const referrals = voucherifyOf(dataset, customerId)?.referrals?.campaigns ?? [];
    expect(referrals.map((referral) => referral.referrer_id)).toContain(referrerId);
    expect(dataset.voucherify.has(referrerId)).toBe(false);

    const response = await queryCustomer(
      customerId,
      'referral { receivedCount received { campaignId referredAt referrer { id } } }',
    );

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.customer).toEqual({
      referral: {
        receivedCount: referrals.length,
        received: referrals.map((referral) => ({
          campaignId: referral.campaign_id,
          referredAt: anyString,
          referrer: null,
        })),
      },
    });
  });

  // Voucherify answers to its own customer ids as well as to source ids: a Voucherify id passed as
  // `id` must not return another person's promotions data.
  it('does not treat a Voucherify-internal id as a merchant id', async () => {
    const promotions = voucherifyOf(dataset, edge.voucherifyOnly);
    const response = await queryCustomer(promotions!.id, 'id orderSummary { count }');
    expect(response.data).toEqual({ customer: null });
  });
});

describe('customers(ids)', () => {
  const selection = 'id gender orderSummary { count }';
  const expectedOf = (id: string) => {
    const customer = expectedCustomer(dataset, id);
    return (
      customer && {
        id: customer.id,
        gender: customer.gender,
        orderSummary: customer.orderSummary && { count: customer.orderSummary.count },
      }
    );
  };

  it('keeps the order, allows duplicates and has null at each unknown id', async () => {
    const ids = [edge.voucherifyOnly, edge.rich, edge.unknown, edge.rich, edge.gameballOnly, 'cust_not_a_customer'];

    const response = await subgraph.query<{ customers: (JsonObject | null)[] }>(customersQuery(selection), { ids });

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.customers).toEqual(ids.map(expectedOf));
    expect(response.data?.customers.map((customer) => customer?.['id'] ?? null)).toEqual([
      edge.voucherifyOnly,
      edge.rich,
      null,
      edge.rich,
      edge.gameballOnly,
      null,
    ]);
  });

  it('is an empty list for no ids', async () => {
    const response = await subgraph.query(customersQuery(selection), { ids: [] });
    expect(response).toMatchObject({ data: { customers: [] } });
    expect(response).not.toHaveProperty('errors');
  });

  it(`accepts ${maxCustomersPerQuery} ids`, async () => {
    const ids = Array.from({ length: maxCustomersPerQuery }, (_, index) =>
      index % 2 === 0 ? edge.rich : edge.gameballOnly,
    );

    const response = await subgraph.query<{ customers: (JsonObject | null)[] }>(customersQuery('id'), { ids });

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.customers).toEqual(ids.map((id) => ({ id })));
  });

  it(`refuses more than ${maxCustomersPerQuery} ids with BAD_USER_INPUT before calling any vendor`, async () => {
    const ids = Array.from({ length: maxCustomersPerQuery + 1 }, (_, index) => `cust_${index}`);
    subgraph.sandbox.resetCalls();

    const response = await subgraph.query(customersQuery(selection), { ids });

    expect(response.data ?? null).toBeNull(); // the list is non-null, so the error nulls `data`
    expect(response.errors).toEqual([
      expect.objectContaining({ path: ['customers'], extensions: { code: 'BAD_USER_INPUT', field: ['ids'] } }),
    ]);
    expect(subgraph.sandbox.calls).toEqual([]);
  });
});

describe('customerByImprintId(imprintId)', () => {
  it('finds a linked customer by its Imprint id', async () => {
    const imprintId = imprintLinkOf(dataset, edge.rich);
    expect(imprintId).toBeTruthy();

    const response = await subgraph.query<{ customerByImprintId: JsonObject | null }>(
      customerByImprintIdQuery(everyCustomerField),
      {
        imprintId,
      },
    );

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.customerByImprintId).toEqual(expectedCustomer(dataset, edge.rich));
  });

  it("resolves an Imprint record without a Voucherify link to Imprint's partner customer id", async () => {
    const { imprintId, partnerCustomerId } = edge.unlinkedImprint;
    const record = dataset.imprint.get(imprintId);
    expect(record?.partner_customer_id).toBe(partnerCustomerId);
    expect(imprintLinkOf(dataset, partnerCustomerId)).not.toBe(imprintId);

    const response = await subgraph.query<{ customerByImprintId: JsonObject | null }>(
      customerByImprintIdQuery('id imprintId ssnLast4 cardPrograms { name status } gender orderSummary { count }'),
      { imprintId },
    );
    const expected = expectedCustomer(dataset, partnerCustomerId);

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.customerByImprintId).toEqual({
      id: record?.partner_customer_id,
      imprintId,
      ssnLast4: record?.ssn4,
      cardPrograms: Object.entries(record?.statuses ?? {}).map(([name, status]) => ({ name, status })),
      gender: expected?.gender,
      orderSummary: expected?.orderSummary && { count: expected.orderSummary.count },
    });
  });

  it('is null, without errors, for an Imprint id Imprint does not know', async () => {
    const imprintId = randomUUID().toUpperCase();
    expect(dataset.imprint.has(imprintId)).toBe(false);

    const response = await subgraph.query(customerByImprintIdQuery('id'), { imprintId });

    expect(response).not.toHaveProperty('errors');
    expect(response.data).toEqual({ customerByImprintId: null });
  });
});

describe('_entities (federation)', () => {
  it('resolves representations by id and by imprintId, in order, null for the unknown', async () => {
    const imprintId = imprintLinkOf(dataset, edge.rich);
    const representations = [
      { __typename: 'Customer', id: edge.voucherifyOnly },
      { __typename: 'Customer', imprintId },
      { __typename: 'Customer', id: edge.unknown },
      { __typename: 'Customer', id: edge.gameballOnly },
    ];

    const response = await subgraph.query<{ _entities: (JsonObject | null)[] }>(
      entitiesQuery('id email cardPrograms { name }'),
      {
        representations,
      },
    );

    const pick = (id: string) => {
      const customer = expectedCustomer(dataset, id);
      return (
        customer && {
          id,
          email: customer.email,
          cardPrograms: customer.cardPrograms?.map(({ name }) => ({ name })) ?? null,
        }
      );
    };
    expect(response).not.toHaveProperty('errors');
    expect(response.data?._entities).toEqual([
      pick(edge.voucherifyOnly),
      pick(edge.rich),
      null,
      pick(edge.gameballOnly),
    ]);
  });
});

describe('ids', () => {
  const badIds: [string, string][] = [
    ['empty', ''],
    ['"."', '.'],
    ['".."', '..'],
    ['300 characters', 'x'.repeat(300)],
    ['257 characters', 'x'.repeat(257)],
    ['a NUL', 'cust\u00000001'],
    ['a newline', 'cust_0001\n'],
    ['a tab', 'cust\t0001'],
    ['DEL', 'cust_0001\u007f'],
  ];

  it.each(badIds)('refuses an id that is %s with BAD_USER_INPUT before any vendor call', async (_, id) => {
    subgraph.sandbox.resetCalls();

    const single = await queryCustomer(id, 'id');
    const list = await subgraph.query(customersQuery('id'), { ids: [edge.rich, id] });
    const byImprint = await subgraph.query(customerByImprintIdQuery('id'), { imprintId: id });
    const entities = await subgraph.query(entitiesQuery('id'), { representations: [{ __typename: 'Customer', id }] });

    expect(single.data).toEqual({ customer: null });
    expect(single.errors).toEqual([
      expect.objectContaining({ path: ['customer'], extensions: { code: 'BAD_USER_INPUT', field: ['id'] } }),
    ]);
    expect(list.errors).toEqual([
      expect.objectContaining({ path: ['customers'], extensions: { code: 'BAD_USER_INPUT', field: ['ids', '1'] } }),
    ]);
    expect(byImprint.errors).toEqual([
      expect.objectContaining({
        path: ['customerByImprintId'],
        extensions: { code: 'BAD_USER_INPUT', field: ['imprintId'] },
      }),
    ]);
    expect(entities.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) as unknown }),
    ]);
    expect(subgraph.sandbox.calls).toEqual([]);
  });

  const acceptedIds: [string, string][] = [
    ['an e-mail', 'someone+tag@example.com'],
    ['a colon, equals and tilde', 'tenant:42=a~b'],
    ['dashes, dots and underscores', 'a-b.c_d'],
    ['128 characters', 'x'.repeat(128)],
  ];

  it.each(acceptedIds)('passes an id with %s to the vendors, and null when unknown', async (_, id) => {
    subgraph.sandbox.resetCalls();

    const response = await queryCustomer(id, 'id gender orderSummary { count }');

    expect(response).not.toHaveProperty('errors');
    expect(response.data).toEqual({ customer: null });
    // The fakes route on one path segment and record it decoded: the id arrived whole, as sent.
    expect(
      subgraph.sandbox.calls
        .map(({ endpoint, key }) => ({ endpoint, key }))
        .sort((a, b) => a.endpoint.localeCompare(b.endpoint)),
    ).toEqual([
      { endpoint: 'gameball.profile', key: id },
      { endpoint: 'voucherify.customer', key: id },
    ]);
  });

  const refusedIds: [string, string][] = [
    ['a slash', 'cust/0001'],
    ['a question mark', 'cust_0001?x=1'],
    ['a hash', 'cust_0001#frag'],
    ['spaces', ' cust 0001 '],
    ['unicode', 'клиент-客户-ü-🙂'],
    ['a percent sign', '50%25off'],
    ['dot segments', '../cust_0001'],
    ['129 characters', 'x'.repeat(129)],
  ];

  it.each(refusedIds)('refuses an id with %s before any vendor call', async (_, id) => {
    subgraph.sandbox.resetCalls();

    const response = await queryCustomer(id, 'id gender orderSummary { count }');

    expect(response.data).toEqual({ customer: null });
    expect(response.errors?.map((error) => error.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
    expect(subgraph.sandbox.calls).toEqual([]);
  });

  it('refuses an odd Imprint id before calling Imprint', async () => {
    subgraph.sandbox.resetCalls();

    const response = await subgraph.query(customerByImprintIdQuery('id'), { imprintId: 'card/../#?x y' });

    expect(response.errors?.map((error) => error.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
    expect(subgraph.sandbox.calls).toEqual([]);
  });
});

describe('vendor calls follow the selection', () => {
  it('asks only Voucherify for Voucherify fields', async () => {
    expect(voucherifyOf(dataset, edge.rich)).toBeDefined();
    subgraph.sandbox.resetCalls();

    const response = await queryCustomer(edge.rich, 'orderSummary { count }');

    expect(response.data?.customer).toEqual({
      orderSummary: { count: voucherifyOf(dataset, edge.rich)?.summary?.orders.total_count },
    });
    expect(callsTo('gameball')).toBe(0);
    expect(callsTo('imprint')).toBe(0);
    expect(count('voucherify.customer')).toBe(1);
  });

  it("asks only Gameball's public profile for a public Gameball field", async () => {
    subgraph.sandbox.resetCalls();

    const response = await queryCustomer(edge.rich, 'gender');

    expect(response.data?.customer).toEqual({
      gender: gameballOf(dataset, edge.rich)?.details.customerAttributes.gender,
    });
    expect(callsTo('voucherify')).toBe(0);
    expect(callsTo('imprint')).toBe(0);
    expect(count('gameball.details')).toBe(0);
    expect(count('gameball.profile')).toBe(1);
  });

  it('serves public and personal Gameball fields from one details call', async () => {
    subgraph.sandbox.resetCalls();

    const response = await queryCustomer(edge.rich, 'gender email');

    const attributes = gameballOf(dataset, edge.rich)?.details.customerAttributes;
    expect(response.data?.customer).toEqual({ gender: attributes?.gender, email: attributes?.email });
    expect(count('gameball.details')).toBe(1);
    expect(count('gameball.profile')).toBe(0);
    expect(callsTo('voucherify')).toBe(0);
    expect(callsTo('imprint')).toBe(0);
  });

  it('reaches Imprint through the Voucherify link for card fields, and not Gameball', async () => {
    subgraph.sandbox.resetCalls();

    const response = await queryCustomer(edge.rich, 'cardPrograms { name }');

    expect(response.data?.customer).toEqual({
      cardPrograms: Object.keys(cardHolderOf(dataset, edge.rich)?.statuses ?? {}).map((name) => ({ name })),
    });
    expect(callsTo('gameball')).toBe(0);
    expect(count('voucherify.customer')).toBe(1);
    expect(count('imprint.customer')).toBe(1);
  });

  it('fetches each vendor record once per request for a list with duplicates', async () => {
    subgraph.sandbox.resetCalls();

    await subgraph.query(customersQuery('id gender email orderSummary { count }'), {
      ids: [edge.rich, edge.rich, edge.rich],
    });

    expect(subgraph.sandbox.count('gameball.details', edge.rich)).toBe(1);
    expect(subgraph.sandbox.count('voucherify.customer', edge.rich)).toBe(1);
    expect(count('gameball.profile')).toBe(0);
  });
});
