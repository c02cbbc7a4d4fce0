// The vendor reads of the benchmark's baseline (bench/baseline.ts) and plain Apollo reference
// (bench/plainApollo.ts): plain undici GETs over one keep-alive pool per vendor, as many connections
// as the subgraph's VENDOR_MAX_CONCURRENCY, with none of its validation, policies, metrics or logs.
// Configured as the subgraph is (src/config.ts), on the endpoints src/vendors/*/client.ts call.
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config.js';
import { imprintLinkOf, ownCardHolder, ownPromotions } from '../src/customers/customers.js';
import type { VendorEndpoint } from '../src/vendors/endpoints.js';
import type { GameballCoupon, GameballDetails, GameballProfile } from '../src/vendors/gameball/payloads.js';
import type { ImprintCustomer } from '../src/vendors/imprint/payloads.js';
import type { VoucherifyCustomer } from '../src/vendors/voucherify/payloads.js';
import { serveChild } from './processes.js';
import type { Server } from 'node:http';

export const config = loadConfig();
const vendors = config.vendors;
if (!vendors) throw new Error('bench: the vendors are configured as for the subgraph (GAMEBALL_BASE_URL, …)');

/** The JSON each endpoint answers (the raw payload: the subgraph validates it, these servers do not). */
export interface Payloads {
  'gameball.profile': GameballProfile;
  'gameball.details': GameballDetails;
  'gameball.coupons': { coupons: GameballCoupon[] };
  'gameball.hash': { hash: string };
  'voucherify.customer': VoucherifyCustomer;
  'imprint.customer': ImprintCustomer;
}
type Read = keyof Payloads & VendorEndpoint;

function pool(baseUrl: string, headers: Record<string, string>) {
  const agent = new Agent({ connections: config.limits.maxConcurrency, keepAliveTimeout: 10_000 });
  return { agent, base: baseUrl.replace(/\/+$/, ''), headers: { accept: 'application/json', ...headers } };
}
const gameball = pool(vendors.gameball.baseUrl, { apikey: vendors.gameball.apiKey });
const gameballSecret = { ...gameball, headers: { ...gameball.headers, secretkey: vendors.gameball.secretKey } };
const voucherify = pool(vendors.voucherify.baseUrl, {
  'x-app-id': vendors.voucherify.appId,
  'x-app-token': vendors.voucherify.appToken,
});
const imprint = pool(vendors.imprint.baseUrl, { authorization: `Bearer ${vendors.imprint.apiKey}` });

/** Each read's pool and path, as the clients call them (openapi/*.yaml). */
const routes: Record<Read, { pool: typeof gameball; path: (id: string) => string }> = {
  'gameball.profile': { pool: gameball, path: (id) => `/api/v4.0/integrations/customers/${id}` },
  'gameball.details': { pool: gameballSecret, path: (id) => `/api/v4/integrations/customers/${id}/details` },
  'gameball.coupons': { pool: gameballSecret, path: (id) => `/api/v4/integrations/customers/${id}/coupons` },
  'gameball.hash': { pool: gameballSecret, path: (id) => `/api/v4/integrations/customers/${id}/hash` },
  'voucherify.customer': { pool: voucherify, path: (id) => `/v1/customers/${id}` },
  'imprint.customer': { pool: imprint, path: (id) => `/v2/customers/${id}` },
};

/** One vendor read: its JSON payload, null on 404. */
export async function read<E extends Read>(endpoint: E, id: string): Promise<Payloads[E] | null> {
  const { pool, path } = routes[endpoint];
  const { statusCode, body } = await request(pool.base + path(encodeURIComponent(id)), {
    dispatcher: pool.agent,
    headers: pool.headers,
  });
  if (statusCode === 200) return (await body.json()) as Payloads[E];
  await body.dump();
  if (statusCode === 404) return null;
  throw new Error(`${endpoint}: HTTP ${statusCode}`);
}

// The merchant's own records, checked with src/customers/customers.ts's checks. `voucherifyRead`
// and `imprintRead` are `read`, or a request's loaders.

export const promotionsOf = async (id: string, voucherifyRead = (key: string) => read('voucherify.customer', key)) =>
  ownPromotions(await voucherifyRead(id), id);

export async function cardHolderOf(
  id: string,
  promotions: VoucherifyCustomer | null,
  imprintRead = (imprintId: string) => read('imprint.customer', imprintId),
): Promise<ImprintCustomer | null> {
  const link = imprintLinkOf(promotions, config.imprintLinkKey);
  return link ? ownCardHolder(await imprintRead(link), id) : null;
}

/** Serves `server` on the configured HOST:PORT until the parent goes (bench/processes.ts). */
export function serve(server: Server): Promise<void> {
  const agents = [gameball.agent, voucherify.agent, imprint.agent];
  return serveChild(server, config.host, config.port, () => Promise.all(agents.map((agent) => agent.close())));
}
