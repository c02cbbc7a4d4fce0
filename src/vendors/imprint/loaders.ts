import type { RequestScope } from '../http.js';
import { keyedLoader, type LoaderObserver } from '../loader.js';
import type { ImprintClient } from './client.js';

export function createImprintLoaders(client: ImprintClient, scope: RequestScope, observer?: LoaderObserver) {
  return { customer: keyedLoader('imprint.customer', (imprintId) => client.getCustomer(imprintId, scope), observer) };
}

export type ImprintLoaders = ReturnType<typeof createImprintLoaders>;
