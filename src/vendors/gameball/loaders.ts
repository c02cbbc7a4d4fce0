import { keyedLoader } from '../loader.js';
import type { GameballClient } from './client.js';

export function createGameballLoaders(client: GameballClient) {
  return {
    profile: keyedLoader((customerId) => client.getProfile(customerId)),
    details: keyedLoader((customerId) => client.getDetails(customerId)),
    coupons: keyedLoader((customerId) => client.getCoupons(customerId)),
    // The hash rotates with each transaction, so it must never outlive the request: like every
    // loader here, this one is created per request.
    redemptionHash: keyedLoader((customerId) => client.getRedemptionHash(customerId)),
  };
}

export type GameballLoaders = ReturnType<typeof createGameballLoaders>;
