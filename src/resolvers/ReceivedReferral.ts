import type { ReceivedReferralResolvers } from '../generated/graphql.js';
import { vendorDateTime } from './conversions.js';

export const ReceivedReferral: ReceivedReferralResolvers = {
  campaignId: (referral) => referral.campaign_id,
  referredAt: (referral) => vendorDateTime(referral.date),
  // Voucherify names the referrer by its own id; the merchant id is its source id.
  referrer: async (referral, _, { customers }, info) => {
    const referrer = await customers.promotionsByVoucherifyId(referral.referrer_id);
    return referrer?.source_id ? customers.known(referrer.source_id, info) : null;
  },
};
