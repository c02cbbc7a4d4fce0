import type { Resolvers } from '../generated/graphql.js';
import { Coupon } from './Coupon.js';
import { CouponCombinations } from './CouponCombinations.js';
import { CouponEntitlements } from './CouponEntitlements.js';
import { Customer } from './Customer.js';
import { CustomerLocation } from './CustomerLocation.js';
import { GiftCardSummary } from './GiftCardSummary.js';
import { LoyaltyCampaignBalance } from './LoyaltyCampaignBalance.js';
import { LoyaltyCardSummary } from './LoyaltyCardSummary.js';
import { LoyaltyPoints } from './LoyaltyPoints.js';
import { Mutation } from './Mutation.js';
import { OrderSummary } from './OrderSummary.js';
import { PurchaseHistory } from './PurchaseHistory.js';
import { Query } from './Query.js';
import { ReceivedReferral } from './ReceivedReferral.js';
import { RedemptionSummary } from './RedemptionSummary.js';
import { Referral } from './Referral.js';
import { UpsertCustomerPayload } from './UpsertCustomerPayload.js';
import { scalars } from './scalars.js';

export const resolvers: Resolvers = {
  ...scalars,
  Query,
  Mutation,
  Customer,
  CustomerLocation,
  PurchaseHistory,
  OrderSummary,
  RedemptionSummary,
  GiftCardSummary,
  LoyaltyCardSummary,
  LoyaltyPoints,
  LoyaltyCampaignBalance,
  Referral,
  ReceivedReferral,
  Coupon,
  CouponEntitlements,
  CouponCombinations,
  UpsertCustomerPayload,
};
