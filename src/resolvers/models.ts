// What each GraphQL object type's resolvers receive as parent (codegen `mappers`): the vendor
// payloads as validated at the boundary, or for Customer the reference every lookup starts from.
import type { GameballAttributes, GameballCoupon } from '../vendors/gameball/payloads.js';
import type {
  VoucherifyLoyalty,
  VoucherifyLoyaltyCampaign,
  VoucherifyOrderSummary,
  VoucherifyRedemptionSummary,
  VoucherifyReferralSource,
} from '../vendors/voucherify/payloads.js';

export type { CustomerRef } from '../customers/customers.js';
export type {
  GameballAttributes,
  GameballCoupon,
  VoucherifyLoyalty,
  VoucherifyOrderSummary,
  VoucherifyRedemptionSummary,
  VoucherifyReferralSource,
};
export type GameballCouponCombinations = NonNullable<GameballCoupon['combinesWith']>;
export type GameballCouponGroup = NonNullable<GameballCoupon['group']>;
export type VoucherifyGiftSummary = VoucherifyRedemptionSummary['gift'];
export type VoucherifyLoyaltyCardSummary = VoucherifyRedemptionSummary['loyalty_card'];
/** Voucherify keys campaign balances by campaign name; the name travels with the balance. */
export type VoucherifyLoyaltyCampaignBalance = VoucherifyLoyaltyCampaign & { campaignName: string };
/** The payload before its `customer` is looked up with the selection the client made. */
export type UpsertCustomerResult = { customerId: string | null; gameballId?: number; userErrors: UserErrorModel[] };
export type UserErrorModel = { field: string[] | null; message: string; code: 'NOT_FOUND' | 'INVALID' | 'REJECTED' };
