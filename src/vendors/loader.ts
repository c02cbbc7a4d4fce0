import DataLoader from 'dataloader';

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

/** Told the size of every batch a loader dispatches (metrics). */
export interface LoaderObserver {
  batch(loader: string, size: number): void;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
