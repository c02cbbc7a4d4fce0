import type { Deadline } from '../http.js';
import { keyedLoader } from '../loader.js';
import type { ImprintClient } from './client.js';

export function createImprintLoaders(client: ImprintClient, deadline: Deadline) {
  return { customer: keyedLoader((imprintId) => client.getCustomer(imprintId, deadline)) };
}

export type ImprintLoaders = ReturnType<typeof createImprintLoaders>;
