import type { SandboxVendors } from '../../src/sandbox/vendors.js';
import { vendorEndpoints, type VendorEndpoint } from '../../src/vendors/endpoints.js';

/** The vendor endpoints a read can call. */
export const readEndpoints: VendorEndpoint[] = vendorEndpoints.filter(
  (endpoint) => endpoint !== 'gameball.upsert' && endpoint !== 'gameball.delete',
);

/**
 * Calls per endpoint per customer at the fakes, keyed `"<endpoint> <merchant id>"`: a Voucherify
 * record fetched by its own id counts for its merchant id, since it is the same customer.
 */
export function callsPerCustomer(sandbox: SandboxVendors): Map<string, number> {
  const merchantIdOf = new Map(
    [...sandbox.dataset.voucherify.values()].flatMap((record) =>
      record.source_id ? [[record.id, record.source_id] as const] : [],
    ),
  );
  const counts = new Map<string, number>();
  for (const call of sandbox.calls) {
    const customer = call.endpoint === 'voucherify.customer' ? (merchantIdOf.get(call.key) ?? call.key) : call.key;
    const key = `${call.endpoint} ${customer}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The endpoint-customer pairs called more than once, for a readable failure. */
export function repeatedCalls(sandbox: SandboxVendors): string[] {
  return [...callsPerCustomer(sandbox)].filter(([, count]) => count > 1).map(([key, count]) => `${key}: ${count}`);
}
