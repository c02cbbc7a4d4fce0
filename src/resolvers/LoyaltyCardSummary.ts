import type { LoyaltyCardSummaryResolvers } from '../generated/graphql.js';

export const LoyaltyCardSummary: LoyaltyCardSummaryResolvers = {
  redeemedPoints: (card) => card.redeemed_points,
  remainingPoints: (card) => card.points_to_go,
};
