import { quotaKeyOf, type Caller } from './auth/caller.js';
import type { Denials } from './auth/guard.js';
import type { VendorCache } from './cache/vendorCache.js';
import { CustomerBudget } from './customers/budget.js';
import { Customers } from './customers/customers.js';
import { createLoaders, type VendorClients } from './vendors/clients.js';
import { requestScope, type RequestEnd, type RequestScope } from './vendors/http.js';
import type { LoaderObserver } from './vendors/loader.js';

/** Settings the resolvers need, fixed for the life of the process. */
export interface ResolverSettings {
  imprintLinkKey: string;
  currencyCode: string;
  maxCustomersPerRequest: number;
  requestDeadlineMs: number;
}

/** Per GraphQL request: fresh loaders, so nothing personal fetched for one request is seen by another. */
export interface Context {
  caller: Caller;
  customers: Customers;
  /** The customers this request has looked up, against MAX_CUSTOMERS_PER_REQUEST. */
  budget: CustomerBudget;
  /** Fields refused to the caller so far (src/auth/guard.ts caps their errors). */
  denials: Denials;
  settings: ResolverSettings;
  /** The request's id, deadline and vendor call count. */
  scope: RequestScope;
}

/**
 * Per GraphQL request: the caller, fresh loaders over the process's vendor clients and cache, and
 * the scope of its vendor calls (deadline, request id, quota key; `ended`'s close aborts them all:
 * the request is over).
 */
export function createContext(
  caller: Caller,
  request: { requestId: string; ended?: RequestEnd },
  vendors: { clients: VendorClients; cache: VendorCache | null; observer?: LoaderObserver },
  settings: ResolverSettings,
): Context {
  const scope = requestScope(settings.requestDeadlineMs, { ...request, caller: quotaKeyOf(caller) });
  const loaders = createLoaders(vendors.clients, scope, vendors.cache, vendors.observer);
  const budget = new CustomerBudget(settings.maxCustomersPerRequest);
  const customers = new Customers(caller, loaders, vendors, scope, budget, settings.imprintLinkKey);
  return { caller, customers, budget, denials: { count: 0 }, settings, scope };
}
