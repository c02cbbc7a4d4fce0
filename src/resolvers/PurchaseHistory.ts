import type { PurchaseHistoryResolvers } from '../generated/graphql.js';
import { moneyFromMajorUnits, vendorDateTime } from './conversions.js';

// Gameball reports amounts in the merchant's currency, in major units.
export const PurchaseHistory: PurchaseHistoryResolvers = {
  totalSpent: (attributes, _, { settings }) => moneyFromMajorUnits(attributes.totalSpent, settings.currencyCode),
  orderCount: (attributes) => attributes.totalOrders ?? null,
  lastOrderAt: (attributes) => vendorDateTime(attributes.lastOrderDate),
};
