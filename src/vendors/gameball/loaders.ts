import { keyedLoader, type LoaderObserver } from '../loader.js';
import type { RequestScope } from '../http.js';
import type { GameballClient } from './client.js';

export function createGameballLoaders(client: GameballClient, scope: RequestScope, observer?: LoaderObserver) {
  return {
    profile: keyedLoader('gameball.profile', (customerId) => client.getProfile(customerId, scope), observer),
    details: keyedLoader('gameball.details', (customerId) => client.getDetails(customerId, scope), observer),
    coupons: keyedLoader('gameball.coupons', (customerId) => client.getCoupons(customerId, scope), observer),
    // The hash rotates with each transaction, so it must never outlive the request: like every
    // loader here, this one is created per request.
    redemptionHash: keyedLoader(
      'gameball.redemptionHash',
      (customerId) => client.getRedemptionHash(customerId, scope),
      observer,
    ),
  };
}

export type GameballLoaders = ReturnType<typeof createGameballLoaders>;
