// What the API should answer, derived from the sandbox dataset (the payloads the fakes serve) and
// the schema's documented rules, written independently of the resolvers: cents and major units are
// formatted by string/`toFixed` arithmetic, dates by their documented formats. The shape follows
// `everyCustomerField` in test/support/queries.ts.
import {
  imprintLinkMetadataKey,
  type GameballCouponRecord,
  type GameballRecord,
  type ImprintRecord,
  type SandboxDataset,
  type VoucherifyRecord,
} from '../../src/sandbox/dataset.js';

/** The currency the subgraph reports amounts in (CURRENCY_CODE, default USD). */
export const currencyCode = 'USD';

export interface Money {
  amount: string;
  currencyCode: string;
}

/** Integer cents (Voucherify) as a decimal string, by string surgery rather than division. */
export function moneyFromCents(cents: number, currency = currencyCode): Money {
  if (!Number.isInteger(cents)) throw new Error('the dataset holds a non-integer cent amount');
  const digits = String(Math.abs(cents)).padStart(3, '0');
  return { amount: `${cents < 0 ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`, currencyCode: currency };
}

/** Major units (Gameball) as a decimal string with two decimals. */
export function moneyFromMajor(amount: number | null | undefined, currency = currencyCode): Money | null {
  return amount == null ? null : { amount: amount.toFixed(2), currencyCode: currency };
}

const gameballDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/**
 * A vendor timestamp as the API's ISO-8601 UTC form. Gameball's have no zone (`2024-09-15T00:00:00`)
 * and are read as UTC; others carry their offset.
 */
export function isoDateTime(value: string | null | undefined): string | null {
  if (value == null || value === '') return null;
  if (gameballDateTime.test(value)) return `${value}.000Z`;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new Error('the dataset holds an unparseable timestamp');
  return new Date(time).toISOString();
}

/** `YYYY-MM-DD` from `1985-10-25` or `1985-10-25T00:00:00`. */
export function localDate(value: string | null | undefined): string | null {
  const match = value ? /^(\d{4}-\d{2}-\d{2})/.exec(value) : null;
  return match?.[1] ?? null;
}

function pad(value: number, length: number): string {
  return String(value).padStart(length, '0');
}

/** First non-empty value, as the PII fallbacks (Gameball, then Voucherify, then Imprint) pick. */
function firstPresent<T>(...values: (T | null | undefined | '')[]): T | null {
  for (const value of values) if (value != null && value !== '') return value;
  return null;
}

/** The Voucherify record whose source_id is this merchant id. */
export function voucherifyOf(dataset: SandboxDataset, merchantId: string): VoucherifyRecord | undefined {
  return [...dataset.voucherify.values()].find((record) => record.source_id === merchantId);
}

export function gameballOf(dataset: SandboxDataset, merchantId: string): GameballRecord | undefined {
  return dataset.gameball.get(merchantId);
}

/** The Imprint id the merchant linked in Voucherify metadata, if any. */
export function imprintLinkOf(dataset: SandboxDataset, merchantId: string): string | null {
  const link = voucherifyOf(dataset, merchantId)?.metadata?.[imprintLinkMetadataKey];
  return typeof link === 'string' && link !== '' ? link : null;
}

/**
 * The customer's own Imprint record: the linked one (or the one looked up by Imprint id), unless
 * it is missing or its partner_customer_id names another merchant id.
 */
export function cardHolderOf(
  dataset: SandboxDataset,
  merchantId: string,
  imprintId?: string | null,
): ImprintRecord | null {
  const id = imprintId ?? imprintLinkOf(dataset, merchantId);
  const record = id ? dataset.imprint.get(id) : undefined;
  if (!record) return null;
  if (record.partner_customer_id !== undefined && record.partner_customer_id !== merchantId) return null;
  return record;
}

/** Whether any vendor keyed by merchant id (Gameball, Voucherify) knows the customer. */
export function isKnown(dataset: SandboxDataset, merchantId: string): boolean {
  return dataset.gameball.has(merchantId) || voucherifyOf(dataset, merchantId) !== undefined;
}

export function expectedCoupon(coupon: GameballCouponRecord) {
  const currency = coupon.currency ?? currencyCode;
  return {
    code: coupon.code,
    name: coupon.name ?? null,
    type: coupon.type ? coupon.type.toUpperCase() : null,
    target: coupon.target ? coupon.target.toUpperCase() : null,
    value: coupon.value ?? null,
    currency: coupon.currency ?? null,
    maxDiscount: moneyFromMajor(coupon.capping, currency),
    minOrderValue: moneyFromMajor(coupon.minOrderValue, currency),
    startsAt: isoDateTime(coupon.startDate),
    expiresAt: isoDateTime(coupon.expiryDate),
    isExpired: coupon.isExpired ?? null,
    isActive: coupon.isActive ?? null,
    isAvailable: availabilityFlagOf(coupon),
    isManual: coupon.isManualCoupon ?? null,
    usageLimit: coupon.usageLimit ?? null,
    limitPerCustomer: coupon.limitPerCustomer ?? null,
    usedCount: coupon.usedCount ?? null,
    customerUsedCount: coupon.customerUsedCount ?? null,
    entitlements: {
      productIds: coupon.entitledProductIds ?? [],
      variantIds: coupon.entitledVariantIds ?? [],
      collectionIds: coupon.entitledCollectionIds ?? [],
      merchantIds: coupon.entitledMerchantIds ?? [],
      platforms: coupon.entitledPlatforms ?? [],
    },
    combinesWith: {
      orderDiscounts: coupon.combinesWith?.orderDiscounts ?? null,
      productDiscounts: coupon.combinesWith?.productDiscounts ?? null,
      shippingDiscounts: coupon.combinesWith?.shippingDiscounts ?? null,
    },
    group: coupon.group
      ? { handle: coupon.group.handle ?? null, url: coupon.group.url ?? null, iconPath: coupon.group.iconPath ?? null }
      : null,
  };
}

/** Gameball's availability flag, under either of its documented spellings. */
export function availabilityFlagOf(coupon: GameballCouponRecord): boolean {
  const flag = coupon.isAvaliableToUse ?? coupon.isAvlaibleToUse;
  // Every sandbox coupon carries the flag; without it the expectation would need the date rules.
  if (flag == null) throw new Error('a sandbox coupon has no availability flag');
  return flag;
}

function addressOf(dataset: SandboxDataset, merchantId: string) {
  const promotions = voucherifyOf(dataset, merchantId)?.address;
  const fromPromotions = promotions
    ? {
        line1: promotions.line_1 ?? null,
        line2: promotions.line_2 ?? null,
        city: promotions.city ?? null,
        region: promotions.state ?? null,
        postalCode: promotions.postal_code ?? null,
        country: promotions.country ?? null,
      }
    : null;
  const card = cardHolderOf(dataset, merchantId)?.address;
  const fromCard = card
    ? {
        line1: card.street_line1 ?? null,
        line2: card.street_line2 ?? null,
        city: card.city ?? null,
        region: card.state ?? null,
        postalCode: card.postal_code ?? null,
        country: card.country ?? null,
      }
    : null;
  const hasValue = (address: Record<string, string | null> | null) =>
    address !== null && Object.values(address).some((value) => value !== null && value !== '');
  return hasValue(fromPromotions) ? fromPromotions : hasValue(fromCard) ? fromCard : null;
}

/** What the selection `referrer { id email orderSummary { count } }` gives for a Voucherify id. */
function expectedReferrer(dataset: SandboxDataset, voucherifyId: string) {
  const referrer = dataset.voucherify.get(voucherifyId);
  const merchantId = referrer?.source_id;
  if (!merchantId) return null;
  return {
    id: merchantId,
    email: firstPresent(gameballOf(dataset, merchantId)?.details.customerAttributes.email, referrer.email),
    orderSummary: referrer.summary ? { count: referrer.summary.orders.total_count } : null,
  };
}

/**
 * The whole `everyCustomerField` selection for a merchant id, or null when no vendor knows it.
 * `redemptionHash` is the last hash the fake issued: read the dataset after the request.
 */
export function expectedCustomer(dataset: SandboxDataset, merchantId: string) {
  if (!isKnown(dataset, merchantId)) return null;
  const gameball = gameballOf(dataset, merchantId);
  const attributes = gameball?.details.customerAttributes;
  const promotions = voucherifyOf(dataset, merchantId);
  const link = imprintLinkOf(dataset, merchantId);
  const card = cardHolderOf(dataset, merchantId);
  const orders = promotions?.summary?.orders;
  const redemptions = promotions?.summary?.redemptions;
  const loyalty = promotions?.loyalty;
  const cardBirth = card?.date_of_birth;

  return {
    id: merchantId,
    // Only a linked record that is the customer's own counts (not a dangling or mismatched link).
    imprintId: card ? link : null,
    gameballId: gameball ? String(gameball.details.gameballId) : null,
    gender: attributes?.gender ?? null,
    location: attributes
      ? { country: attributes.country ?? null, city: attributes.city ?? null, postalCode: attributes.zip ?? null }
      : null,
    tags: attributes ? (attributes.tags ?? []) : null,
    registrationSource: attributes?.source ?? null,
    customAttributes: attributes?.custom ?? null,
    joinDate: localDate(attributes?.joinDate),
    joinedAt: localDate(attributes?.joinDate) && `${localDate(attributes?.joinDate)}T00:00:00.000Z`,
    channel: attributes?.channel ?? null,
    customerSince: isoDateTime(promotions?.created_at),
    purchaseHistory: attributes
      ? {
          totalSpent: moneyFromMajor(attributes.totalSpent),
          orderCount: attributes.totalOrders ?? null,
          lastOrderAt: isoDateTime(attributes.lastOrderDate),
          paymentMethods: attributes.paymentMethods ?? [],
          averageOrderAmount: moneyFromMajor(attributes.avgOrderAmount),
        }
      : null,
    displayName: firstPresent(
      attributes?.displayName,
      promotions?.name,
      [card?.first_name, card?.last_name].filter(Boolean).join(' '),
    ),
    firstName: firstPresent(attributes?.firstName, card?.first_name),
    lastName: firstPresent(attributes?.lastName, card?.last_name),
    email: firstPresent(attributes?.email, promotions?.email, card?.email),
    phone: firstPresent(attributes?.mobile, promotions?.phone, card?.phone),
    dateOfBirth: firstPresent(
      localDate(attributes?.dateOfBirth),
      localDate(promotions?.birthdate ?? promotions?.birthday),
      cardBirth?.year && cardBirth.month && cardBirth.day
        ? `${pad(cardBirth.year, 4)}-${pad(cardBirth.month, 2)}-${pad(cardBirth.day, 2)}`
        : null,
    ),
    preferredLanguage: firstPresent(attributes?.preferredLanguage, card?.preferred_language),
    address: addressOf(dataset, merchantId),
    ssnLast4: card?.ssn4 ?? null,
    orderSummary: orders
      ? {
          totalAmount: moneyFromCents(orders.total_amount),
          count: orders.total_count,
          averageAmount: moneyFromCents(orders.average_amount),
          lastOrderAmount: moneyFromCents(orders.last_order_amount),
          lastOrderAt: isoDateTime(orders.last_order_date),
        }
      : null,
    redemptionSummary: redemptions
      ? {
          total: redemptions.total_redeemed,
          succeeded: redemptions.total_succeeded,
          failed: redemptions.total_failed,
          rolledBack: redemptions.total_rolled_back,
          rollbacksSucceeded: redemptions.total_rollback_succeeded,
          rollbacksFailed: redemptions.total_rollback_failed,
          giftCards: {
            redeemed: moneyFromCents(redemptions.gift.redeemed_amount),
            remaining: moneyFromCents(redemptions.gift.amount_to_go),
          },
          loyaltyCards: {
            redeemedPoints: redemptions.loyalty_card.redeemed_points,
            remainingPoints: redemptions.loyalty_card.points_to_go,
          },
        }
      : null,
    loyaltyPoints: loyalty
      ? {
          balance: loyalty.points,
          referredCustomers: loyalty.referred_customers,
          campaigns: Object.entries(loyalty.campaigns).map(([campaignName, campaign]) => ({
            campaignName,
            balance: campaign.points ?? 0,
            tierId: campaign.loyalty_tier ?? null,
            referredCustomers: campaign.referred_customers ?? null,
          })),
        }
      : null,
    referral: {
      code: gameball?.details.referralCode ?? null,
      link: gameball?.details.referralLink ?? null,
      dynamicLink: gameball?.details.dynamicReferralLink ?? null,
      isReferred: gameball ? (gameball.details.isReferred ?? null) : null,
      referredCustomersCount: loyalty?.referred_customers ?? null,
      receivedCount: promotions?.referrals?.total ?? null,
      received: promotions?.referrals
        ? [...promotions.referrals.campaigns]
            .sort((a, b) => Date.parse(a.date) - Date.parse(b.date))
            .map((referral) => ({
              campaignId: referral.campaign_id,
              referredAt: isoDateTime(referral.date),
              referrer: expectedReferrer(dataset, referral.referrer_id),
            }))
        : null,
    },
    coupons: gameball ? gameball.coupons.map(expectedCoupon) : null,
    availableCoupons: gameball
      ? gameball.coupons.filter(availabilityFlagOf).map((coupon) => ({ code: coupon.code }))
      : null,
    redemptionHash: gameball?.hash ?? null,
    cardPrograms: card ? Object.entries(card.statuses ?? {}).map(([name, status]) => ({ name, status })) : null,
    cardHolderSince: isoDateTime(card?.created_at),
    cardHolderUpdatedAt: isoDateTime(card?.updated_at),
    // The preference-center link, else the cockpit link that leads there since cockpits were removed.
    preferenceCenterUrl:
      firstPresent(promotions?.assets?.cockpit_preference_center_url, promotions?.assets?.cockpit_url) ?? null,
  };
}

export type ExpectedCustomer = NonNullable<ReturnType<typeof expectedCustomer>>;
