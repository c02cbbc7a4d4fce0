import DataLoader from 'dataloader';

/**
 * A per-request loader for a vendor endpoint that takes one id per call: each distinct key is
 * fetched once per request, all keys of a tick in parallel (the vendor's HTTP layer caps how many
 * are in flight), and a failure is returned for its own key only.
 */
export function keyedLoader<V>(fetch: (key: string) => Promise<V>): DataLoader<string, V> {
  return new DataLoader<string, V>((keys) =>
    Promise.all(keys.map((key) => fetch(key).catch((error: unknown) => asError(error)))),
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
