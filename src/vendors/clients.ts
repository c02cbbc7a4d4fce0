import type { VendorCache } from '../cache/vendorCache.js';
import type { RedisLink } from '../redis.js';
import { GameballClient } from './gameball/client.js';
import { createGameballLoaders } from './gameball/loaders.js';
import { ImprintClient } from './imprint/client.js';
import { createImprintLoaders } from './imprint/loaders.js';
import type { RequestScope, VendorCallObserver } from './http.js';
import type { LoaderObserver } from './loader.js';
import type { VendorLimits, VendorSettings } from './settings.js';
import { VoucherifyClient } from './voucherify/client.js';
import { createVoucherifyLoaders } from './voucherify/loaders.js';

/** The vendor clients: one per vendor for the life of the process (they own the connection pools). */
export interface VendorClients {
  gameball: GameballClient;
  voucherify: VoucherifyClient;
  imprint: ImprintClient;
}

/** With `redis`, the vendors' rate limits are global: shared by every replica. */
export function createVendorClients(
  settings: VendorSettings,
  limits: VendorLimits,
  observer?: VendorCallObserver,
  redis: RedisLink | null = null,
): VendorClients {
  return {
    gameball: new GameballClient(settings.gameball, limits, observer, redis),
    voucherify: new VoucherifyClient(settings.voucherify, limits, observer, redis),
    imprint: new ImprintClient(settings.imprint, limits, observer, redis),
  };
}

export async function closeVendorClients(clients: VendorClients): Promise<void> {
  await Promise.all([clients.gameball.close(), clients.voucherify.close(), clients.imprint.close()]);
}

/**
 * Fresh loaders for one GraphQL request, no call outliving its scope. What they hold is the
 * request's alone; only public answers go through `cache`, which outlives it (null: CACHE=off).
 */
export function createLoaders(
  clients: VendorClients,
  scope: RequestScope,
  cache: VendorCache | null,
  observer?: LoaderObserver,
) {
  return {
    gameball: createGameballLoaders(clients.gameball, scope, cache, observer),
    voucherify: createVoucherifyLoaders(clients.voucherify, scope, cache, observer),
    imprint: createImprintLoaders(clients.imprint, scope, observer),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
