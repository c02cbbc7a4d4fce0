import type { Money, PurchaseHistoryResolvers } from '../generated/graphql.js';
import { moneyFromMajorUnits, vendorDateTime } from './conversions.js';
import { fromSources } from './fromSources.js';

// The parent is the customer: the totals come from Gameball's profile, the average only from its
// details (src/customers/fields.ts). Gameball reports amounts in the merchant's currency, in major units.
const read = fromSources('PurchaseHistory');

export const PurchaseHistory: PurchaseHistoryResolvers = {
  totalSpent: (ref, args, context) =>
    read('totalSpent', {
      'gameball.profile': (profile): Money | null =>
        moneyFromMajorUnits(profile.customerAttributes?.totalSpent, context.settings.currencyCode),
    })(ref, args, context),
  orderCount: read('orderCount', { 'gameball.profile': (profile) => profile.customerAttributes?.totalOrders }),
  lastOrderAt: read('lastOrderAt', {
    'gameball.profile': (profile) => vendorDateTime(profile.customerAttributes?.lastOrderDate),
  }),
  paymentMethods: read('paymentMethods', {
    'gameball.profile': (profile) => profile.customerAttributes?.paymentMethods ?? [],
  }),
  averageOrderAmount: (ref, args, context) =>
    read('averageOrderAmount', {
      'gameball.details': (details): Money | null =>
        moneyFromMajorUnits(details.customerAttributes?.avgOrderAmount, context.settings.currencyCode),
    })(ref, args, context),
};
