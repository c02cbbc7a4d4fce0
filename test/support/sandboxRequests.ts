import type { SandboxVendors } from '../../src/sandbox/vendors.js';

// Plain HTTP requests to the sandbox fakes, as a vendor client would send them: for the tests that
// hold the fakes to the vendors' documents.

export interface Exchange {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  text: string;
  json: unknown;
}

export async function request(url: string, init: RequestInit = {}): Promise<Exchange> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    retryAfter: response.headers.get('retry-after'),
    text,
    json,
  };
}

export function gameballHeaders(sandbox: SandboxVendors, secret = false): Record<string, string> {
  const { apiKey, secretKey } = sandbox.settings.gameball;
  return secret ? { apikey: apiKey, secretkey: secretKey } : { apikey: apiKey };
}

export function voucherifyHeaders(sandbox: SandboxVendors): Record<string, string> {
  return { 'X-App-Id': sandbox.settings.voucherify.appId, 'X-App-Token': sandbox.settings.voucherify.appToken };
}

export function imprintHeaders(sandbox: SandboxVendors): Record<string, string> {
  return { Authorization: `Bearer ${sandbox.settings.imprint.apiKey}` };
}

/** A Gameball route, by default under the prefix the client calls it at (openapi/gameball.yaml). */
export function gameball(
  sandbox: SandboxVendors,
  path: string,
  init: RequestInit = {},
  version = init.method === 'DELETE' || /\/(details|coupons|hash|delete)$/.test(path) ? 'v4' : 'v4.0',
): Promise<Exchange> {
  return request(`${sandbox.settings.gameball.baseUrl}/api/${version}/integrations/customers${path}`, init);
}

export function voucherify(
  sandbox: SandboxVendors,
  id: string,
  headers = voucherifyHeaders(sandbox),
): Promise<Exchange> {
  return request(`${sandbox.settings.voucherify.baseUrl}/v1/customers/${encodeURIComponent(id)}`, { headers });
}

export function imprint(sandbox: SandboxVendors, id: string, headers = imprintHeaders(sandbox)): Promise<Exchange> {
  return request(`${sandbox.settings.imprint.baseUrl}/v2/customers/${encodeURIComponent(id)}`, { headers });
}

export function upsert(sandbox: SandboxVendors, body: unknown, version = 'v4.0'): Promise<Exchange> {
  return gameball(
    sandbox,
    '',
    {
      method: 'POST',
      headers: { ...gameballHeaders(sandbox), 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    },
    version,
  );
}

/** Runs `work` over `items`, `width` at a time. */
export async function inBatches<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  for (let start = 0; start < items.length; start += width) {
    await Promise.all(items.slice(start, start + width).map(work));
  }
}
