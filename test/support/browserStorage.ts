import type { Page } from 'playwright-core';

/** One thing a page left in the browser: where, under which name, and its value. */
export interface StoredItem {
  /** `cookie`, `localStorage`, `sessionStorage`, `cacheStorage`, or another part of Playwright's storage state (`indexedDB`). */
  place: string;
  name: string;
  value: string;
}

/** Everything the page's origin keeps in the browser: cookies, web storage, IndexedDB and Cache Storage. */
export async function storedInBrowser(page: Page): Promise<StoredItem[]> {
  const state = await page.context().storageState({ indexedDB: true });
  const items: StoredItem[] = state.cookies.map((cookie) => ({
    place: 'cookie',
    name: cookie.name,
    value: cookie.value,
  }));
  for (const origin of state.origins) {
    const { origin: name, localStorage, ...others } = origin as typeof origin & Record<string, unknown>;
    for (const item of localStorage) items.push({ place: 'localStorage', name: item.name, value: item.value });
    // IndexedDB (asked for above, missing from Playwright's result type) and whatever else it reports.
    for (const [place, value] of Object.entries(others)) items.push({ place, name, value: JSON.stringify(value) });
  }
  // In-page code is given as text: this project's types are Node's, not the DOM's.
  const session = await page.evaluate<[string, string][]>('Object.entries(sessionStorage)');
  for (const [name, value] of session) items.push({ place: 'sessionStorage', name, value });
  const cached = await page.evaluate<string[]>(
    "(async () => { if (!('caches' in self)) return []; const names = await caches.keys(); return Promise.all(names.map(async (name) => (await (await caches.open(name)).keys()).map((request) => name + ' ' + request.url).join('\\n'))); })()",
  );
  for (const entries of cached)
    items.push({ place: 'cacheStorage', name: entries.split(' ')[0] ?? '', value: entries });
  return items;
}

/** A bearer token or anything shaped like a JWT. */
const tokenLike = /bearer|eyJ[\w-]+\.[\w-]+\.[\w-]*/i;

/**
 * Where the browser holds something token-like or one of `secrets`, as `place name` only: a failing
 * assertion prints where, never the value.
 */
export function placesHoldingTokens(items: StoredItem[], secrets: string[] = []): string[] {
  return items
    .filter(({ value }) => tokenLike.test(value) || secrets.some((secret) => value.includes(secret)))
    .map(({ place, name }) => `${place} ${name}`);
}
