import type { Caller } from './auth/caller.js';
import { Customers } from './customers/customers.js';
import { createLoaders, type VendorClients } from './vendors/clients.js';
import { deadlineIn } from './vendors/http.js';

/** Settings the resolvers need, fixed for the life of the process. */
export interface ResolverSettings {
  imprintLinkKey: string;
  currencyCode: string;
  maxCustomersPerQuery: number;
  requestDeadlineMs: number;
}

/** Per GraphQL request: fresh loaders, so nothing fetched for one request is seen by another. */
export interface Context {
  caller: Caller;
  customers: Customers;
  settings: ResolverSettings;
}

/** Per GraphQL request: the caller, fresh loaders and the request's deadline for vendor calls. */
export function createContext(caller: Caller, clients: VendorClients, settings: ResolverSettings): Context {
  const deadline = deadlineIn(settings.requestDeadlineMs);
  const customers = new Customers(caller, createLoaders(clients, deadline), clients, deadline, settings.imprintLinkKey);
  return { caller, customers, settings };
}
