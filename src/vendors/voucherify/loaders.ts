import type DataLoader from 'dataloader';
import type { RequestScope } from '../http.js';
import { keyedLoader, type LoaderObserver } from '../loader.js';
import type { VoucherifyClient } from './client.js';
import type { VoucherifyCustomer } from './payloads.js';

export function createVoucherifyLoaders(client: VoucherifyClient, scope: RequestScope, observer?: LoaderObserver) {
  // Voucherify answers to its own id and to the merchant's source id alike. A record fetched by
  // one is cached under the other as well, so a referrer fetched by Voucherify id is not fetched
  // again when its merchant-id fields are resolved.
  const customer: DataLoader<string, VoucherifyCustomer | null> = keyedLoader(
    'voucherify.customer',
    async (idOrSourceId) => {
      const found = await client.getCustomer(idOrSourceId, scope);
      if (found) {
        for (const alias of [found.id, found.source_id]) {
          if (alias && alias !== idOrSourceId) customer.prime(alias, found);
        }
      }
      return found;
    },
    observer,
  );
  return { customer };
}

export type VoucherifyLoaders = ReturnType<typeof createVoucherifyLoaders>;
