// The benchmark's baseline, "the practical limit": a plain node:http handler per scenario that
// makes exactly the vendor calls the scenario's query needs, in parallel where the data allows,
// over keep-alive pools (bench/plainVendors.ts), and answers the same JSON the subgraph does,
// with src's conversions (src/resolvers/conversions.ts). No GraphQL, auth, payload validation,
// resilience policies or logs.
//
//   POST /scenario1 {"id": "cust_0001"}
//   POST /scenario2 {"representations": [{"__typename": "Customer", "id": "cust_0001"}, …]}
//   POST /scenario3 {"ids": ["cust_0001", …]}
//
// Configured with the subgraph's variables; prints `{"url": "http://…"}` once listening.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { GameballCoupon, GameballProfile } from '../src/vendors/gameball/payloads.js';
import type { ImprintCustomer } from '../src/vendors/imprint/payloads.js';
import type { VoucherifyCustomer } from '../src/vendors/voucherify/payloads.js';
import {
  localDate,
  moneyFromCents,
  moneyFromMajorUnits,
  vendorDateTime,
  vendorLocalDate,
} from '../src/resolvers/conversions.js';
import { cardHolderOf, config, promotionsOf, read, serve } from './plainVendors.js';

const { currencyCode } = config;
const dateTime = (value: string | null | undefined) => vendorDateTime(value)?.toISOString() ?? null;
/** The first value that is neither null nor empty, as the subgraph's fallbacks take them. */
const firstOf = <T>(...values: (T | null | undefined)[]): T | null =>
  values.find((value) => value != null && value !== '') ?? null;
const cardStatuses = new Set(['OPEN', 'CLOSED']);
const couponTypes = new Set(['SHIPPING', 'FIXED', 'PERCENTAGE', 'PRODUCT', 'CUSTOM']);

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

const cardPrograms = (holder: ImprintCustomer | null) =>
  holder &&
  Object.entries(holder.statuses ?? {}).map(([name, status]) => ({
    name,
    status: cardStatuses.has(status) ? status : null,
  }));

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
    cardPrograms: cardPrograms(holder),
  };
  return { customer };
}

/** Scenario 2: per distinct customer, the public profile and Voucherify, all at once. */
async function scenario2({ representations }: { representations: { id: string }[] }) {
  const entities = await byDistinctId(
    representations.map(({ id }) => id),
    async (id) => {
      const [profile, promotions] = await Promise.all([read('gameball.profile', id), promotionsOf(id)]);
      if (!profile && !promotions) return null;
      const loyaltyPoints = promotions?.loyalty ? { balance: promotions.loyalty.points } : null;
      const referral = { code: profile?.referralCode ?? null };
      return { __typename: 'Customer', id, ...publicFields(profile, promotions), referral, loyaltyPoints };
    },
  );
  return { _entities: representations.map(({ id }) => entities.get(id) ?? null) };
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
    const born = holder?.date_of_birth;
    const [atVoucherify, atImprint] = [promotions?.address, holder?.address];
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
        atVoucherify && address(atVoucherify.line_1, atVoucherify.line_2, atVoucherify),
        atImprint && address(atImprint.street_line1, atImprint.street_line2, atImprint),
      ),
      coupons: coupons?.coupons.map(coupon) ?? null,
      cardPrograms: cardPrograms(holder),
    };
  });
  return { customers: ids.map((id) => customers.get(id) ?? null) };
}

/** Voucherify and Imprint name all but the street lines alike; an address with every line empty is none. */
function address(
  line1: string | null | undefined,
  line2: string | null | undefined,
  { city, state, postal_code, country }: Partial<Record<'city' | 'state' | 'postal_code' | 'country', string | null>>,
) {
  const lines = { line1, line2, city, region: state, postalCode: postal_code, country };
  if (!Object.values(lines).some((value) => value != null && value !== '')) return null;
  return Object.fromEntries(Object.entries(lines).map(([name, value]) => [name, value ?? null]));
}

function coupon({ code, name, type, value, currency, expiryDate }: GameballCoupon) {
  const upper = type?.toUpperCase() ?? '';
  const known = couponTypes.has(upper) ? upper : null;
  return {
    code,
    name: name ?? null,
    type: known,
    value: value ?? null,
    currency: currency ?? null,
    expiresAt: dateTime(expiryDate),
  };
}

async function byDistinctId<T>(ids: string[], answer: (id: string) => Promise<T>): Promise<Map<string, T>> {
  return new Map(await Promise.all([...new Set(ids)].map(async (id) => [id, await answer(id)] as const)));
}

const scenarios: Record<string, ((body: never) => Promise<unknown>) | undefined> = {
  '/scenario1': scenario1,
  '/scenario2': scenario2,
  '/scenario3': scenario3,
};

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  const scenario = request.method === 'POST' ? scenarios[request.url ?? ''] : undefined;
  const [status, payload] = scenario
    ? await scenario(JSON.parse(Buffer.concat(chunks).toString('utf8')) as never).then(
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
}

await serve(createServer((request, response) => void handle(request, response).catch(() => response.destroy())));
