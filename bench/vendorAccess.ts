// What the benchmark's two references share: the baseline (bench/baseline.ts) and the plain Apollo
// server (bench/plainApollo.ts) read the same settings, call the vendors the same way and map their
// records to the schema's values with the same functions, so that their answers can differ only
// where their stacks do. Importing this module starts nothing: the pools exist once a server asks
// for them (vendorEndpoints).
import { Agent, request } from 'undici';
import type { components as ImprintApi } from '../src/generated/imprint.js';

// ---------------------------------------------------------------------------------------------
// Settings

export interface Settings {
  gameball: { baseUrl: string; apiKey: string; secretKey: string };
  voucherify: { baseUrl: string; appId: string; appToken: string };
  imprint: { baseUrl: string; apiKey: string };
  imprintLinkKey: string;
  currencyCode: string;
  /** Connections per vendor pool, as the subgraph's VENDOR_MAX_CONCURRENCY. */
  maxConcurrency: number;
  host: string;
  port: number;
}

/** The subgraph's variable names (GAMEBALL_BASE_URL, …) and HOST/PORT; a missing one stops `script`. */
export function settingsFromEnv(script: string): Settings {
  const env = (name: string, fallback?: string): string => {
    const value = process.env[name] ?? fallback;
    if (value === undefined || value === '') {
      process.stderr.write(`${script}: ${name} is required\n`);
      process.exit(2);
    }
    return value;
  };
  return {
    gameball: {
      baseUrl: env('GAMEBALL_BASE_URL'),
      apiKey: env('GAMEBALL_API_KEY'),
      secretKey: env('GAMEBALL_SECRET_KEY'),
    },
    voucherify: {
      baseUrl: env('VOUCHERIFY_BASE_URL'),
      appId: env('VOUCHERIFY_APP_ID'),
      appToken: env('VOUCHERIFY_APP_TOKEN'),
    },
    imprint: { baseUrl: env('IMPRINT_BASE_URL'), apiKey: env('IMPRINT_API_KEY') },
    imprintLinkKey: env('IMPRINT_LINK_METADATA_KEY', 'imprint_customer_id'),
    currencyCode: env('CURRENCY_CODE', 'USD'),
    maxConcurrency: Number(env('VENDOR_MAX_CONCURRENCY', '16')),
    host: env('HOST', '127.0.0.1'),
    port: Number(env('PORT', '0')),
  };
}

// ---------------------------------------------------------------------------------------------
// The vendor payloads, as far as the scenarios read them

export interface GameballAttributes {
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
export interface GameballProfile {
  gameballId?: number;
  referralCode?: string | null;
  referralLink?: string | null;
  customerAttributes?: GameballAttributes | null;
}
export interface GameballCoupon {
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
interface VoucherifyOrders {
  total_amount: number;
  total_count: number;
  last_order_date?: string | null;
}
export interface VoucherifyCustomer {
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
    orders: VoucherifyOrders;
    redemptions: { total_redeemed: number; total_succeeded: number };
  } | null;
  loyalty: { points: number; campaigns: Record<string, { points?: number }> } | null;
}
type ImprintAddress = ImprintApi['schemas']['Address'];
export interface ImprintCustomer {
  id: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  phone?: string;
  statuses?: Record<string, string>;
  date_of_birth?: { year?: number; month?: number; day?: number };
  address?: ImprintAddress;
  partner_customer_id?: string;
}

// ---------------------------------------------------------------------------------------------
// Vendor access

/** A vendor answered neither 200 nor 404. */
export class VendorFailure extends Error {}

/** One function per vendor endpoint the scenarios read: its JSON payload, null on 404. */
export interface Endpoints {
  gameballProfile: (id: string) => Promise<GameballProfile | null>;
  gameballDetails: (id: string) => Promise<GameballProfile | null>;
  gameballCoupons: (id: string) => Promise<GameballCoupon[] | null>;
  /** Voucherify answers to its own ids and to merchant (source) ids alike. */
  voucherifyCustomer: (id: string) => Promise<VoucherifyCustomer | null>;
  imprintCustomer: (imprintId: string) => Promise<ImprintCustomer | null>;
}

/** One keep-alive pool per vendor, as many connections as the subgraph's VENDOR_MAX_CONCURRENCY. */
function pool(baseUrl: string, headers: Record<string, string>, connections: number) {
  const agent = new Agent({ connections, keepAliveTimeout: 10_000, headersTimeout: 5_000, bodyTimeout: 5_000 });
  const base = baseUrl.replace(/\/+$/, '');
  const allHeaders = { accept: 'application/json', ...headers };
  return {
    agent,
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

/** The endpoints over their pools; `close` ends the pools. */
export function vendorEndpoints(settings: Settings): Endpoints & { close(): Promise<void> } {
  const { maxConcurrency } = settings;
  const gameball = pool(settings.gameball.baseUrl, { apikey: settings.gameball.apiKey }, maxConcurrency);
  const gameballSecret = { secretkey: settings.gameball.secretKey };
  const voucherify = pool(
    settings.voucherify.baseUrl,
    { 'x-app-id': settings.voucherify.appId, 'x-app-token': settings.voucherify.appToken },
    maxConcurrency,
  );
  const imprint = pool(
    settings.imprint.baseUrl,
    { authorization: `Bearer ${settings.imprint.apiKey}` },
    maxConcurrency,
  );
  const seg = encodeURIComponent;
  // As the client calls them: the profile under /api/v4.0, the others under /api/v4 (openapi/gameball.yaml).
  const gameballPath = (id: string, suffix = '') =>
    `/api/${suffix ? 'v4' : 'v4.0'}/integrations/customers/${seg(id)}${suffix}`;
  return {
    gameballProfile: (id) => gameball.get(gameballPath(id)),
    gameballDetails: (id) => gameball.get(gameballPath(id, '/details'), gameballSecret),
    gameballCoupons: async (id) =>
      (await gameball.get<{ coupons: GameballCoupon[] }>(gameballPath(id, '/coupons'), gameballSecret))?.coupons ??
      null,
    voucherifyCustomer: (id) => voucherify.get(`/v1/customers/${seg(id)}`),
    imprintCustomer: (imprintId) => imprint.get(`/v2/customers/${seg(imprintId)}`),
    async close() {
      await Promise.all([gameball.agent.close(), voucherify.agent.close(), imprint.agent.close()]);
    },
  };
}

/** A customer's records by merchant id. */
export interface CustomerRecords {
  profileOf: (id: string) => Promise<GameballProfile | null>;
  detailsOf: (id: string) => Promise<GameballProfile | null>;
  couponsOf: (id: string) => Promise<GameballCoupon[] | null>;
  promotionsOf: (id: string) => Promise<VoucherifyCustomer | null>;
  /** Voucherify, then Imprint through the merchant's link in it. */
  promotionsAndCardHolder: (
    id: string,
  ) => Promise<{ promotions: VoucherifyCustomer | null; holder: ImprintCustomer | null }>;
}

/**
 * A customer's records through `endpoints`: the vendors themselves, or a request's loaders. Only
 * the merchant's own records count: a Voucherify record found under another id, or an Imprint
 * record of another merchant id, is not this customer's.
 */
export function customerRecords(endpoints: Endpoints, imprintLinkKey: string): CustomerRecords {
  const promotionsOf = async (id: string) => {
    const record = await endpoints.voucherifyCustomer(id);
    return record?.source_id === id ? record : null;
  };
  const cardHolderOf = async (id: string, promotions: VoucherifyCustomer | null) => {
    const link = promotions?.metadata?.[imprintLinkKey];
    if (typeof link !== 'string' || link === '') return null;
    const record = await endpoints.imprintCustomer(link);
    if (!record || (record.partner_customer_id !== undefined && record.partner_customer_id !== id)) return null;
    return record;
  };
  return {
    profileOf: endpoints.gameballProfile,
    detailsOf: endpoints.gameballDetails,
    couponsOf: endpoints.gameballCoupons,
    promotionsOf,
    async promotionsAndCardHolder(id) {
      const promotions = await promotionsOf(id);
      return { promotions, holder: await cardHolderOf(id, promotions) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Vendor values to the schema's, as the subgraph's resolvers map them

/** Per source record, one function per Customer field it serves. */
export type Fields<Source> = Record<string, (source: Source) => unknown>;

/** What the personal fields read: Gameball's details first, then Voucherify's and Imprint's records. */
export interface PersonalRecords {
  details: GameballProfile | null;
  promotions: VoucherifyCustomer | null;
  holder: ImprintCustomer | null;
}

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
function withAnyValue<T extends Record<string, unknown>>(address: T): T | null {
  return Object.values(address).some((value) => value != null && value !== '') ? address : null;
}
/** An address under the schema's names (Voucherify and Imprint name all but the street lines alike); null when empty. */
function address(
  line1: string | null | undefined,
  line2: string | null | undefined,
  { city, state, postal_code, country }: Pick<VoucherifyAddress, 'city' | 'state' | 'postal_code' | 'country'>,
) {
  return withAnyValue({
    line1: line1 ?? null,
    line2: line2 ?? null,
    city: city ?? null,
    region: state ?? null,
    postalCode: postal_code ?? null,
    country: country ?? null,
  });
}
const cardStatuses = new Set(['OPEN', 'CLOSED']);
const couponTypes: Record<string, string> = {
  shipping: 'SHIPPING',
  fixed: 'FIXED',
  percentage: 'PERCENTAGE',
  product: 'PRODUCT',
  custom: 'CUSTOM',
};

/**
 * The Customer fields per source record (nested objects whole), with amounts in `currencyCode`.
 * The baseline calls them for the fields a scenario selects; the plain Apollo server makes them its
 * Customer field resolvers.
 */
export function customerFields(currencyCode: string) {
  const money = (cents: number) => {
    const sign = cents < 0 ? '-' : '';
    const abs = Math.abs(Math.trunc(cents));
    return { amount: `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`, currencyCode };
  };
  const moneyMajor = (amount: number | null | undefined) =>
    amount == null || !Number.isFinite(amount) ? null : money(Math.round(amount * 100));

  // The summaries' totals alone: what the entity fetch (scenario 2) selects of them.
  const purchaseTotals = (attributes: GameballAttributes) => ({
    totalSpent: moneyMajor(attributes.totalSpent),
    orderCount: attributes.totalOrders ?? null,
  });
  const orderTotals = (orders: VoucherifyOrders) => ({
    count: orders.total_count,
    totalAmount: money(orders.total_amount),
  });

  /** From Gameball's profile: the public one, or the details (a superset). */
  const profileFields = {
    gameballId: (profile) => (profile?.gameballId === undefined ? null : String(profile.gameballId)),
    gender: (profile) => profile?.customerAttributes?.gender ?? null,
    location: (profile) => {
      const attributes = profile?.customerAttributes;
      return attributes ? { country: attributes.country ?? null, city: attributes.city ?? null } : null;
    },
    tags: (profile) => (profile ? (profile.customerAttributes?.tags ?? []) : null),
    purchaseHistory: (profile) => {
      const attributes = profile?.customerAttributes;
      return attributes ? { ...purchaseTotals(attributes), lastOrderAt: dateTime(attributes.lastOrderDate) } : null;
    },
    referral: (profile) => ({ code: profile?.referralCode ?? null, link: profile?.referralLink ?? null }),
  } satisfies Fields<GameballProfile | null>;

  /** From the merchant's Voucherify record. */
  const promotionFields = {
    orderSummary: (promotions) => {
      const orders = promotions?.summary?.orders;
      return orders ? { ...orderTotals(orders), lastOrderAt: dateTime(orders.last_order_date) } : null;
    },
    redemptionSummary: (promotions) => {
      const redemptions = promotions?.summary?.redemptions;
      return redemptions ? { total: redemptions.total_redeemed, succeeded: redemptions.total_succeeded } : null;
    },
    loyaltyPoints: (promotions) => {
      const loyalty = promotions?.loyalty;
      return loyalty
        ? {
            balance: loyalty.points,
            campaigns: Object.entries(loyalty.campaigns).map(([campaignName, campaign]) => ({
              campaignName,
              balance: campaign.points ?? 0,
            })),
          }
        : null;
    },
  } satisfies Fields<VoucherifyCustomer | null>;

  /** Personal data: the first vendor that has it. */
  const personalFields = {
    displayName: ({ details, promotions, holder }) =>
      firstPresent(
        details?.customerAttributes?.displayName,
        promotions?.name,
        [holder?.first_name, holder?.last_name].filter(Boolean).join(' '),
      ),
    email: ({ details, promotions, holder }) =>
      firstPresent(details?.customerAttributes?.email, promotions?.email, holder?.email),
    phone: ({ details, promotions, holder }) =>
      firstPresent(details?.customerAttributes?.mobile, promotions?.phone, holder?.phone),
    dateOfBirth: ({ details, promotions, holder }) => {
      const born = holder?.date_of_birth;
      return firstPresent(
        vendorLocalDate(details?.customerAttributes?.dateOfBirth),
        vendorLocalDate(promotions?.birthdate ?? promotions?.birthday),
        localDate(born?.year, born?.month, born?.day),
      );
    },
    address: ({ promotions, holder }) => {
      const atVoucherify = promotions?.address;
      const atImprint = holder?.address;
      return firstPresent(
        atVoucherify ? address(atVoucherify.line_1, atVoucherify.line_2, atVoucherify) : null,
        atImprint ? address(atImprint.street_line1, atImprint.street_line2, atImprint) : null,
      );
    },
  } satisfies Fields<PersonalRecords>;

  /** From the Imprint card holder. */
  const cardFields = {
    cardPrograms: (holder) =>
      holder
        ? Object.entries(holder.statuses ?? {}).map(([name, status]) => ({
            name,
            status: cardStatuses.has(status) ? status : null,
          }))
        : null,
  } satisfies Fields<ImprintCustomer | null>;

  /** From Gameball's coupons. */
  const couponFields = {
    coupons: (coupons) =>
      coupons?.map((coupon) => ({
        code: coupon.code,
        name: coupon.name ?? null,
        type: couponTypes[coupon.type?.toLowerCase() ?? ''] ?? null,
        value: coupon.value ?? null,
        currency: coupon.currency ?? null,
        expiresAt: dateTime(coupon.expiryDate),
      })) ?? null,
  } satisfies Fields<GameballCoupon[] | null>;

  return { profileFields, promotionFields, personalFields, cardFields, couponFields, purchaseTotals, orderTotals };
}
