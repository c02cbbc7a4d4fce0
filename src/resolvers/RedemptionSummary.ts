import type { RedemptionSummaryResolvers } from '../generated/graphql.js';

export const RedemptionSummary: RedemptionSummaryResolvers = {
  total: (redemptions) => redemptions.total_redeemed,
  succeeded: (redemptions) => redemptions.total_succeeded,
  failed: (redemptions) => redemptions.total_failed,
  rolledBack: (redemptions) => redemptions.total_rolled_back,
  rollbacksSucceeded: (redemptions) => redemptions.total_rollback_succeeded,
  rollbacksFailed: (redemptions) => redemptions.total_rollback_failed,
  giftCards: (redemptions) => redemptions.gift,
  loyaltyCards: (redemptions) => redemptions.loyalty_card,
};
