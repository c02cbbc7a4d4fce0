import { z } from 'zod';
import type { components } from '../../generated/voucherify.js';

// zod schemas for the Voucherify customer payload, checked against the types generated from
// openapi/voucherify.yaml. Amounts are integer cents.
type Schemas = components['schemas'];

const text = z.string().nullish();
const int = z.number().int();

const redemptionSummary = z.object({
  total_redeemed: int,
  total_failed: int,
  total_succeeded: int,
  total_rolled_back: int,
  total_rollback_failed: int,
  total_rollback_succeeded: int,
  gift: z.object({ redeemed_amount: int, amount_to_go: int }),
  loyalty_card: z.object({ redeemed_points: int, points_to_go: int }),
}) satisfies z.ZodType<Schemas['RedemptionSummary']>;

const orderSummary = z.object({
  total_amount: int,
  total_count: int,
  average_amount: int,
  last_order_amount: int,
  last_order_date: text,
}) satisfies z.ZodType<Schemas['OrderSummary']>;

const loyaltyCampaign = z.object({
  points: int.optional(),
  loyalty_tier: text,
  referred_customers: int.optional(),
}) satisfies z.ZodType<Schemas['LoyaltyCampaign']>;

const loyalty = z.object({
  points: int,
  referred_customers: int,
  campaigns: z.record(z.string(), loyaltyCampaign),
}) satisfies z.ZodType<Schemas['Loyalty']>;

const referralSource = z.object({
  campaign_id: z.string(),
  referrer_id: z.string(),
  related_object_id: z.string(),
  related_object_type: z.string(),
  date: z.string(),
}) satisfies z.ZodType<Schemas['ReferralSource']>;

const address = z
  .object({ city: text, state: text, line_1: text, line_2: text, country: text, postal_code: text })
  .nullish() satisfies z.ZodType<Schemas['Address'] | undefined>;

export const customer = z.object({
  id: z.string(),
  source_id: text,
  name: text,
  email: text,
  phone: text,
  birthday: text,
  birthdate: text,
  address,
  metadata: z.record(z.string(), z.unknown()).nullish(),
  summary: z.object({ redemptions: redemptionSummary, orders: orderSummary }).nullable(),
  loyalty: loyalty.nullable(),
  referrals: z.object({ total: int, campaigns: z.array(referralSource) }).nullable(),
  created_at: z.string().optional(),
  assets: z.object({ cockpit_url: text, cockpit_preference_center_url: text }).nullish(),
  object: z.literal('customer'),
}) satisfies z.ZodType<Schemas['Customer']>;

export type VoucherifyCustomer = z.infer<typeof customer>;
export type VoucherifyRedemptionSummary = z.infer<typeof redemptionSummary>;
export type VoucherifyOrderSummary = z.infer<typeof orderSummary>;
export type VoucherifyLoyalty = z.infer<typeof loyalty>;
export type VoucherifyLoyaltyCampaign = z.infer<typeof loyaltyCampaign>;
export type VoucherifyReferralSource = z.infer<typeof referralSource>;
export type VoucherifyAddress = NonNullable<z.infer<typeof address>>;

/**
 * What anyone may see of a Voucherify customer (the rules in src/auth/rules.ts give these fields
 * no rule): summaries, loyalty balances, the referral count and when the record was created. No
 * name, contact, address, metadata (it holds the Imprint link), preference-center link, Voucherify
 * id or who referred whom: this is what may be cached and shared.
 */
export interface VoucherifyCustomerSummary {
  /** The merchant's id: the lookup checks it. Voucherify's own id is left out: referrals name it. */
  readonly source_id?: string | null;
  readonly created_at?: string | null;
  readonly summary: VoucherifyCustomer['summary'];
  readonly loyalty: VoucherifyCustomer['loyalty'];
  readonly referrals: { readonly total: number } | null;
}

export function summaryOf(customer: VoucherifyCustomer): VoucherifyCustomerSummary {
  const { source_id, created_at, summary, loyalty, referrals } = customer;
  return { source_id, created_at, summary, loyalty, referrals: referrals && { total: referrals.total } };
}
