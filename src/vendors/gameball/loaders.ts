import { keyedLoader } from '../loader.js';
import type { Deadline } from '../http.js';
import type { GameballClient } from './client.js';

export function createGameballLoaders(client: GameballClient, deadline: Deadline) {
  return {
    profile: keyedLoader((customerId) => client.getProfile(customerId, deadline)),
    details: keyedLoader((customerId) => client.getDetails(customerId, deadline)),
    coupons: keyedLoader((customerId) => client.getCoupons(customerId, deadline)),
    // The hash rotates with each transaction, so it must never outlive the request: like every
    // loader here, this one is created per request.
    redemptionHash: keyedLoader((customerId) => client.getRedemptionHash(customerId, deadline)),
  };
}

export type GameballLoaders = ReturnType<typeof createGameballLoaders>;
