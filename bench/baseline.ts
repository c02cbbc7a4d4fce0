// The benchmark's baseline, "the practical limit": a plain node:http handler per scenario that
// makes exactly the vendor calls the scenario's query needs, in parallel where the data allows,
// over keep-alive pools (bench/plainVendors.ts), and answers the same JSON as the subgraph with
// src's conversions. No GraphQL, auth, payload validation, resilience policies or logs.
//
//   POST /scenario1 {"id": "cust_0001"}
//   POST /scenario2 {"representations": [{"__typename": "Customer", "id": "cust_0001"}, …]}
//   POST /scenario3 {"ids": ["cust_0001", …]}
import type { GameballProfile } from '../src/vendors/gameball/payloads.js';
import type { VoucherifyCustomer } from '../src/vendors/voucherify/payloads.js';
import { couponTypeOf } from '../src/resolvers/Coupon.js';
import { cardProgramsOf, postalAddress } from '../src/resolvers/Customer.js';
import {
  isPresent,
  localDate,
  moneyFromCents,
  moneyFromMajorUnits,
  vendorDateTime,
  vendorLocalDate,
} from '../src/resolvers/conversions.js';
import { cardHolderOf, config, promotionsOf, read, serve } from './plainVendors.js';

const { currencyCode } = config;
// The DateTime scalar's serialisation.
const dateTime = (value: string | null | undefined) => vendorDateTime(value)?.toISOString() ?? null;
/** The first value a field shows, as the subgraph's fallbacks pick it. */
const firstOf = <T>(...values: T[]) => values.find(isPresent) ?? null;

/** Voucherify, then Imprint through its link. */
async function records(id: string) {
  const promotions = await promotionsOf(id);
  return { promotions, holder: await cardHolderOf(id, promotions) };
}

/** The public fields scenarios 1 and 2 both select, whole (of the summaries, the totals). */
function publicFields(profile: GameballProfile | null, promotions: VoucherifyCustomer | null) {
  const attributes = profile?.customerAttributes;
  const orders = promotions?.summary?.orders;
  return {
    gameballId: profile?.gameballId?.toString() ?? null,
    gender: attributes?.gender ?? null,
    location: attributes ? { country: attributes.country ?? null, city: attributes.city ?? null } : null,
    purchaseHistory: attributes
      ? {
          totalSpent: moneyFromMajorUnits(attributes.totalSpent, currencyCode),
          orderCount: attributes.totalOrders ?? null,
        }
      : null,
    orderSummary: orders
      ? { count: orders.total_count, totalAmount: moneyFromCents(orders.total_amount, currencyCode) }
      : null,
  };
}

/** Scenario 1: profile and Voucherify at once, Imprint after Voucherify's link. */
async function scenario1({ id }: { id: string }) {
  const [profile, { promotions, holder }] = await Promise.all([read('gameball.profile', id), records(id)]);
  if (!profile && !promotions) return { customer: null };
  const fields = publicFields(profile, promotions);
  const lastOrderAt = profile?.customerAttributes?.lastOrderDate;
  const { orders, redemptions } = promotions?.summary ?? {};
  const loyalty = promotions?.loyalty ?? null;
  const customer = {
    id,
    ...fields,
    tags: profile ? (profile.customerAttributes?.tags ?? []) : null,
    purchaseHistory: fields.purchaseHistory && { ...fields.purchaseHistory, lastOrderAt: dateTime(lastOrderAt) },
    referral: { code: profile?.referralCode ?? null, link: profile?.referralLink ?? null },
    orderSummary: fields.orderSummary && { ...fields.orderSummary, lastOrderAt: dateTime(orders?.last_order_date) },
    redemptionSummary: redemptions
      ? { total: redemptions.total_redeemed, succeeded: redemptions.total_succeeded }
      : null,
    loyaltyPoints: loyalty && {
      balance: loyalty.points,
      campaigns: Object.entries(loyalty.campaigns).map(([campaignName, { points }]) => ({
        campaignName,
        balance: points ?? 0,
      })),
    },
    cardPrograms: holder && cardProgramsOf(holder),
  };
  return { customer };
}

/** Per distinct id, `answer`'s value, all at once. */
async function byDistinctId<T>(ids: string[], answer: (id: string) => Promise<T>) {
  const answers = new Map(await Promise.all([...new Set(ids)].map(async (id) => [id, await answer(id)] as const)));
  return ids.map((id) => answers.get(id) ?? null);
}

/** Scenario 2: per distinct customer, the public profile and Voucherify, all at once. */
async function scenario2({ representations }: { representations: { id: string }[] }) {
  const ids = representations.map(({ id }) => id);
  const _entities = await byDistinctId(ids, async (id) => {
    const [profile, promotions] = await Promise.all([read('gameball.profile', id), promotionsOf(id)]);
    if (!profile && !promotions) return null;
    const loyaltyPoints = promotions?.loyalty ? { balance: promotions.loyalty.points } : null;
    const referral = { code: profile?.referralCode ?? null };
    return { __typename: 'Customer', id, ...publicFields(profile, promotions), referral, loyaltyPoints };
  });
  return { _entities };
}

/** Scenario 3: per distinct customer, details, coupons and Voucherify at once, Imprint after the link. */
async function scenario3({ ids }: { ids: string[] }) {
  const customers = await byDistinctId(ids, async (id) => {
    const [details, coupons, { promotions, holder }] = await Promise.all([
      read('gameball.details', id),
      read('gameball.coupons', id),
      records(id),
    ]);
    if (!details && !coupons && !promotions) return null;
    const attributes = details?.customerAttributes;
    const [born, atVoucherify, atImprint] = [holder?.date_of_birth, promotions?.address, holder?.address];
    return {
      id,
      displayName: firstOf(
        attributes?.displayName,
        promotions?.name,
        [holder?.first_name, holder?.last_name].filter(Boolean).join(' '),
      ),
      email: firstOf(attributes?.email, promotions?.email, holder?.email),
      phone: firstOf(attributes?.mobile, promotions?.phone, holder?.phone),
      dateOfBirth: firstOf(
        vendorLocalDate(attributes?.dateOfBirth),
        vendorLocalDate(promotions?.birthdate ?? promotions?.birthday),
        localDate(born?.year, born?.month, born?.day),
      ),
      address: firstOf(
        atVoucherify && postalAddress(atVoucherify.line_1, atVoucherify.line_2, atVoucherify),
        atImprint && postalAddress(atImprint.street_line1, atImprint.street_line2, atImprint),
      ),
      coupons:
        coupons?.coupons.map(({ code, name, type, value, currency, expiryDate }) => ({
          code,
          name: name ?? null,
          type: couponTypeOf(type),
          value: value ?? null,
          currency: currency ?? null,
          expiresAt: dateTime(expiryDate),
        })) ?? null,
      cardPrograms: holder && cardProgramsOf(holder),
    };
  });
  return { customers };
}

const scenarios: Record<string, ((body: never) => Promise<unknown>) | undefined> = {
  '/scenario1': scenario1,
  '/scenario2': scenario2,
  '/scenario3': scenario3,
};

await serve(async (request, body, response) => {
  const scenario = request.method === 'POST' ? scenarios[request.url ?? ''] : undefined;
  const [status, payload] = scenario
    ? await scenario(body as never).then(
        (data) => [200, { data }] as const,
        (error: unknown) => [502, { error: String(error) }] as const,
      )
    : [404, { error: 'POST /scenario1, /scenario2 or /scenario3' }];
  const text = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
});
