// The vendor reads of the baseline (bench/baseline.ts) and the plain Apollo reference
// (bench/plainApollo.ts): plain undici GETs over one keep-alive pool per vendor, as many connections
// as the subgraph's VENDOR_MAX_CONCURRENCY, with none of its validation, policies, metrics or logs.
// Configured as the subgraph is (src/config.ts), on the endpoints src/vendors/*/client.ts call.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config.js';
import { imprintLinkOf, ownCardHolder, ownPromotions } from '../src/customers/customers.js';
import type { VendorEndpoint } from '../src/vendors/endpoints.js';
import type { GameballCoupon, GameballDetails, GameballProfile } from '../src/vendors/gameball/payloads.js';
import type { ImprintCustomer } from '../src/vendors/imprint/payloads.js';
import type { VoucherifyCustomer } from '../src/vendors/voucherify/payloads.js';
import { parseJson, serveChild } from './processes.js';

export const config = loadConfig();
const vendors = config.vendors;
if (!vendors) throw new Error('bench: the vendors are configured as for the subgraph (GAMEBALL_BASE_URL, …)');

/** The JSON each endpoint answers (raw: the subgraph validates it, these servers do not). */
export interface Payloads {
  'gameball.profile': GameballProfile;
  'gameball.details': GameballDetails;
  'gameball.coupons': { coupons: GameballCoupon[] };
  'gameball.hash': { hash: string };
  'voucherify.customer': VoucherifyCustomer;
  'imprint.customer': ImprintCustomer;
}
type Read = keyof Payloads & VendorEndpoint;

const pool = (baseUrl: string, headers: Record<string, string>) => ({
  agent: new Agent({ connections: config.limits.maxConcurrency, keepAliveTimeout: 10_000 }),
  base: baseUrl.replace(/\/+$/, ''),
  headers: { accept: 'application/json', ...headers },
});
const gameball = pool(vendors.gameball.baseUrl, { apikey: vendors.gameball.apiKey });
const secret = { ...gameball, headers: { ...gameball.headers, secretkey: vendors.gameball.secretKey } };
const { appId, appToken } = vendors.voucherify;
const voucherify = pool(vendors.voucherify.baseUrl, { 'x-app-id': appId, 'x-app-token': appToken });
const imprint = pool(vendors.imprint.baseUrl, { authorization: `Bearer ${vendors.imprint.apiKey}` });

/** Each read's pool and path, as the clients call them (openapi/*.yaml). */
const routes: Record<Read, [typeof gameball, (id: string) => string]> = {
  'gameball.profile': [gameball, (id) => `/api/v4.0/integrations/customers/${id}`],
  'gameball.details': [secret, (id) => `/api/v4/integrations/customers/${id}/details`],
  'gameball.coupons': [secret, (id) => `/api/v4/integrations/customers/${id}/coupons`],
  'gameball.hash': [secret, (id) => `/api/v4/integrations/customers/${id}/hash`],
  'voucherify.customer': [voucherify, (id) => `/v1/customers/${id}`],
  'imprint.customer': [imprint, (id) => `/v2/customers/${id}`],
};

/** One vendor read: its JSON payload, null on 404. */
export async function read<E extends Read>(endpoint: E, id: string): Promise<Payloads[E] | null> {
  const [{ agent, base, headers }, path] = routes[endpoint];
  const { statusCode, body } = await request(base + path(encodeURIComponent(id)), { dispatcher: agent, headers });
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

/**
 * Serves `handle` (a request and its JSON body) on the configured HOST:PORT until the parent goes
 * (bench/processes.ts); a request it fails is cut off, which the load generator counts.
 */
export function serve(handle: (request: IncomingMessage, body: unknown, response: ServerResponse) => Promise<void>) {
  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
    await handle(request, parseJson(Buffer.concat(chunks).toString('utf8')), response);
  };
  const server = createServer((request, response) => void answer(request, response).catch(() => response.destroy()));
  const agents = [gameball, voucherify, imprint].map(({ agent }) => agent);
  return serveChild(server, config.host, config.port, () => Promise.all(agents.map((agent) => agent.close())));
}
