import type DataLoader from 'dataloader';
import type { VendorCache } from '../../cache/vendorCache.js';
import type { RequestScope } from '../http.js';
import { cachedLoader, keyedLoader, type LoaderObserver } from '../loader.js';
import type { VoucherifyClient } from './client.js';
import { summaryOf, type VoucherifyCustomer, type VoucherifyCustomerSummary } from './payloads.js';

export function createVoucherifyLoaders(
  client: VoucherifyClient,
  scope: RequestScope,
  cache: VendorCache | null,
  observer?: LoaderObserver,
) {
  // Voucherify answers to its own id and to the merchant's source id alike. A record fetched by
  // one is kept under the other as well for the request, so a referrer fetched by Voucherify id is
  // not fetched again when its merchant-id fields are resolved.
  const customer: DataLoader<string, VoucherifyCustomer | null> = keyedLoader(
    'voucherify.customer',
    async (idOrSourceId) => {
      const found = await client.getCustomer(idOrSourceId, scope);
      primeAliases(customer, idOrSourceId, found);
      // A request that has the whole record has its public part too.
      if (found) primeAliases(summary, idOrSourceId, summaryOf(found), { andKey: true });
      return found;
    },
    observer,
  );
  // The public part, for fields that read nothing personal: it may be cached. A request's miss is
  // fetched through the whole-record loader, so a request that needs both makes one call; a
  // background refresh calls Voucherify in its own scope.
  const summary: DataLoader<string, VoucherifyCustomerSummary | null> = cachedLoader(
    'voucherify.customerSummary',
    async (idOrSourceId, fetchScope) => {
      const found =
        fetchScope === scope ? await customer.load(idOrSourceId) : await client.getCustomer(idOrSourceId, fetchScope);
      return found && summaryOf(found);
    },
    cache,
    scope,
    observer,
  );
  return { customer, summary };
}

/** Keeps `found` under its other id as well (and under `key` itself with `andKey`). */
function primeAliases<T extends { id: string; source_id?: string | null }>(
  loader: DataLoader<string, T | null>,
  key: string,
  found: T | null,
  { andKey = false } = {},
): void {
  if (!found) return;
  for (const alias of [found.id, found.source_id]) {
    if (alias && (andKey || alias !== key)) loader.prime(alias, found);
  }
  if (andKey) loader.prime(key, found);
}

export type VoucherifyLoaders = ReturnType<typeof createVoucherifyLoaders>;
