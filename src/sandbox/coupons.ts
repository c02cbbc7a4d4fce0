import type { components } from '../generated/gameball.js';
import { lowerAlphanumerics, type SeededRandom, type UniqueStrings } from './random.js';

export type GameballCouponRecord = components['schemas']['Coupon'];

export type CouponType = 'shipping' | 'fixed' | 'percentage' | 'product' | 'custom';
export type CouponTarget = 'Online' | 'POS' | 'Permanent' | 'Reward' | 'Automation';
/** Which of the seed's availability conditions the coupon meets, or the one it fails. */
export type CouponState = 'available' | 'expired' | 'notStarted' | 'inactive' | 'usedUp' | 'customerLimitReached';

export interface CouponSpec {
  type: CouponType;
  target: CouponTarget;
  state: CouponState;
}

const couponTypes: readonly CouponType[] = ['shipping', 'fixed', 'percentage', 'product', 'custom'];
const couponTargets: readonly CouponTarget[] = ['Online', 'POS', 'Permanent', 'Reward', 'Automation'];
// Weighted towards usable coupons, as a live program would be.
const couponStates: readonly CouponState[] = [
  'available',
  'available',
  'available',
  'expired',
  'notStarted',
  'inactive',
  'usedUp',
  'customerLimitReached',
];

// Dates sit far from today on purpose (past years, or 2099), so `isExpired` and
// `isAvaliableToUse` stay true to the seed's conditions whenever the tests run.
const pastStart = '2023-01-01T00:00:00.000Z';
const pastExpiry = '2024-12-31T23:59:59.999Z';
const currentStart = '2024-06-01T00:00:00.000Z';
const farExpiry = '2099-12-31T23:59:59.999Z';
const futureStart = '2099-01-01T00:00:00.000Z';

const groups = [
  {
    handle: 'welcome-offers',
    url: 'https://shop.example.com/coupons/welcome-offers',
    iconPath: '/images/icons/welcome.png',
  },
  { handle: 'tier-rewards', url: 'https://shop.example.com/coupons/tier-rewards', iconPath: '/images/icons/tier.png' },
  { handle: 'seasonal', url: 'https://shop.example.com/coupons/seasonal', iconPath: null },
];
const platforms = ['online', 'mobile', 'pos'];

/**
 * The seed's availability rule for `isAvaliableToUse`: active, started, not expired, overall usage
 * limit not reached, and the customer's own limit not reached.
 */
function isCouponAvailable(coupon: GameballCouponRecord, now: number): boolean {
  const started = coupon.startDate == null || Date.parse(coupon.startDate) <= now;
  const expired = coupon.expiryDate != null && Date.parse(coupon.expiryDate) < now;
  const underLimit = coupon.usageLimit == null || (coupon.usedCount ?? 0) < coupon.usageLimit;
  const underCustomerLimit =
    coupon.limitPerCustomer == null || (coupon.customerUsedCount ?? 0) < coupon.limitPerCustomer;
  return coupon.isActive === true && started && !expired && underLimit && underCustomerLimit;
}

export function randomCouponSpecs(random: SeededRandom, count: number): CouponSpec[] {
  return Array.from({ length: count }, () => ({
    type: random.pick(couponTypes),
    target: random.pick(couponTargets),
    state: random.pick(couponStates),
  }));
}

/** A coupon with every field of seed 002's coupon object, in the given state. */
export function createCoupon(
  spec: CouponSpec,
  random: SeededRandom,
  codes: UniqueStrings,
  now: number,
): GameballCouponRecord {
  const usageLimit = random.pick([1, 5, 100, 999]);
  const limitPerCustomer = usageLimit === 1 ? 1 : random.int(1, 3);
  const { usedCount, customerUsedCount } = usage(spec.state, usageLimit, limitPerCustomer, random);
  const coupon: GameballCouponRecord = {
    ...valueOf(spec.type, random),
    code: codes.next(() => random.chars(lowerAlphanumerics, 10)),
    type: spec.type,
    target: spec.target,
    // Online and POS coupons come from redemptions; a manual coupon is one a merchant made by hand.
    isManualCoupon: spec.target !== 'Online' && spec.target !== 'POS' && random.chance(0.2),
    currency: 'USD',
    ...validity(spec, random),
    isActive: spec.state !== 'inactive',
    usageLimit,
    limitPerCustomer,
    usedCount,
    customerUsedCount,
    entitledVariantIds: spec.type === 'product' && random.chance(0.5) ? [`var_${random.int(100, 999)}`] : [],
    entitledCollectionIds: spec.type === 'percentage' && random.chance(0.4) ? [`col_${random.int(100, 999)}`] : [],
    entitledMerchantIds: random.chance(0.15) ? [`store_${random.int(1, 40)}`] : [],
    entitledPlatforms: spec.target === 'POS' ? ['pos'] : random.subset(platforms),
    combinesWith: {
      orderDiscounts: random.chance(0.5),
      productDiscounts: random.chance(0.5),
      shippingDiscounts: spec.type !== 'shipping' && random.chance(0.7),
    },
    group: random.chance(0.6) ? { ...random.pick(groups) } : null,
  };
  coupon.isExpired = coupon.expiryDate != null && Date.parse(coupon.expiryDate) < now;
  coupon.isAvaliableToUse = isCouponAvailable(coupon, now);
  return coupon;
}

function valueOf(
  type: CouponType,
  random: SeededRandom,
): Pick<GameballCouponRecord, 'name' | 'value' | 'capping' | 'minOrderValue' | 'entitledProductIds'> {
  const none = { capping: null, entitledProductIds: [] };
  switch (type) {
    case 'shipping': {
      const value = random.pick([5, 10, 15]);
      return { ...none, name: `$${value} Off Shipping`, value, minOrderValue: 0 };
    }
    case 'fixed': {
      const value = random.pick([5, 10, 20, 50]);
      return { ...none, name: `$${value} Off`, value, minOrderValue: value * 4 };
    }
    case 'percentage': {
      const value = random.pick([10, 15, 20, 25]);
      const capping = random.pick([25, 50, 100]);
      return { ...none, name: `${value}% Off`, value, capping, minOrderValue: random.pick([0, 20, 50]) };
    }
    case 'product':
      return {
        ...none,
        name: 'Free Tote Bag',
        value: 100,
        minOrderValue: 0,
        entitledProductIds: [`prod_${random.int(100, 999)}`],
      };
    case 'custom':
      return { ...none, name: 'VIP Early Access', value: 0, minOrderValue: 0 };
  }
}

function validity(spec: CouponSpec, random: SeededRandom): Pick<GameballCouponRecord, 'startDate' | 'expiryDate'> {
  switch (spec.state) {
    case 'expired':
      return { startDate: pastStart, expiryDate: pastExpiry };
    case 'notStarted':
      return { startDate: futureStart, expiryDate: farExpiry };
    default:
      // A tier's lifetime reward never expires.
      return {
        startDate: currentStart,
        expiryDate: spec.target === 'Permanent' || random.chance(0.1) ? null : farExpiry,
      };
  }
}

function usage(
  state: CouponState,
  usageLimit: number,
  limitPerCustomer: number,
  random: SeededRandom,
): { usedCount: number; customerUsedCount: number } {
  if (state === 'usedUp') return { usedCount: usageLimit, customerUsedCount: 0 };
  if (state === 'customerLimitReached') {
    const othersUsed = random.int(0, Math.max(0, usageLimit - limitPerCustomer - 1));
    return { usedCount: limitPerCustomer + othersUsed, customerUsedCount: limitPerCustomer };
  }
  const customerUsedCount = random.int(0, limitPerCustomer - 1);
  return { usedCount: customerUsedCount + random.int(0, usageLimit - 1 - customerUsedCount), customerUsedCount };
}
