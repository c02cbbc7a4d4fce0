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
      // A request that has the whole record has its public part too (looked up by merchant id).
      if (found?.source_id) summary.prime(found.source_id, summaryOf(found));
      return found;
    },
    observer,
  );
  // The public part, for fields that read nothing personal: it may be cached. A request's miss is
  // fetched through the whole-record loader, so a request that needs both makes one call; a
  // background refresh calls Voucherify in its own scope.
  const summary: DataLoader<string, VoucherifyCustomerSummary | null> = cachedLoader(
    'voucherify.summary',
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

/** Keeps `found` under its other id as well. */
function primeAliases(
  loader: DataLoader<string, VoucherifyCustomer | null>,
  key: string,
  found: VoucherifyCustomer | null,
): void {
  for (const alias of [found?.id, found?.source_id]) {
    if (alias && alias !== key) loader.prime(alias, found);
  }
}

export type VoucherifyLoaders = ReturnType<typeof createVoucherifyLoaders>;
