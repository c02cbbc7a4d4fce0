// The one name of each vendor endpoint this service calls, used by the clients, the metrics and
// trace labels, the loaders, the sandbox fakes and the benchmark. A leaf module: it imports nothing.

export const vendorNames = ['gameball', 'voucherify', 'imprint'] as const;

export type VendorName = (typeof vendorNames)[number];

export const vendorEndpoints = [
  'gameball.profile',
  'gameball.details',
  'gameball.coupons',
  'gameball.hash',
  'gameball.upsert',
  'gameball.delete',
  'voucherify.customer',
  'imprint.customer',
] as const;

export type VendorEndpoint = (typeof vendorEndpoints)[number];

/**
 * What a customer's data is read from: a vendor endpoint that reads, or `voucherify.summary`, the
 * part of Voucherify's customer anyone may see (summaries, balances, counts), which may be cached
 * and shared. Both Voucherify reads are the one `voucherify.customer` call.
 */
export type CustomerSource = Exclude<VendorEndpoint, 'gameball.upsert' | 'gameball.delete'> | 'voucherify.summary';

export function vendorOf(name: VendorEndpoint | CustomerSource): VendorName {
  return name.slice(0, name.indexOf('.')) as VendorName;
}
