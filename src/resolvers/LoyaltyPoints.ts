import type { LoyaltyPointsResolvers } from '../generated/graphql.js';

export const LoyaltyPoints: LoyaltyPointsResolvers = {
  balance: (loyalty) => loyalty.points,
  referredCustomers: (loyalty) => loyalty.referred_customers,
  campaigns: (loyalty) =>
    Object.entries(loyalty.campaigns).map(([campaignName, balance]) => ({ ...balance, campaignName })),
};
