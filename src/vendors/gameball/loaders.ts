import type { VendorCache } from '../../cache/vendorCache.js';
import { cachedLoader, keyedLoader, type LoaderObserver } from '../loader.js';
import type { RequestScope } from '../http.js';
import type { GameballClient } from './client.js';

export function createGameballLoaders(
  client: GameballClient,
  scope: RequestScope,
  cache: VendorCache | null,
  observer?: LoaderObserver,
) {
  return {
    // The public profile is the only Gameball answer anyone may see: the only one cached.
    profile: cachedLoader(
      'gameball.profile',
      (customerId, fetchScope) => client.getProfile(customerId, fetchScope),
      cache,
      scope,
      observer,
    ),
    details: keyedLoader('gameball.details', (customerId) => client.getDetails(customerId, scope), observer),
    coupons: keyedLoader('gameball.coupons', (customerId) => client.getCoupons(customerId, scope), observer),
    // The hash rotates with each transaction, so it must never outlive the request: like every
    // loader here, this one is created per request.
    hash: keyedLoader('gameball.hash', (customerId) => client.getRedemptionHash(customerId, scope), observer),
  };
}

export type GameballLoaders = ReturnType<typeof createGameballLoaders>;
