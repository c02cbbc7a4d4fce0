import type { LoyaltyCampaignBalanceResolvers } from '../generated/graphql.js';

export const LoyaltyCampaignBalance: LoyaltyCampaignBalanceResolvers = {
  campaignName: (campaign) => campaign.campaignName,
  balance: (campaign) => campaign.points ?? 0,
  tierId: (campaign) => campaign.loyalty_tier ?? null,
  referredCustomers: (campaign) => campaign.referred_customers ?? null,
};
