import type { ReferralResolvers } from '../generated/graphql.js';

// The parent is the customer: each field asks the vendor that holds it.
export const Referral: ReferralResolvers = {
  code: async (ref, _, { customers }) => (await customers.profile(ref))?.referralCode ?? null,
  link: async (ref, _, { customers }) => (await customers.profile(ref))?.referralLink ?? null,
  dynamicLink: async (ref, _, { customers }) => (await customers.profile(ref))?.dynamicReferralLink ?? null,
  isReferred: async (ref, _, { customers }) => (await customers.publicProfile(ref))?.isReferred ?? null,
  referredCustomersCount: async (ref, _, { customers }) =>
    (await customers.promotionSummary(ref))?.loyalty?.referred_customers ?? null,
  receivedCount: async (ref, _, { customers }) => (await customers.promotionSummary(ref))?.referrals?.total ?? null,
  received: async (ref, _, { customers }) => {
    const received = (await customers.promotions(ref))?.referrals?.campaigns;
    return received ? [...received].sort((a, b) => a.date.localeCompare(b.date)) : null;
  },
};
