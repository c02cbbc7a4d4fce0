import { testLimits } from '../support/limits.js';
import type { VendorEndpoint } from '../../src/vendors/endpoints.js';
import {
  gameball,
  gameballHeaders,
  imprint,
  imprintHeaders,
  inBatches,
  request,
  upsert,
  voucherify,
  voucherifyHeaders,
  type Exchange,
} from '../support/sandboxRequests.js';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { z } from 'zod';
import {
  createDataset,
  imprintLinkMetadataKey,
  referralCampaignName,
  sandboxEdgeCases as edge,
  type GameballCouponRecord,
  type SandboxDataset,
  type VoucherifyRecord,
} from '../../src/sandbox/dataset.js';
import { documentedQuotas, startSandboxVendors, type SandboxVendors } from '../../src/sandbox/vendors.js';
import { GameballClient } from '../../src/vendors/gameball/client.js';
import {
  customerCoupons,
  customerDetails,
  customerHash,
  customerProfile,
  upsertResponse,
} from '../../src/vendors/gameball/payloads.js';
import { ImprintClient } from '../../src/vendors/imprint/client.js';
import { customer as imprintCustomer } from '../../src/vendors/imprint/payloads.js';
import { VoucherifyClient } from '../../src/vendors/voucherify/client.js';
import { customer as voucherifyCustomer } from '../../src/vendors/voucherify/payloads.js';

// Assertions compare ids, keys, counts and booleans, never personal values, so a failure never
// prints PII (fake as it is) into the test output.

const piiAttributeKeys = [
  'displayName',
  'firstName',
  'lastName',
  'email',
  'mobile',
  'dateOfBirth',
  'joinDate',
  'preferredLanguage',
];
const limits = testLimits({ timeoutMs: 5_000, maxQueue: 2_000 });
// Asymmetric matchers typed `unknown` rather than `any`, so they can sit inside expected objects.
const anyString: unknown = expect.any(String);
const voucherifyRequestId: unknown = expect.stringMatching(/^v-[0-9a-f]{18}$/);

function voucherifyBySource(dataset: SandboxDataset): Map<string, VoucherifyRecord> {
  return new Map([...dataset.voucherify.values()].map((customer) => [customer.source_id ?? '', customer]));
}

function imprintLinkOf(customer: VoucherifyRecord | undefined): unknown {
  return customer?.metadata?.[imprintLinkMetadataKey];
}

function availabilityOf(coupon: GameballCouponRecord): boolean | null | undefined {
  return coupon.isAvaliableToUse ?? coupon.isAvlaibleToUse;
}

/** The PII attribute names present in a served Gameball profile. */
function piiKeysIn(profile: unknown): string[] {
  const attributes = (profile as { customerAttributes?: object | null } | undefined)?.customerAttributes ?? {};
  return Object.keys(attributes).filter((key) => piiAttributeKeys.includes(key));
}

/** The field paths zod rejects, never the values. */
function issuesOf(schema: z.ZodType, payload: unknown): string[] {
  const parsed = schema.safeParse(payload);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
}

function serialized(dataset: SandboxDataset): string {
  return JSON.stringify([[...dataset.gameball], [...dataset.voucherify], [...dataset.imprint]]);
}

describe('createDataset', () => {
  const dataset = createDataset();
  const bySource = voucherifyBySource(dataset);
  const merchantIds = Array.from({ length: 300 }, (_, index) => `cust_${String(index + 1).padStart(4, '0')}`);

  it('is deterministic for a seed and varies with it', () => {
    expect(serialized(createDataset()) === serialized(dataset)).toBe(true);
    expect(serialized(createDataset({ seed: 7 })) === serialized(dataset)).toBe(false);
    expect(createDataset({ customers: 40 }).gameball.size).toBeLessThanOrEqual(40);
  });

  it('keys every vendor by its own id format, within cust_0001 … cust_0300', () => {
    const badGameball = [...dataset.gameball].filter(
      ([id, record]) => !merchantIds.includes(id) || record.details.customerId !== id,
    );
    const badVoucherify = [...dataset.voucherify].filter(
      ([id, customer]) =>
        !/^cust_[A-Za-z0-9]{24}$/.test(id) || customer.id !== id || !merchantIds.includes(customer.source_id ?? ''),
    );
    const badImprint = [...dataset.imprint].filter(
      ([id, customer]) =>
        !/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/.test(id) || customer.id !== id,
    );
    expect(badGameball.map(([id]) => id)).toEqual([]);
    expect(badVoucherify.map(([id]) => id)).toEqual([]);
    expect(badImprint.map(([id]) => id)).toEqual([]);
    expect(bySource.size).toBe(dataset.voucherify.size);
    const gameballIds = [...dataset.gameball.values()].map((record) => record.details.gameballId);
    expect(new Set(gameballIds).size).toBe(gameballIds.length);
  });

  it('knows most customers at Gameball and Voucherify, about a third at Imprint, some at one vendor or none', () => {
    const inBoth = merchantIds.filter((id) => dataset.gameball.has(id) && bySource.has(id));
    const gameballOnly = merchantIds.filter((id) => dataset.gameball.has(id) && !bySource.has(id));
    const voucherifyOnly = merchantIds.filter((id) => !dataset.gameball.has(id) && bySource.has(id));
    const unknown = merchantIds.filter((id) => !dataset.gameball.has(id) && !bySource.has(id));
    expect(inBoth.length).toBeGreaterThan(240);
    expect(gameballOnly).toContain(edge.gameballOnly);
    expect(voucherifyOnly).toContain(edge.voucherifyOnly);
    expect(unknown).toContain(edge.unknown);
    expect(dataset.imprint.size).toBeGreaterThan(80);
    expect(dataset.imprint.size).toBeLessThan(120);
  });

  it('links Imprint through Voucherify metadata, with partner_customer_id the merchant id, except the edge cases', () => {
    const linkedFrom = new Map<string, string[]>();
    const badLinks: string[] = [];
    for (const customer of dataset.voucherify.values()) {
      const link = imprintLinkOf(customer);
      if (link === undefined) continue;
      const merchantId = customer.source_id ?? '';
      if (typeof link !== 'string') {
        badLinks.push(merchantId);
        continue;
      }
      linkedFrom.set(link, [...(linkedFrom.get(link) ?? []), merchantId]);
      const card = dataset.imprint.get(link);
      if (merchantId === edge.danglingImprintLink.customerId) {
        if (card !== undefined || link !== edge.danglingImprintLink.imprintId) badLinks.push(merchantId);
      } else if (merchantId === edge.partnerMismatch.customerId) {
        if (
          link !== edge.partnerMismatch.imprintId ||
          card?.partner_customer_id !== edge.partnerMismatch.partnerCustomerId
        ) {
          badLinks.push(merchantId);
        }
      } else if (card?.partner_customer_id !== merchantId) {
        badLinks.push(merchantId);
      }
    }
    expect(badLinks).toEqual([]);
    const notLinkedOnce = [...dataset.imprint.keys()].filter((id) => linkedFrom.get(id)?.length !== 1);
    expect(notLinkedOnce).toEqual([edge.unlinkedImprint.imprintId]);
    const unlinked = dataset.imprint.get(edge.unlinkedImprint.imprintId);
    expect(unlinked?.partner_customer_id).toBe(edge.unlinkedImprint.partnerCustomerId);
    expect(imprintLinkOf(bySource.get(edge.unlinkedImprint.partnerCustomerId))).toBeUndefined();
    expect(dataset.gameball.has(edge.partnerMismatch.partnerCustomerId)).toBe(false);
    expect(bySource.has(edge.partnerMismatch.partnerCustomerId)).toBe(false);
  });

  it('has card programs with OPEN and CLOSED statuses', () => {
    const statuses = [...dataset.imprint.values()].flatMap((card) => Object.values(card.statuses ?? {}));
    expect(new Set(statuses)).toEqual(new Set(['OPEN', 'CLOSED']));
    const programs = new Set([...dataset.imprint.values()].flatMap((card) => Object.keys(card.statuses ?? {})));
    expect(programs).toContain('Acme Rewards Visa');
  });

  it('keeps the same person behind a merchant id at every vendor', () => {
    const mismatched: string[] = [];
    for (const [merchantId, record] of dataset.gameball) {
      const attributes = record.details.customerAttributes;
      const promotions = bySource.get(merchantId);
      if (promotions) {
        const same =
          promotions.name === attributes.displayName &&
          promotions.email === attributes.email &&
          promotions.phone === attributes.mobile &&
          `${promotions.birthdate}T00:00:00` === attributes.dateOfBirth;
        if (!same) mismatched.push(merchantId);
      }
      const link = imprintLinkOf(promotions);
      const card = typeof link === 'string' ? dataset.imprint.get(link) : undefined;
      if (card && merchantId !== edge.partnerMismatch.customerId) {
        const birth = card.date_of_birth;
        const same =
          card.first_name === attributes.firstName &&
          card.last_name === attributes.lastName &&
          card.email === attributes.email &&
          card.phone === attributes.mobile &&
          card.preferred_language === attributes.preferredLanguage &&
          `${birth?.year}-${String(birth?.month).padStart(2, '0')}-${String(birth?.day).padStart(2, '0')}T00:00:00` ===
            attributes.dateOfBirth;
        if (!same) mismatched.push(merchantId);
      }
    }
    expect(mismatched).toEqual([]);
  });

  it('uses fake PII in the documented formats', () => {
    const bad: string[] = [];
    for (const [merchantId, record] of dataset.gameball) {
      const attributes = record.details.customerAttributes;
      if (!attributes.email?.endsWith('@example.com')) bad.push(`${merchantId}: email`);
      if (!/^\+1555\d{7}$/.test(attributes.mobile ?? '')) bad.push(`${merchantId}: mobile`);
      if (!/^\d{4}-\d{2}-\d{2}T00:00:00$/.test(attributes.dateOfBirth ?? '')) bad.push(`${merchantId}: dateOfBirth`);
      if (!/^\d{4}-\d{2}-\d{2}T00:00:00$/.test(attributes.joinDate ?? '')) bad.push(`${merchantId}: joinDate`);
      if (attributes.lastOrderDate != null && !/^\d{4}-\d{2}-\d{2}T00:00:00$/.test(attributes.lastOrderDate)) {
        bad.push(`${merchantId}: lastOrderDate`);
      }
      if (!Array.isArray(attributes.tags)) bad.push(`${merchantId}: tags`);
    }
    for (const card of dataset.imprint.values()) {
      if (!/^[A-Z]{3}$/.test(card.address?.country ?? '')) bad.push(`${card.id}: country`);
      if (!/^\d{4}$/.test(card.ssn4 ?? '')) bad.push(`${card.id}: ssn4`);
      if (!/^\+1555\d{7}$/.test(card.phone ?? '')) bad.push(`${card.id}: phone`);
    }
    expect(bad).toEqual([]);
  });

  it('reports the same orders to Gameball (units) and Voucherify (cents)', () => {
    const mismatched: string[] = [];
    for (const [merchantId, record] of dataset.gameball) {
      const orders = bySource.get(merchantId)?.summary?.orders;
      if (!orders) continue;
      const attributes = record.details.customerAttributes;
      const same =
        attributes.totalOrders === orders.total_count &&
        Math.round((attributes.totalSpent ?? 0) * 100) === orders.total_amount &&
        attributes.lastOrderDate?.slice(0, 10) === orders.last_order_date?.slice(0, 10) &&
        Number.isInteger(orders.average_amount);
      if (!same) mismatched.push(merchantId);
    }
    expect(mismatched).toEqual([]);
  });

  it('keeps Voucherify loyalty totals equal to the sum of their campaigns', () => {
    const wrong = [...dataset.voucherify.values()]
      .filter((customer) => {
        const loyalty = customer.loyalty;
        if (!loyalty) return true;
        const campaigns = Object.values(loyalty.campaigns);
        const points = campaigns.reduce((sum, campaign) => sum + (campaign.points ?? 0), 0);
        const referred = campaigns.reduce((sum, campaign) => sum + (campaign.referred_customers ?? 0), 0);
        return (
          points !== loyalty.points ||
          referred !== loyalty.referred_customers ||
          customer.summary?.redemptions.loyalty_card.points_to_go !== loyalty.points
        );
      })
      .map((customer) => customer.source_id);
    expect(wrong).toEqual([]);
  });

  it('records referrals in Voucherify consistently with Gameball isReferred and the referrers’ counts', () => {
    const referredCounts = new Map<string, number>();
    const problems: string[] = [];
    const campaignIds = new Set<string>();
    for (const customer of dataset.voucherify.values()) {
      const referrals = customer.referrals;
      const merchantId = customer.source_id ?? '';
      if (!referrals || referrals.total !== referrals.campaigns.length) problems.push(`${merchantId}: total`);
      for (const referral of referrals?.campaigns ?? []) {
        campaignIds.add(referral.campaign_id);
        if (referral.related_object_type !== 'redemption' || Number.isNaN(Date.parse(referral.date))) {
          problems.push(`${merchantId}: referral fields`);
        }
        if (dataset.voucherify.has(referral.referrer_id)) {
          referredCounts.set(referral.referrer_id, (referredCounts.get(referral.referrer_id) ?? 0) + 1);
        } else if (merchantId !== edge.unresolvableReferrer.customerId) {
          problems.push(`${merchantId}: unknown referrer`);
        }
      }
      const referred = dataset.gameball.get(merchantId)?.details.isReferred;
      if (referred !== undefined && referred !== (referrals?.total ?? 0) > 0)
        problems.push(`${merchantId}: isReferred`);
    }
    for (const customer of dataset.voucherify.values()) {
      if ((customer.loyalty?.referred_customers ?? 0) !== (referredCounts.get(customer.id) ?? 0)) {
        problems.push(`${customer.source_id}: referred_customers`);
      }
      const referralCampaign = customer.loyalty?.campaigns[referralCampaignName];
      if (referralCampaign && referralCampaign.referred_customers !== referredCounts.get(customer.id)) {
        problems.push(`${customer.source_id}: ${referralCampaignName}`);
      }
    }
    const gameballOnlyReferred = [...dataset.gameball.keys()].filter(
      (id) => !bySource.has(id) && dataset.gameball.get(id)?.details.isReferred,
    );
    expect(problems).toEqual([]);
    expect(gameballOnlyReferred).toEqual([]);
    expect(campaignIds.size).toBe(1);
    expect(referredCounts.size).toBeGreaterThan(10);

    const unresolvable = bySource.get(edge.unresolvableReferrer.customerId);
    expect(unresolvable?.referrals?.campaigns.map((referral) => referral.referrer_id)).toEqual([
      edge.unresolvableReferrer.referrerId,
    ]);
    expect(dataset.voucherify.has(edge.unresolvableReferrer.referrerId)).toBe(false);
    expect(dataset.gameball.get(edge.unresolvableReferrer.customerId)?.details.isReferred).toBe(true);
  });

  it('flags coupons available exactly when the seed’s conditions hold today', () => {
    const now = Date.now();
    const coupons = [...dataset.gameball.values()].flatMap((record) => record.coupons);
    const wrong = coupons
      .filter((coupon) => {
        const expired = coupon.expiryDate != null && Date.parse(coupon.expiryDate) < now;
        const available =
          coupon.isActive === true &&
          !expired &&
          (coupon.startDate == null || Date.parse(coupon.startDate) <= now) &&
          (coupon.usageLimit == null || (coupon.usedCount ?? 0) < coupon.usageLimit) &&
          (coupon.limitPerCustomer == null || (coupon.customerUsedCount ?? 0) < coupon.limitPerCustomer);
        return coupon.isExpired !== expired || availabilityOf(coupon) !== available;
      })
      .map((coupon) => coupon.code);
    expect(wrong).toEqual([]);
    expect(new Set(coupons.map((coupon) => coupon.code)).size).toBe(coupons.length);
    expect(new Set(coupons.map((coupon) => coupon.type))).toEqual(
      new Set(['shipping', 'fixed', 'percentage', 'product', 'custom']),
    );
    expect(new Set(coupons.map((coupon) => coupon.target))).toEqual(
      new Set(['Online', 'POS', 'Permanent', 'Reward', 'Automation']),
    );
    const sampleSpelling = dataset.gameball.get(edge.couponSampleSpelling)?.coupons ?? [];
    expect(sampleSpelling.length).toBeGreaterThan(0);
    expect(sampleSpelling.every((coupon) => 'isAvlaibleToUse' in coupon && !('isAvaliableToUse' in coupon))).toBe(true);
  });

  it('makes cust_0001 a rich example', () => {
    const rich = dataset.gameball.get(edge.rich);
    const promotions = bySource.get(edge.rich);
    const link = imprintLinkOf(promotions);
    expect(typeof link).toBe('string');
    const card = dataset.imprint.get(String(link));
    expect(card?.partner_customer_id).toBe(edge.rich);
    expect(new Set(Object.values(card?.statuses ?? {}))).toEqual(new Set(['OPEN', 'CLOSED']));
    const availability = (rich?.coupons ?? []).map(availabilityOf);
    expect(availability.filter((available) => available === true).length).toBeGreaterThanOrEqual(2);
    expect(availability.filter((available) => available === false).length).toBeGreaterThanOrEqual(2);
    const pointCampaigns = Object.values(promotions?.loyalty?.campaigns ?? {}).filter(
      (campaign) => (campaign.points ?? 0) > 0,
    );
    expect(pointCampaigns.length).toBe(2);
    expect(rich?.details.isReferred).toBe(true);
    expect(rich?.details.dynamicReferralLink).toBeTypeOf('string');
    expect(rich?.details.customerAttributes.tags?.length).toBeGreaterThan(0);
    const referrer = bySource.get(edge.richReferrer);
    expect(promotions?.referrals?.campaigns.map((referral) => referral.referrer_id)).toEqual([referrer?.id]);
    const present = (value: unknown) => value !== undefined && value !== null && value !== '';
    const attributes = rich?.details.customerAttributes ?? {};
    expect(piiAttributeKeys.filter((key) => !present(attributes[key as keyof typeof attributes]))).toEqual([]);
    expect(present(promotions?.address?.line_1) && present(promotions?.address?.line_2)).toBe(true);
    expect(present(card?.ssn4) && present(card?.address?.street_line1)).toBe(true);
  });
});

describe('sandbox vendors over HTTP', () => {
  let sandbox: SandboxVendors;

  beforeAll(async () => {
    sandbox = await startSandboxVendors();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('listens on 127.0.0.1, one port per vendor, with the default dataset', () => {
    const urls = [
      sandbox.settings.gameball.baseUrl,
      sandbox.settings.voucherify.baseUrl,
      sandbox.settings.imprint.baseUrl,
    ];
    expect(urls.every((url) => /^http:\/\/127\.0\.0\.1:\d+$/.test(url))).toBe(true);
    expect(new Set(urls).size).toBe(3);
    expect(sandbox.dataset.gameball.has(edge.rich)).toBe(true);
  });

  it('serves each Gameball route under the prefixes its seed shows, as JSON, and 404 elsewhere', async () => {
    const secret = { headers: gameballHeaders(sandbox, true) };
    // The profile: /api/v4.0 (seed 000) and /api/v4 (seed 002).
    for (const version of ['v4.0', 'v4']) {
      const profile = await gameball(sandbox, `/${edge.rich}`, { headers: gameballHeaders(sandbox) }, version);
      expect(profile.status).toBe(200);
      expect(profile.contentType).toMatch(/^application\/json/);
      expect(issuesOf(customerProfile, profile.json)).toEqual([]);
    }
    // Details, coupons and hash: /api/v4 only (seed 002 is the only page that documents them).
    const details = await gameball(sandbox, `/${edge.rich}/details`, secret);
    expect(details.status).toBe(200);
    expect(issuesOf(customerDetails, details.json)).toEqual([]);
    const coupons = await gameball(sandbox, `/${edge.rich}/coupons`, secret);
    expect(coupons.status).toBe(200);
    expect(issuesOf(customerCoupons, coupons.json)).toEqual([]);
    const hash = await gameball(sandbox, `/${edge.rich}/hash`, secret);
    expect(hash.status).toBe(200);
    expect(hash.json).toEqual({ hash: anyString });
    expect(customerHash.parse(hash.json).hash).toMatch(/^\d{6}$/);
    for (const suffix of ['/details', '/coupons', '/hash']) {
      expect((await gameball(sandbox, `/${edge.rich}${suffix}`, secret, 'v4.0')).status, suffix).toBe(404);
    }
    expect((await gameball(sandbox, `/${edge.rich}`, { method: 'DELETE', ...secret }, 'v4.0')).status).toBe(404);
    expect(sandbox.dataset.gameball.has(edge.rich)).toBe(true);
  });

  it('rotates the redemption hash on every request', async () => {
    const hashes = new Set<unknown>();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const { json } = await gameball(sandbox, `/${edge.rich}/hash`, { headers: gameballHeaders(sandbox, true) });
      hashes.add(json && typeof json === 'object' && 'hash' in json ? json.hash : undefined);
    }
    expect(hashes.size).toBeGreaterThan(1);
    expect(hashes.has(sandbox.dataset.gameball.get(edge.rich)?.hash)).toBe(true);
  });

  it('keeps PII out of the public Gameball profile', async () => {
    const { json, text } = await gameball(sandbox, `/${edge.rich}`, { headers: gameballHeaders(sandbox) });
    expect(Object.keys(json as object).sort()).toEqual(
      [
        'customerAttributes',
        'customerId',
        'dynamicReferralLink',
        'gameballId',
        'isReferred',
        'referralCode',
        'referralLink',
      ].sort(),
    );
    expect(piiKeysIn(json)).toEqual([]);
    const attributes = sandbox.dataset.gameball.get(edge.rich)?.details.customerAttributes;
    const values = [attributes?.email, attributes?.mobile, attributes?.lastName, attributes?.dateOfBirth];
    expect(values.every((value) => typeof value === 'string' && !text.includes(value))).toBe(true);
  });

  it('requires the Gameball apikey everywhere and the secretkey for details, coupons, hash and delete', async () => {
    const wrongApiKey = { apikey: 'wrong', secretkey: sandbox.settings.gameball.secretKey };
    const wrongSecret = { apikey: sandbox.settings.gameball.apiKey, secretkey: 'wrong' };
    expect((await gameball(sandbox, `/${edge.rich}`)).status).toBe(401);
    expect((await gameball(sandbox, `/${edge.rich}`, { headers: wrongApiKey })).status).toBe(401);
    expect((await gameball(sandbox, `/${edge.rich}`, { headers: gameballHeaders(sandbox) })).status).toBe(200);
    for (const suffix of ['details', 'coupons', 'hash']) {
      expect((await gameball(sandbox, `/${edge.rich}/${suffix}`, { headers: gameballHeaders(sandbox) })).status).toBe(
        401,
      );
      expect((await gameball(sandbox, `/${edge.rich}/${suffix}`, { headers: wrongSecret })).status).toBe(401);
      expect((await gameball(sandbox, `/${edge.rich}/${suffix}`, { headers: wrongApiKey })).status).toBe(401);
    }
    const refusedDelete = await gameball(sandbox, `/${edge.rich}`, {
      method: 'DELETE',
      headers: gameballHeaders(sandbox),
    });
    expect(refusedDelete.status).toBe(401);
    expect(refusedDelete.json).toEqual({ code: 401, message: anyString });
    const refusedPostDelete = await gameball(sandbox, `/${edge.rich}/delete`, { method: 'POST', headers: wrongSecret });
    expect(refusedPostDelete.status).toBe(401);
    expect(sandbox.dataset.gameball.has(edge.rich)).toBe(true);
    const refusedUpsert = await gameball(sandbox, '', {
      method: 'POST',
      body: JSON.stringify({ customerId: 'cust_0999' }),
    });
    expect(refusedUpsert.status).toBe(401);
    expect(sandbox.dataset.gameball.has('cust_0999')).toBe(false);
  });

  it('requires the Voucherify app id and token, as case-insensitive headers', async () => {
    const { appId, appToken } = sandbox.settings.voucherify;
    const unauthorized = {
      code: 401,
      key: 'unauthorized',
      message: 'Unauthorized',
      details: 'Cannot authenticate the request',
      request_id: voucherifyRequestId,
    };
    const missing = await voucherify(sandbox, edge.rich, {});
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual(unauthorized);
    expect((await voucherify(sandbox, edge.rich, { 'X-App-Id': appId })).status).toBe(401);
    expect((await voucherify(sandbox, edge.rich, { 'X-App-Id': appId, 'X-App-Token': 'wrong' })).json).toEqual(
      unauthorized,
    );
    expect((await voucherify(sandbox, edge.rich, { 'x-app-id': appId, 'X-APP-TOKEN': appToken })).status).toBe(200);
  });

  it('requires the Imprint bearer key', async () => {
    const { apiKey } = sandbox.settings.imprint;
    const cardId = String(imprintLinkOf(voucherifyBySource(sandbox.dataset).get(edge.rich)));
    const missing = await imprint(sandbox, cardId, {});
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({ type: 'UNAUTHORIZED_ERROR', message: anyString });
    expect((await imprint(sandbox, cardId, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await imprint(sandbox, cardId, { Authorization: apiKey })).status).toBe(401);
    expect((await imprint(sandbox, cardId, { Authorization: `Basic ${apiKey}` })).status).toBe(401);
    expect((await imprint(sandbox, cardId, { authorization: `bearer ${apiKey}` })).status).toBe(200);
  });

  it('answers unknown customers with each vendor’s 404 body', async () => {
    const gameballMissing = await gameball(sandbox, `/${edge.unknown}/details`, {
      headers: gameballHeaders(sandbox, true),
    });
    expect(gameballMissing.status).toBe(404);
    expect(gameballMissing.json).toEqual({ code: 404, message: 'Customer not found' });
    for (const suffix of ['', '/coupons', '/hash']) {
      expect(
        (await gameball(sandbox, `/${edge.unknown}${suffix}`, { headers: gameballHeaders(sandbox, true) })).status,
      ).toBe(404);
    }
    const voucherifyMissing = await voucherify(sandbox, edge.gameballOnly);
    expect(voucherifyMissing.status).toBe(404);
    expect(voucherifyMissing.json).toEqual({
      code: 404,
      key: 'not_found',
      message: 'Resource not found',
      details: `Cannot find customer with id ${edge.gameballOnly}`,
      request_id: voucherifyRequestId,
      resource_id: edge.gameballOnly,
      resource_type: 'customer',
    });
    const imprintMissing = await imprint(sandbox, edge.danglingImprintLink.imprintId);
    expect(imprintMissing.status).toBe(404);
    expect(imprintMissing.json).toEqual({
      type: 'CUSTOMER_NOT_FOUND_ERROR',
      message: `Customer not found for provided ID: ${edge.danglingImprintLink.imprintId}`,
      param: 'customer_id',
    });
  });

  it('finds a Voucherify customer by its Voucherify id or by source_id', async () => {
    const byId = voucherifyBySource(sandbox.dataset).get(edge.rich);
    const bySourceId = await voucherify(sandbox, edge.rich);
    const byVoucherifyId = await voucherify(sandbox, byId?.id ?? '');
    expect(bySourceId.status).toBe(200);
    expect(byVoucherifyId.status).toBe(200);
    expect(bySourceId.text === byVoucherifyId.text).toBe(true);
    expect(voucherifyCustomer.parse(bySourceId.json).source_id).toBe(edge.rich);
  });

  it('percent-decodes path ids and refuses a bad encoding with 400', async () => {
    sandbox.resetCalls();
    const encoded = await gameball(sandbox, '/cust%5F0001', { headers: gameballHeaders(sandbox) });
    expect(encoded.status).toBe(200);
    expect(sandbox.calls).toEqual([{ endpoint: 'gameball.profile', key: edge.rich, status: 200 }]);

    const oddId = 'odd id/with ünicode?&#';
    expect((await upsert(sandbox, { customerId: oddId })).status).toBe(200);
    const odd = await gameball(sandbox, `/${encodeURIComponent(oddId)}/details`, {
      headers: gameballHeaders(sandbox, true),
    });
    expect(odd.status).toBe(200);
    expect(customerDetails.parse(odd.json).customerId).toBe(oddId);
    expect(sandbox.count('gameball.details', oddId)).toBe(1);

    const bad = await gameball(sandbox, '/%E0%A4%A', { headers: gameballHeaders(sandbox) });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ code: 400, message: anyString });
    const badVoucherify = await request(`${sandbox.settings.voucherify.baseUrl}/v1/customers/%ZZ`, {
      headers: voucherifyHeaders(sandbox),
    });
    expect(badVoucherify.status).toBe(400);
    expect(badVoucherify.json).toMatchObject({ code: 400, key: 'bad_request' });
    expect(sandbox.count('gameball.profile', '%E0%A4%A')).toBe(1);
  });

  it('answers 404 on unknown routes and methods', async () => {
    sandbox.resetCalls();
    const unknown = [
      gameball(sandbox, `/${edge.rich}/points`, { headers: gameballHeaders(sandbox, true) }),
      gameball(sandbox, `/${edge.rich}`, { method: 'PUT', headers: gameballHeaders(sandbox, true) }),
      gameball(sandbox, '/', { headers: gameballHeaders(sandbox) }),
      request(`${sandbox.settings.gameball.baseUrl}/api/v3/integrations/customers/${edge.rich}`, {
        headers: gameballHeaders(sandbox),
      }),
      request(`${sandbox.settings.voucherify.baseUrl}/v1/vouchers/ABC`, { headers: voucherifyHeaders(sandbox) }),
      request(`${sandbox.settings.imprint.baseUrl}/v1/customers/ABC`, { headers: imprintHeaders(sandbox) }),
    ];
    const statuses = (await Promise.all(unknown)).map((exchange) => exchange.status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404]);
    expect(sandbox.calls).toEqual([]);
  });

  it('creates a customer on upsert, with a new gameballId and referral code', async () => {
    const before = Math.max(...[...sandbox.dataset.gameball.values()].map((record) => record.details.gameballId));
    const created = await upsert(sandbox, {
      customerId: 'cust_new_1',
      email: 'new.person@example.com',
      guest: true,
      customerAttributes: { firstName: 'New', dateOfBirth: '1985-10-25', tags: ['VIP'], custom: { level: 'Gold' } },
    });
    expect(created.status).toBe(200);
    expect(issuesOf(upsertResponse, created.json)).toEqual([]);
    const { gameballId } = upsertResponse.parse(created.json);
    expect(gameballId).toBeGreaterThan(before);
    const record = sandbox.dataset.gameball.get('cust_new_1');
    expect(record?.guest).toBe(true);
    expect(record?.details.isReferred).toBe(false);
    const details = customerDetails.parse(
      (await gameball(sandbox, '/cust_new_1/details', { headers: gameballHeaders(sandbox, true) })).json,
    );
    expect(details.gameballId).toBe(gameballId);
    expect(details.customerAttributes?.dateOfBirth).toBe('1985-10-25T00:00:00');
    expect(details.customerAttributes?.email === 'new.person@example.com').toBe(true);
    expect(details.customerAttributes?.tags).toEqual(['VIP']);
    expect(details.referralCode).toMatch(/^[A-Za-z0-9]{14}$/);
    expect(details.referralLink).toContain(details.referralCode ?? '-');
    const codes = [...sandbox.dataset.gameball.values()].map((other) => other.details.referralCode);
    expect(codes.filter((code) => code === details.referralCode)).toHaveLength(1);
  });

  it('merges attributes into an existing customer on upsert, keeping its gameballId', async () => {
    const record = sandbox.dataset.gameball.get(edge.richReferrer);
    const gameballId = record?.details.gameballId;
    const firstName = record?.details.customerAttributes.firstName;
    const updated = await upsert(
      sandbox,
      { customerId: edge.richReferrer, customerAttributes: { city: 'Springfield', custom: { extra: 1 } } },
      'v4',
    );
    expect(updated.status).toBe(200);
    expect(updated.json).toEqual({ gameballId });
    const after = sandbox.dataset.gameball.get(edge.richReferrer)?.details.customerAttributes;
    expect(after?.city).toBe('Springfield');
    expect(after?.firstName === firstName).toBe(true);
    expect(after?.custom).toMatchObject({ extra: 1, membershipLevel: anyString });
  });

  it('marks a customer created with an existing referrerCode as referred', async () => {
    const referrerCode = sandbox.dataset.gameball.get(edge.rich)?.details.referralCode ?? undefined;
    expect(referrerCode).toBeTypeOf('string');
    expect((await upsert(sandbox, { customerId: 'cust_new_2', referrerCode })).status).toBe(200);
    const profile = customerProfile.parse(
      (await gameball(sandbox, '/cust_new_2', { headers: gameballHeaders(sandbox) })).json,
    );
    expect(profile.isReferred).toBe(true);
    expect((await upsert(sandbox, { customerId: 'cust_new_3', referrerCode: 'NO-SUCH-CODE' })).status).toBe(200);
    expect(sandbox.dataset.gameball.get('cust_new_3')?.details.isReferred).toBe(false);
  });

  it('refuses an upsert without a string customerId or with malformed JSON', async () => {
    sandbox.resetCalls();
    const size = sandbox.dataset.gameball.size;
    const missing = await upsert(sandbox, { customerAttributes: { city: 'Nowhere' } });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ code: 400, message: anyString });
    expect(missing.text).toContain('customerId');
    expect((await upsert(sandbox, { customerId: 42 })).status).toBe(400);
    expect((await upsert(sandbox, { customerId: '' })).status).toBe(400);
    expect((await upsert(sandbox, { customerId: 'cust_bad', customerAttributes: 'not an object' })).status).toBe(400);
    const malformed = await upsert(sandbox, '{"customerId": "cust_x",');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual({ code: 400, message: 'Request body is not valid JSON' });
    expect(sandbox.dataset.gameball.size).toBe(size);
    expect(sandbox.calls.map((call) => [call.key, call.status])).toEqual([
      ['', 400],
      ['', 400],
      ['', 400],
      ['cust_bad', 400],
      ['', 400],
    ]);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const huge = await upsert(sandbox, {
      customerId: 'cust_huge',
      customerAttributes: { displayName: 'x'.repeat(1_100_000) },
    });
    expect(huge.status).toBe(413);
    expect(sandbox.dataset.gameball.has('cust_huge')).toBe(false);
  });

  it('deletes with DELETE and with POST …/delete, then answers 404', async () => {
    const headers = gameballHeaders(sandbox, true);
    expect((await gameball(sandbox, '/cust_new_1', { method: 'DELETE', headers })).status).toBe(200);
    expect(sandbox.dataset.gameball.has('cust_new_1')).toBe(false);
    expect((await gameball(sandbox, '/cust_new_1', { headers })).status).toBe(404);
    expect((await gameball(sandbox, '/cust_new_1', { method: 'DELETE', headers })).status).toBe(404);
    expect((await gameball(sandbox, '/cust_new_2/delete', { method: 'POST', headers }, 'v4')).status).toBe(200);
    expect(sandbox.dataset.gameball.has('cust_new_2')).toBe(false);
    expect((await gameball(sandbox, '/cust_new_2/delete', { method: 'POST', headers })).status).toBe(404);
    expect(sandbox.count('gameball.delete', 'cust_new_2')).toBe(2);
  });

  it('answers with a fault until it is cleared', async () => {
    sandbox.setFault('voucherify.customer', { status: 503 });
    const unavailable = await voucherify(sandbox, edge.rich);
    expect(unavailable.status).toBe(503);
    expect(unavailable.json).toMatchObject({ code: 503, key: 'service_unavailable' });
    // Only the faulted endpoint is affected.
    expect((await gameball(sandbox, `/${edge.rich}`, { headers: gameballHeaders(sandbox) })).status).toBe(200);

    sandbox.setFault('gameball.details', { status: 500, body: '{"oops":true}' });
    const failed = await gameball(sandbox, `/${edge.rich}/details`, { headers: gameballHeaders(sandbox, true) });
    expect([failed.status, failed.text]).toEqual([500, '{"oops":true}']);

    sandbox.setFault('imprint.customer', { malformed: true });
    const cardId = String(imprintLinkOf(voucherifyBySource(sandbox.dataset).get(edge.rich)));
    const malformed = await imprint(sandbox, cardId);
    expect(malformed.status).toBe(200);
    expect(malformed.contentType).toMatch(/^application\/json/);
    expect(malformed.json).toBeUndefined();

    sandbox.setFault('voucherify.customer', null);
    sandbox.setFault('gameball.details', null);
    sandbox.setFault('imprint.customer', null);
    expect((await voucherify(sandbox, edge.rich)).status).toBe(200);
    expect((await gameball(sandbox, `/${edge.rich}/details`, { headers: gameballHeaders(sandbox, true) })).status).toBe(
      200,
    );
    expect((await imprint(sandbox, cardId)).status).toBe(200);
    expect(() => sandbox.setFault('imprint.customer', { status: 42 })).toThrow(RangeError);
  });

  it('records every routed request, refused ones included, in order', async () => {
    sandbox.resetCalls();
    expect(sandbox.count()).toBe(0);
    await gameball(sandbox, `/${edge.rich}`, { headers: gameballHeaders(sandbox) });
    await gameball(sandbox, `/${edge.rich}/coupons`, { headers: gameballHeaders(sandbox) });
    await voucherify(sandbox, edge.rich);
    await voucherify(sandbox, edge.rich);
    await imprint(sandbox, 'NOT-A-CARD');
    await upsert(sandbox, { customerId: 'cust_new_4' });
    const expected: { endpoint: VendorEndpoint; key: string; status: number }[] = [
      { endpoint: 'gameball.profile', key: edge.rich, status: 200 },
      { endpoint: 'gameball.coupons', key: edge.rich, status: 401 },
      { endpoint: 'voucherify.customer', key: edge.rich, status: 200 },
      { endpoint: 'voucherify.customer', key: edge.rich, status: 200 },
      { endpoint: 'imprint.customer', key: 'NOT-A-CARD', status: 404 },
      { endpoint: 'gameball.upsert', key: 'cust_new_4', status: 200 },
    ];
    expect(sandbox.calls).toEqual(expected);
    expect(sandbox.count()).toBe(6);
    expect(sandbox.count('voucherify.customer')).toBe(2);
    expect(sandbox.count('voucherify.customer', edge.rich)).toBe(2);
    expect(sandbox.count('voucherify.customer', 'cust_0002')).toBe(0);
    expect(sandbox.count('gameball.upsert', 'cust_new_4')).toBe(1);
    const calls = sandbox.calls;
    sandbox.resetCalls();
    expect(calls).toBe(sandbox.calls);
    expect(sandbox.calls).toEqual([]);
  });

  it('serves what our own vendor clients call', async () => {
    const settings = sandbox.settings;
    const gameballClient = new GameballClient(settings.gameball, limits);
    const voucherifyClient = new VoucherifyClient(settings.voucherify, limits);
    const imprintClient = new ImprintClient(settings.imprint, limits);
    try {
      expect((await gameballClient.getProfile(edge.rich))?.customerId).toBe(edge.rich);
      expect((await gameballClient.getDetails(edge.rich))?.customerId).toBe(edge.rich);
      expect((await gameballClient.getCoupons(edge.rich))?.length).toBeGreaterThan(0);
      expect(await gameballClient.getRedemptionHash(edge.rich)).toMatch(/^\d{6}$/);
      expect(await gameballClient.getProfile(edge.unknown)).toBeNull();
      expect(
        await gameballClient.upsert({ customerId: 'cust_client_1', customerAttributes: { city: 'Austin' } }),
      ).toBeTypeOf('number');
      expect(await gameballClient.delete('cust_client_1')).toBe(true);
      expect(await gameballClient.delete('cust_client_1')).toBe(false);
      const promotions = await voucherifyClient.getCustomer(edge.rich);
      expect(promotions?.source_id).toBe(edge.rich);
      const cardId = promotions?.metadata?.[imprintLinkMetadataKey];
      expect((await imprintClient.getCustomer(String(cardId)))?.partner_customer_id).toBe(edge.rich);
      expect(await imprintClient.getCustomer(edge.danglingImprintLink.imprintId)).toBeNull();
    } finally {
      await Promise.all([gameballClient.close(), voucherifyClient.close(), imprintClient.close()]);
    }
  });
});

describe('every served payload', () => {
  let sandbox: SandboxVendors;

  beforeAll(async () => {
    sandbox = await startSandboxVendors();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('serves Gameball details with exactly the fields seed 002 lists: no isReferred', async (context) => {
    // Its own fakes: the test below counts every call made to the shared ones.
    const sandbox = await startSandboxVendors();
    context.onTestFinished(() => sandbox.close());
    const referred = [...sandbox.dataset.gameball.values()].find((record) => record.details.isReferred);
    expect(referred).toBeDefined();
    const path = `/${encodeURIComponent(referred!.details.customerId)}`;
    const details = await gameball(sandbox, `${path}/details`, { headers: gameballHeaders(sandbox, true) });
    expect(Object.keys(details.json as object).sort()).toEqual(
      ['customerAttributes', 'customerId', 'dynamicReferralLink', 'gameballId', 'referralCode', 'referralLink'].sort(),
    );
    // The public profile (seed 000) is where it is.
    const profile = await gameball(sandbox, path, { headers: gameballHeaders(sandbox) });
    expect(profile.json).toMatchObject({ isReferred: true });
  });

  it('passes our zod schemas, for every customer at every vendor, with no PII in public profiles', async () => {
    const problems: string[] = [];
    const check = (label: string, schema: z.ZodType, { status, json }: Exchange) => {
      if (status !== 200) problems.push(`${label}: HTTP ${status}`);
      else problems.push(...issuesOf(schema, json).map((path) => `${label}: ${path}`));
    };
    const secret = gameballHeaders(sandbox, true);
    await inBatches([...sandbox.dataset.gameball.keys()], 16, async (id) => {
      const path = `/${encodeURIComponent(id)}`;
      const profile = await gameball(sandbox, path, { headers: gameballHeaders(sandbox) });
      check(`gameball.profile ${id}`, customerProfile, profile);
      problems.push(...piiKeysIn(profile.json).map((key) => `gameball.profile ${id}: PII ${key}`));
      check(`gameball.details ${id}`, customerDetails, await gameball(sandbox, `${path}/details`, { headers: secret }));
      check(`gameball.coupons ${id}`, customerCoupons, await gameball(sandbox, `${path}/coupons`, { headers: secret }));
      check(`gameball.hash ${id}`, customerHash, await gameball(sandbox, `${path}/hash`, { headers: secret }));
    });
    await inBatches([...sandbox.dataset.voucherify.keys()], 16, async (id) => {
      check(`voucherify ${id}`, voucherifyCustomer, await voucherify(sandbox, id));
    });
    await inBatches([...sandbox.dataset.imprint.keys()], 16, async (id) => {
      check(`imprint ${id}`, imprintCustomer, await imprint(sandbox, id));
    });
    expect(problems).toEqual([]);
    expect(sandbox.count()).toBe(
      sandbox.dataset.gameball.size * 4 + sandbox.dataset.voucherify.size + sandbox.dataset.imprint.size,
    );
  });
});

describe('sandbox vendor options', () => {
  it('delays every response by latencyMs and still closes promptly', async () => {
    const sandbox = await startSandboxVendors({ latencyMs: 200, dataset: createDataset({ customers: 5 }) });
    try {
      const started = performance.now();
      const { status } = await voucherify(sandbox, edge.rich);
      expect(status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(190);
      const pending = voucherify(sandbox, edge.rich).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const closing = performance.now();
      await sandbox.close();
      expect(performance.now() - closing).toBeLessThan(150);
      expect(await pending).toBeInstanceOf(Error);
    } finally {
      await sandbox.close();
    }
  });

  it('answers 429 with Retry-After beyond a quota, every Gameball GET route counting, and not below it', async () => {
    // Windows long enough that a slow machine cannot slide them between the requests.
    const sandbox = await startSandboxVendors({
      dataset: createDataset({ customers: 5 }),
      quotas: { gameball: { limit: 4, windowMs: 5_000 }, voucherify: { limit: 3, windowMs: 5_000 } },
    });
    try {
      const profile = () => gameball(sandbox, `/${edge.rich}`, { headers: gameballHeaders(sandbox) });
      const details = () => gameball(sandbox, `/${edge.rich}/details`, { headers: gameballHeaders(sandbox, true) });
      const below = await Promise.all([profile(), details(), profile(), details()]);
      expect(below.map((exchange) => exchange.status)).toEqual([200, 200, 200, 200]);
      // Writes are not customer GETs: the quota leaves them alone.
      expect((await upsert(sandbox, { customerId: 'cust_quota' })).status).toBe(200);
      const beyond = await Promise.all([profile(), details()]);
      expect(beyond.map((exchange) => exchange.status)).toEqual([429, 429]);
      for (const { retryAfter, json } of beyond) {
        expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
        expect(Number(retryAfter)).toBeLessThanOrEqual(5);
        expect(json).toEqual({ code: 429, message: anyString });
      }

      const vouchers = await Promise.all([1, 2, 3, 4].map(() => voucherify(sandbox, edge.rich)));
      expect(vouchers.map((exchange) => exchange.status).sort()).toEqual([200, 200, 200, 429]);
      const refused = vouchers.find((exchange) => exchange.status === 429);
      expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(refused?.json).toMatchObject({ code: 429, key: 'too_many_requests', request_id: voucherifyRequestId });
      // Imprint documents no quota, and none was set.
      const cards = await Promise.all([1, 2, 3, 4, 5, 6].map(() => imprint(sandbox, edge.rich)));
      expect(cards.every((exchange) => exchange.status !== 429)).toBe(true);

      // The 429s are in the call records, for a test or the benchmark to count.
      expect(sandbox.count(undefined, undefined, 429)).toBe(3);
      expect(sandbox.count('gameball.profile', undefined, 429)).toBe(1);
      expect(sandbox.count('gameball.details', edge.rich, 429)).toBe(1);
      expect(sandbox.count('voucherify.customer')).toBe(4);
    } finally {
      await sandbox.close();
    }
  });

  it('admits calls again once the sliding window has moved on, as Retry-After says', async () => {
    const sandbox = await startSandboxVendors({
      dataset: createDataset({ customers: 5 }),
      quotas: { voucherify: { limit: 2, windowMs: 300 } },
    });
    try {
      const statuses = async (count: number) =>
        (await Promise.all(Array.from({ length: count }, () => voucherify(sandbox, edge.rich)))).map(
          (exchange) => exchange.status,
        );
      expect((await statuses(3)).sort()).toEqual([200, 200, 429]);
      // Under a second away: Retry-After rounds up to one whole second.
      expect((await voucherify(sandbox, edge.rich)).retryAfter).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await statuses(2)).sort()).toEqual([200, 200]);
    } finally {
      await sandbox.close();
    }
    // What `npm start` enforces: Gameball 100 GETs a second, Voucherify 2,000 a minute as 333 in 10 s.
    expect(documentedQuotas).toEqual({
      gameball: { limit: 100, windowMs: 1_000 },
      voucherify: { limit: 333, windowMs: 10_000 },
    });
    await expect(startSandboxVendors({ quotas: { gameball: { limit: 0, windowMs: 1_000 } } })).rejects.toThrow(
      RangeError,
    );
  });

  it('serves the dataset it is given, and refuses a negative latency', async () => {
    const dataset = createDataset({ customers: 3, seed: 9 });
    const sandbox = await startSandboxVendors({ dataset });
    try {
      expect(sandbox.dataset).toBe(dataset);
      expect((await gameball(sandbox, '/cust_0004', { headers: gameballHeaders(sandbox) })).status).toBe(404);
    } finally {
      await sandbox.close();
    }
    await expect(startSandboxVendors({ latencyMs: -1 })).rejects.toThrow(RangeError);
  });
});
