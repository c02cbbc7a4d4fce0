import { z } from 'zod';
import type { components } from '../../generated/gameball.js';

// zod schemas for the Gameball payloads this service reads, checked against the types generated
// from openapi/gameball.yaml. Keys not listed are dropped at the boundary: less data held, less to leak.
type Schemas = components['schemas'];

const text = z.string().nullish();
const count = z.number().nullish();
const strings = z.array(z.string()).nullish();

const publicAttributes = z.object({
  gender: text,
  country: text,
  city: text,
  zip: text,
  custom: z.record(z.string(), z.unknown()).nullish(),
  tags: strings,
  source: text,
  paymentMethods: strings,
  totalSpent: count,
  lastOrderDate: text,
  totalOrders: count,
}) satisfies z.ZodType<Schemas['PublicCustomerAttributes']>;

const detailedAttributes = publicAttributes.extend({
  displayName: text,
  firstName: text,
  lastName: text,
  email: text,
  mobile: text,
  dateOfBirth: text,
  joinDate: text,
  preferredLanguage: text,
  // Seed 002 lists these for the details only; the public profile (seed 000) lacks them.
  avgOrderAmount: count,
  channel: text,
}) satisfies z.ZodType<Schemas['DetailedCustomerAttributes']>;

const referral = {
  gameballId: z.number().optional(),
  customerId: z.string(),
  referralCode: text,
  referralLink: text,
  dynamicReferralLink: text,
};

export const customerProfile = z.object({
  ...referral,
  // Only the public profile has it (seed 000); the details do not (seed 002).
  isReferred: z.boolean().nullish(),
  customerAttributes: publicAttributes.nullish(),
}) satisfies z.ZodType<Schemas['CustomerResponse']>;

export const customerDetails = z.object({
  ...referral,
  customerAttributes: detailedAttributes.nullish(),
}) satisfies z.ZodType<Schemas['CustomerDetailsResponse']>;

export const coupon = z.object({
  name: text,
  code: z.string(),
  value: count,
  type: text,
  target: text,
  isManualCoupon: z.boolean().nullish(),
  currency: text,
  startDate: text,
  expiryDate: text,
  isExpired: z.boolean().nullish(),
  isActive: z.boolean().nullish(),
  usageLimit: count,
  limitPerCustomer: count,
  usedCount: count,
  customerUsedCount: count,
  capping: count,
  minOrderValue: count,
  entitledProductIds: strings,
  entitledVariantIds: strings,
  entitledCollectionIds: strings,
  entitledMerchantIds: strings,
  entitledPlatforms: strings,
  combinesWith: z
    .object({
      orderDiscounts: z.boolean().optional(),
      productDiscounts: z.boolean().optional(),
      shippingDiscounts: z.boolean().optional(),
    })
    .nullish(),
  group: z.object({ handle: text, url: text, iconPath: text }).nullish(),
  isAvaliableToUse: z.boolean().nullish(),
  isAvlaibleToUse: z.boolean().nullish(),
}) satisfies z.ZodType<Schemas['Coupon']>;

export const customerCoupons = z.object({
  coupons: z.array(coupon),
}) satisfies z.ZodType<Schemas['CustomerCouponsResponse']>;

export const customerHash = z.object({ hash: z.string() }) satisfies z.ZodType<Schemas['CustomerHashResponse']>;

export const upsertResponse = z.object({
  gameballId: z.number().optional(),
}) satisfies z.ZodType<Schemas['UpsertCustomerResponse']>;

export type GameballProfile = z.infer<typeof customerProfile>;
/** What the public profile and the details both serve. */
export type GameballSharedProfile = Omit<GameballProfile, 'isReferred'>;
export type GameballDetails = z.infer<typeof customerDetails>;
export type GameballAttributes = z.infer<typeof publicAttributes>;
export type GameballDetailedAttributes = z.infer<typeof detailedAttributes>;
export type GameballCoupon = z.infer<typeof coupon>;
export type UpsertCustomerRequest = Schemas['UpsertCustomerRequest'];
