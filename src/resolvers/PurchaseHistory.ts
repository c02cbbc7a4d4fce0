import type { PurchaseHistoryResolvers } from '../generated/graphql.js';
import { moneyFromMajorUnits, vendorDateTime } from './conversions.js';

// The parent is the customer: the totals come from Gameball's profile, the average only from its
// details. Gameball reports amounts in the merchant's currency, in major units.
export const PurchaseHistory: PurchaseHistoryResolvers = {
  totalSpent: async (ref, _, { customers, settings }) =>
    moneyFromMajorUnits((await customers.profile(ref))?.customerAttributes?.totalSpent, settings.currencyCode),
  orderCount: async (ref, _, { customers }) => (await customers.profile(ref))?.customerAttributes?.totalOrders ?? null,
  lastOrderAt: async (ref, _, { customers }) =>
    vendorDateTime((await customers.profile(ref))?.customerAttributes?.lastOrderDate),
  paymentMethods: async (ref, _, { customers }) => {
    const profile = await customers.profile(ref);
    return profile ? (profile.customerAttributes?.paymentMethods ?? []) : null;
  },
  averageOrderAmount: async (ref, _, { customers, settings }) =>
    moneyFromMajorUnits((await customers.details(ref))?.customerAttributes?.avgOrderAmount, settings.currencyCode),
};
