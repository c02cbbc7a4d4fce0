import DataLoader from 'dataloader';
import type { CacheFetch, CachedEndpoint, VendorCache } from '../cache/vendorCache.js';
import { asError } from './errors.js';
import type { RequestScope } from './http.js';

/**
 * A per-request loader for a vendor endpoint that takes one id per call: each distinct key is
 * fetched once per request, all keys of a tick in parallel (the vendor's HTTP layer caps how many
 * are in flight), and a failure is returned for its own key only.
 */
export function keyedLoader<V>(
  name: string,
  fetch: (key: string) => Promise<V>,
  observer?: LoaderObserver,
): DataLoader<string, V> {
  return new DataLoader<string, V>((keys) => {
    observer?.batch(name, keys.length);
    return Promise.all(keys.map((key) => fetch(key).catch((error: unknown) => asError(error))));
  });
}

/**
 * A per-request loader for an endpoint whose answers anyone may see: each batch goes through the
 * vendor-response cache (`null` when CACHE=off) before the vendor. `fetch` is given the scope to
 * call in: the request's, or a background refresh's.
 */
export function cachedLoader<V>(
  endpoint: CachedEndpoint,
  fetch: CacheFetch<V>,
  cache: VendorCache | null,
  scope: RequestScope,
  observer?: LoaderObserver,
): DataLoader<string, V | null> {
  if (!cache) return keyedLoader(endpoint, (key) => fetch(key, scope), observer);
  return new DataLoader<string, V | null>((keys) => {
    observer?.batch(endpoint, keys.length);
    return cache.load(endpoint, keys, fetch, scope);
  });
}

/** Told the size of every batch a loader dispatches (metrics). */
export interface LoaderObserver {
  batch(loader: string, size: number): void;
}
