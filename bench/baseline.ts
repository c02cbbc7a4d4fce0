// The benchmark's baseline, "the practical limit": a plain node:http handler per scenario that
// makes exactly the vendor calls the scenario's query needs, in parallel where the data allows,
// over keep-alive pools, and answers the same JSON the subgraph does. No GraphQL, no auth, no
// payload validation, no resilience policies, no logs: only the vendor calls and the mapping.
//
//   POST /scenario1 {"id": "cust_0001"}
//   POST /scenario2 {"representations": [{"__typename": "Customer", "id": "cust_0001"}, …]}
//   POST /scenario3 {"ids": ["cust_0001", …]}
//
// Configured with the subgraph's variable names (GAMEBALL_BASE_URL, …, VENDOR_MAX_CONCURRENCY),
// listens on HOST:PORT (127.0.0.1, any free port by default), prints `{"url": "http://…"}` once
// listening, and exits on SIGTERM/SIGINT or when stdin closes (the parent went away).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    process.stderr.write(`bench/baseline.ts: ${name} is required\n`);
    process.exit(2);
  }
  return value;
};

const maxConcurrency = Number(env('VENDOR_MAX_CONCURRENCY', '16'));
const linkKey = env('IMPRINT_LINK_METADATA_KEY', 'imprint_customer_id');
const currencyCode = env('CURRENCY_CODE', 'USD');

// The vendor payloads, as far as the baseline reads them.
interface GameballAttributes {
  gender?: string | null;
  country?: string | null;
  city?: string | null;
  tags?: string[] | null;
  totalSpent?: number | null;
  totalOrders?: number | null;
  lastOrderDate?: string | null;
  displayName?: string | null;
  email?: string | null;
  mobile?: string | null;
  dateOfBirth?: string | null;
}
interface GameballProfile {
  gameballId?: number;
  referralCode?: string | null;
  referralLink?: string | null;
  customerAttributes?: GameballAttributes | null;
}
interface GameballCoupon {
  code: string;
  name?: string | null;
  type?: string | null;
  value?: number | null;
  currency?: string | null;
  expiryDate?: string | null;
}
interface VoucherifyAddress {
  line_1?: string | null;
  line_2?: string | null;
  city?: string | null;
  state?: string | null;
  postal_code?: string | null;
  country?: string | null;
}
interface VoucherifyCustomer {
  id: string;
  source_id?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  birthdate?: string | null;
  birthday?: string | null;
  address?: VoucherifyAddress | null;
  metadata?: Record<string, unknown> | null;
  summary: {
    orders: { total_amount: number; total_count: number; last_order_date?: string | null };
    redemptions: { total_redeemed: number; total_succeeded: number };
  } | null;
  loyalty: { points: number; campaigns: Record<string, { points?: number }> } | null;
}
interface ImprintCustomer {
  id: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  phone?: string;
  statuses?: Record<string, string>;
  date_of_birth?: { year?: number; month?: number; day?: number };
  address?: {
    street_line1?: string;
    street_line2?: string;
    city?: string;
    state?: string;
    postal_code?: string;
    country?: string;
  };
  partner_customer_id?: string;
}

class VendorFailure extends Error {}

/** One keep-alive pool per vendor, as many connections as the subgraph's VENDOR_MAX_CONCURRENCY. */
function vendor(baseUrl: string, headers: Record<string, string>) {
  const agent = new Agent({
    connections: maxConcurrency,
    keepAliveTimeout: 10_000,
    headersTimeout: 5_000,
    bodyTimeout: 5_000,
  });
  const base = baseUrl.replace(/\/+$/, '');
  const allHeaders = { accept: 'application/json', ...headers };
  return {
    agent,
    /** The JSON payload, null on 404. */
    async get<T>(path: string, extra?: Record<string, string>): Promise<T | null> {
      const { statusCode, body } = await request(base + path, {
        dispatcher: agent,
        headers: extra ? { ...allHeaders, ...extra } : allHeaders,
      });
      if (statusCode === 200) return (await body.json()) as T;
      await body.dump();
      if (statusCode === 404) return null;
      throw new VendorFailure(`${base}${path}: HTTP ${statusCode}`);
    },
  };
}

const gameball = vendor(env('GAMEBALL_BASE_URL'), { apikey: env('GAMEBALL_API_KEY') });
const gameballSecret = { secretkey: env('GAMEBALL_SECRET_KEY') };
const voucherify = vendor(env('VOUCHERIFY_BASE_URL'), {
  'x-app-id': env('VOUCHERIFY_APP_ID'),
  'x-app-token': env('VOUCHERIFY_APP_TOKEN'),
});
const imprint = vendor(env('IMPRINT_BASE_URL'), { authorization: `Bearer ${env('IMPRINT_API_KEY')}` });

const seg = encodeURIComponent;
const gameballPath = (id: string, suffix = '') => `/api/v4.0/integrations/customers/${seg(id)}${suffix}`;

const profileOf = (id: string) => gameball.get<GameballProfile>(gameballPath(id));
const detailsOf = (id: string) => gameball.get<GameballProfile>(gameballPath(id, '/details'), gameballSecret);
const couponsOf = async (id: string) =>
  (await gameball.get<{ coupons: GameballCoupon[] }>(gameballPath(id, '/coupons'), gameballSecret))?.coupons ?? null;
/** Voucherify by merchant id; a record found under another id is not this customer's. */
const promotionsOf = async (id: string) => {
  const record = await voucherify.get<VoucherifyCustomer>(`/v1/customers/${seg(id)}`);
  return record?.source_id === id ? record : null;
};
/** Imprint through the merchant's link in Voucherify; a record of another merchant id is ignored. */
async function cardHolderOf(id: string, promotions: VoucherifyCustomer | null): Promise<ImprintCustomer | null> {
  const link = promotions?.metadata?.[linkKey];
  if (typeof link !== 'string' || link === '') return null;
  const record = await imprint.get<ImprintCustomer>(`/v2/customers/${seg(link)}`);
  if (!record || (record.partner_customer_id !== undefined && record.partner_customer_id !== id)) return null;
  return record;
}

// Vendor values to the schema's, as the subgraph's resolvers do.
const money = (cents: number) => {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(cents));
  return { amount: `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`, currencyCode };
};
const moneyMajor = (amount: number | null | undefined) =>
  amount == null || !Number.isFinite(amount) ? null : money(Math.round(amount * 100));
const hasOffset = /(?:Z|[+-]\d{2}:?\d{2})$/i;
function dateTime(value: string | null | undefined): string | null {
  if (!value) return null;
  const date = new Date(hasOffset.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
function localDate(year?: number, month?: number, day?: number): string | null {
  if (!year || !month || !day) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}
function vendorLocalDate(value: string | null | undefined): string | null {
  const match = value ? /^(\d{4})-(\d{2})-(\d{2})/.exec(value) : null;
  return match ? localDate(Number(match[1]), Number(match[2]), Number(match[3])) : null;
}
function firstPresent<T>(...values: (T | null | undefined)[]): T | null {
  for (const value of values) if (value != null && value !== '') return value;
  return null;
}
const cardStatuses = new Set(['OPEN', 'CLOSED']);
const cardPrograms = (holder: ImprintCustomer | null) =>
  holder
    ? Object.entries(holder.statuses ?? {}).map(([name, status]) => ({
        name,
        status: cardStatuses.has(status) ? status : null,
      }))
    : null;
const couponTypes: Record<string, string> = {
  shipping: 'SHIPPING',
  fixed: 'FIXED',
  percentage: 'PERCENTAGE',
  product: 'PRODUCT',
  custom: 'CUSTOM',
};
function withAnyValue<T extends Record<string, unknown>>(address: T): T | null {
  return Object.values(address).some((value) => value != null && value !== '') ? address : null;
}

/** Scenario 1: profile and Voucherify at once, Imprint after Voucherify's link. */
async function scenario1(body: { id: string }) {
  const { id } = body;
  const promotionsThenCard = promotionsOf(id).then(
    async (promotions) => [promotions, await cardHolderOf(id, promotions)] as const,
  );
  const [profile, [promotions, holder]] = await Promise.all([profileOf(id), promotionsThenCard]);
  if (!profile && !promotions) return { customer: null };
  const attributes = profile?.customerAttributes;
  const orders = promotions?.summary?.orders;
  const redemptions = promotions?.summary?.redemptions;
  const loyalty = promotions?.loyalty;
  return {
    customer: {
      id,
      gameballId: profile?.gameballId === undefined ? null : String(profile.gameballId),
      gender: attributes?.gender ?? null,
      location: attributes ? { country: attributes.country ?? null, city: attributes.city ?? null } : null,
      tags: profile ? (attributes?.tags ?? []) : null,
      purchaseHistory: attributes
        ? {
            totalSpent: moneyMajor(attributes.totalSpent),
            orderCount: attributes.totalOrders ?? null,
            lastOrderAt: dateTime(attributes.lastOrderDate),
          }
        : null,
      referral: { code: profile?.referralCode ?? null, link: profile?.referralLink ?? null },
      orderSummary: orders
        ? {
            count: orders.total_count,
            totalAmount: money(orders.total_amount),
            lastOrderAt: dateTime(orders.last_order_date),
          }
        : null,
      redemptionSummary: redemptions
        ? { total: redemptions.total_redeemed, succeeded: redemptions.total_succeeded }
        : null,
      loyaltyPoints: loyalty
        ? {
            balance: loyalty.points,
            campaigns: Object.entries(loyalty.campaigns).map(([campaignName, campaign]) => ({
              campaignName,
              balance: campaign.points ?? 0,
            })),
          }
        : null,
      cardPrograms: cardPrograms(holder),
    },
  };
}

/** Scenario 2: per distinct customer, the public profile and Voucherify, all at once. */
async function scenario2(body: { representations: { id: string }[] }) {
  const distinct = [...new Set(body.representations.map((representation) => representation.id))];
  const entities = new Map(
    await Promise.all(
      distinct.map(async (id) => {
        const [profile, promotions] = await Promise.all([profileOf(id), promotionsOf(id)]);
        if (!profile && !promotions) return [id, null] as const;
        const attributes = profile?.customerAttributes;
        const orders = promotions?.summary?.orders;
        const entity = {
          __typename: 'Customer',
          id,
          gameballId: profile?.gameballId === undefined ? null : String(profile.gameballId),
          gender: attributes?.gender ?? null,
          location: attributes ? { country: attributes.country ?? null, city: attributes.city ?? null } : null,
          purchaseHistory: attributes
            ? { totalSpent: moneyMajor(attributes.totalSpent), orderCount: attributes.totalOrders ?? null }
            : null,
          referral: { code: profile?.referralCode ?? null },
          orderSummary: orders ? { count: orders.total_count, totalAmount: money(orders.total_amount) } : null,
          loyaltyPoints: promotions?.loyalty ? { balance: promotions.loyalty.points } : null,
        };
        return [id, entity] as const;
      }),
    ),
  );
  return { _entities: body.representations.map((representation) => entities.get(representation.id) ?? null) };
}

/** Scenario 3: per distinct customer, details, coupons and Voucherify at once, Imprint after the link. */
async function scenario3(body: { ids: string[] }) {
  const customers = new Map(
    await Promise.all(
      [...new Set(body.ids)].map(async (id) => {
        const promotionsThenCard = promotionsOf(id).then(
          async (promotions) => [promotions, await cardHolderOf(id, promotions)] as const,
        );
        const [details, coupons, [promotions, holder]] = await Promise.all([
          detailsOf(id),
          couponsOf(id),
          promotionsThenCard,
        ]);
        if (!details && !coupons && !promotions) return [id, null] as const;
        const attributes = details?.customerAttributes;
        const born = holder?.date_of_birth;
        const vAddress = promotions?.address;
        const iAddress = holder?.address;
        const customer = {
          id,
          displayName: firstPresent(
            attributes?.displayName,
            promotions?.name,
            [holder?.first_name, holder?.last_name].filter(Boolean).join(' '),
          ),
          email: firstPresent(attributes?.email, promotions?.email, holder?.email),
          phone: firstPresent(attributes?.mobile, promotions?.phone, holder?.phone),
          dateOfBirth: firstPresent(
            vendorLocalDate(attributes?.dateOfBirth),
            vendorLocalDate(promotions?.birthdate ?? promotions?.birthday),
            localDate(born?.year, born?.month, born?.day),
          ),
          address: firstPresent(
            vAddress
              ? withAnyValue({
                  line1: vAddress.line_1 ?? null,
                  line2: vAddress.line_2 ?? null,
                  city: vAddress.city ?? null,
                  region: vAddress.state ?? null,
                  postalCode: vAddress.postal_code ?? null,
                  country: vAddress.country ?? null,
                })
              : null,
            iAddress
              ? withAnyValue({
                  line1: iAddress.street_line1 ?? null,
                  line2: iAddress.street_line2 ?? null,
                  city: iAddress.city ?? null,
                  region: iAddress.state ?? null,
                  postalCode: iAddress.postal_code ?? null,
                  country: iAddress.country ?? null,
                })
              : null,
          ),
          coupons:
            coupons?.map((coupon) => ({
              code: coupon.code,
              name: coupon.name ?? null,
              type: couponTypes[coupon.type?.toLowerCase() ?? ''] ?? null,
              value: coupon.value ?? null,
              currency: coupon.currency ?? null,
              expiresAt: dateTime(coupon.expiryDate),
            })) ?? null,
          cardPrograms: cardPrograms(holder),
        };
        return [id, customer] as const;
      }),
    ),
  );
  return { customers: body.ids.map((id) => customers.get(id) ?? null) };
}

const handlers: Record<string, (body: never) => Promise<unknown>> = {
  '/scenario1': scenario1,
  '/scenario2': scenario2,
  '/scenario3': scenario3,
};

function send(response: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

const server = createServer((request, response) => {
  const handler = request.method === 'POST' ? handlers[request.url ?? ''] : undefined;
  if (!handler) {
    request.resume();
    return send(response, 404, { error: 'POST /scenario1, /scenario2 or /scenario3' });
  }
  readJson(request)
    .then((body) => handler(body as never))
    .then(
      (data) => send(response, 200, { data }),
      (error: unknown) => send(response, error instanceof VendorFailure ? 502 : 500, { error: String(error) }),
    );
});

await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(env('PORT', '0')), env('HOST', '127.0.0.1'), () => resolve());
});
const address = server.address() as AddressInfo;

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  server.close();
  void Promise.all([gameball.agent.close(), voucherify.agent.close(), imprint.agent.close()]).finally(() =>
    process.exit(0),
  );
  setTimeout(() => process.exit(0), 2_000).unref();
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

process.stdout.write(`${JSON.stringify({ url: `http://${address.address}:${address.port}` })}\n`);
