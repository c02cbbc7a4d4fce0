import type { OrderSummaryResolvers } from '../generated/graphql.js';
import { moneyFromCents, vendorDateTime } from './conversions.js';

export const OrderSummary: OrderSummaryResolvers = {
  totalAmount: (orders, _, { settings }) => moneyFromCents(orders.total_amount, settings.currencyCode),
  count: (orders) => orders.total_count,
  averageAmount: (orders, _, { settings }) => moneyFromCents(orders.average_amount, settings.currencyCode),
  lastOrderAmount: (orders, _, { settings }) => moneyFromCents(orders.last_order_amount, settings.currencyCode),
  lastOrderAt: (orders) => vendorDateTime(orders.last_order_date),
};
