import type { ReferralResolvers } from '../generated/graphql.js';
import { fromSources } from './fromSources.js';

// The parent is the customer: each field reads the sources src/customers/fields.ts declares for it.
const read = fromSources('Referral');

export const Referral: ReferralResolvers = {
  code: read('code', { 'gameball.profile': (profile) => profile.referralCode }),
  link: read('link', { 'gameball.profile': (profile) => profile.referralLink }),
  dynamicLink: read('dynamicLink', { 'gameball.profile': (profile) => profile.dynamicReferralLink }),
  // From the public profile itself, even when the details serve the other profile fields: they lack it.
  isReferred: async (ref, _, { customers }) => (await customers.publicProfile(ref))?.isReferred ?? null,
  referredCustomersCount: read('referredCustomersCount', {
    'voucherify.summary': (summary) => summary.loyalty?.referred_customers,
  }),
  receivedCount: read('receivedCount', { 'voucherify.summary': (summary) => summary.referrals?.total }),
  received: read('received', {
    'voucherify.customer': (promotions) =>
      promotions.referrals && [...promotions.referrals.campaigns].sort((a, b) => a.date.localeCompare(b.date)),
  }),
};
