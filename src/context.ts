import type { Caller } from './auth/caller.js';
import { Customers } from './customers/customers.js';
import { createLoaders, type VendorClients } from './vendors/clients.js';

/** Settings the resolvers need, fixed for the life of the process. */
export interface ResolverSettings {
  imprintLinkKey: string;
  currencyCode: string;
  maxCustomersPerQuery: number;
}

/** Per GraphQL request: fresh loaders, so nothing fetched for one request is seen by another. */
export interface Context {
  caller: Caller;
  customers: Customers;
  settings: ResolverSettings;
}

export function createContext(caller: Caller, clients: VendorClients, settings: ResolverSettings): Context {
  return {
    caller,
    customers: new Customers(caller, createLoaders(clients), clients, settings.imprintLinkKey),
    settings,
  };
}
