import { GameballClient } from './gameball/client.js';
import { createGameballLoaders } from './gameball/loaders.js';
import { ImprintClient } from './imprint/client.js';
import { createImprintLoaders } from './imprint/loaders.js';
import type { Deadline } from './http.js';
import type { VendorLimits, VendorSettings } from './settings.js';
import { VoucherifyClient } from './voucherify/client.js';
import { createVoucherifyLoaders } from './voucherify/loaders.js';

/** The vendor clients: one per vendor for the life of the process (they own the connection pools). */
export interface VendorClients {
  gameball: GameballClient;
  voucherify: VoucherifyClient;
  imprint: ImprintClient;
}

export function createVendorClients(settings: VendorSettings, limits: VendorLimits): VendorClients {
  return {
    gameball: new GameballClient(settings.gameball, limits),
    voucherify: new VoucherifyClient(settings.voucherify, limits),
    imprint: new ImprintClient(settings.imprint, limits),
  };
}

export async function closeVendorClients(clients: VendorClients): Promise<void> {
  await Promise.all([clients.gameball.close(), clients.voucherify.close(), clients.imprint.close()]);
}

/** Fresh loaders for one GraphQL request: nothing cached here outlives it, no call its deadline. */
export function createLoaders(clients: VendorClients, deadline: Deadline) {
  return {
    gameball: createGameballLoaders(clients.gameball, deadline),
    voucherify: createVoucherifyLoaders(clients.voucherify, deadline),
    imprint: createImprintLoaders(clients.imprint, deadline),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
