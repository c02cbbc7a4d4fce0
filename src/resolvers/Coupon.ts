import type { CouponResolvers, CouponTarget, CouponType } from '../generated/graphql.js';
import type { GameballCoupon } from './models.js';
import { moneyFromMajorUnits, vendorDateTime } from './conversions.js';

// Gameball sends these as lower-case or capitalised words; an unknown one becomes null rather
// than failing the coupon.
const couponTypes: Record<string, CouponType> = {
  shipping: 'SHIPPING',
  fixed: 'FIXED',
  percentage: 'PERCENTAGE',
  product: 'PRODUCT',
  custom: 'CUSTOM',
};
const couponTargets: Record<string, CouponTarget> = {
  online: 'ONLINE',
  pos: 'POS',
  permanent: 'PERMANENT',
  reward: 'REWARD',
  automation: 'AUTOMATION',
};

/**
 * Gameball's own availability flag (spelt two ways in its docs); when it is missing, the
 * conditions its docs list: active, started, not expired, not used up overall or by the customer.
 */
export function isCouponAvailable(coupon: GameballCoupon, now: Date): boolean {
  const flag = coupon.isAvaliableToUse ?? coupon.isAvlaibleToUse;
  if (flag != null) return flag;
  const starts = vendorDateTime(coupon.startDate);
  const expires = vendorDateTime(coupon.expiryDate);
  return (
    coupon.isActive === true &&
    coupon.isExpired !== true &&
    (!starts || starts <= now) &&
    (!expires || expires > now) &&
    (coupon.usageLimit == null || (coupon.usedCount ?? 0) < coupon.usageLimit) &&
    (coupon.limitPerCustomer == null || (coupon.customerUsedCount ?? 0) < coupon.limitPerCustomer)
  );
}

export const couponTypeOf = (type: string | null | undefined): CouponType | null =>
  couponTypes[type?.toLowerCase() ?? ''] ?? null;

export const Coupon: CouponResolvers = {
  code: (coupon) => coupon.code,
  name: (coupon) => coupon.name ?? null,
  type: (coupon) => couponTypeOf(coupon.type),
  target: (coupon) => couponTargets[coupon.target?.toLowerCase() ?? ''] ?? null,
  value: (coupon) => coupon.value ?? null,
  currency: (coupon) => coupon.currency ?? null,
  maxDiscount: (coupon, _, { settings }) =>
    moneyFromMajorUnits(coupon.capping, coupon.currency ?? settings.currencyCode),
  minOrderValue: (coupon, _, { settings }) =>
    moneyFromMajorUnits(coupon.minOrderValue, coupon.currency ?? settings.currencyCode),
  startsAt: (coupon) => vendorDateTime(coupon.startDate),
  expiresAt: (coupon) => vendorDateTime(coupon.expiryDate),
  // Gameball documents no defaults for these: a missing flag is unknown, not false.
  isExpired: (coupon) => coupon.isExpired ?? null,
  isActive: (coupon) => coupon.isActive ?? null,
  isAvailable: (coupon) => isCouponAvailable(coupon, new Date()),
  isManual: (coupon) => coupon.isManualCoupon ?? null,
  usageLimit: (coupon) => coupon.usageLimit ?? null,
  limitPerCustomer: (coupon) => coupon.limitPerCustomer ?? null,
  usedCount: (coupon) => coupon.usedCount ?? null,
  customerUsedCount: (coupon) => coupon.customerUsedCount ?? null,
  entitlements: (coupon) => coupon,
  combinesWith: (coupon) => coupon.combinesWith ?? {},
  group: (coupon) => coupon.group ?? null,
};
