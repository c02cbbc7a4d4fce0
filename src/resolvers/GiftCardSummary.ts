import type { GiftCardSummaryResolvers } from '../generated/graphql.js';
import { moneyFromCents } from './conversions.js';

export const GiftCardSummary: GiftCardSummaryResolvers = {
  redeemed: (gift, _, { settings }) => moneyFromCents(gift.redeemed_amount, settings.currencyCode),
  remaining: (gift, _, { settings }) => moneyFromCents(gift.amount_to_go, settings.currencyCode),
};
