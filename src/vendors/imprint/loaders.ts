import { keyedLoader } from '../loader.js';
import type { ImprintClient } from './client.js';

export function createImprintLoaders(client: ImprintClient) {
  return { customer: keyedLoader((imprintId) => client.getCustomer(imprintId)) };
}

export type ImprintLoaders = ReturnType<typeof createImprintLoaders>;
