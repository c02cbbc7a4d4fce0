import { testLimits } from './limits.js';
import { afterEach, beforeEach, expect } from 'vitest';
import { inspect } from 'node:util';
import type { VendorName } from '../../src/vendors/endpoints.js';
import { UpstreamError } from '../../src/vendors/errors.js';
import { GameballClient } from '../../src/vendors/gameball/client.js';
import { ImprintClient } from '../../src/vendors/imprint/client.js';
import type { VendorLimits } from '../../src/vendors/settings.js';
import { VoucherifyClient } from '../../src/vendors/voucherify/client.js';
import { startUpstream, type Upstream } from './upstream.js';

export const credentials = {
  gameball: { apiKey: 'test-api-key', secretKey: 'test-secret-key' },
  voucherify: { appId: 'test-app-id', appToken: 'test-app-token' },
  imprint: { apiKey: 'test-imprint-api-key' },
} as const;

/** Every credential value, for checks that none of them leaks into an error. */
export const credentialValues: string[] = Object.values(credentials).flatMap((c) => Object.values(c));

export const defaultLimits: VendorLimits = testLimits();

export function gameballClient(baseUrl: string, limits: Partial<VendorLimits> = {}): GameballClient {
  return new GameballClient({ baseUrl, ...credentials.gameball }, { ...defaultLimits, ...limits });
}

export function voucherifyClient(baseUrl: string, limits: Partial<VendorLimits> = {}): VoucherifyClient {
  return new VoucherifyClient({ baseUrl, ...credentials.voucherify }, { ...defaultLimits, ...limits });
}

export function imprintClient(baseUrl: string, limits: Partial<VendorLimits> = {}): ImprintClient {
  return new ImprintClient({ baseUrl, ...credentials.imprint }, { ...defaultLimits, ...limits });
}

/** Each vendor's "no such customer" answer, as its document shows it (openapi/, seeds 001 and 003). */
export const notFoundBodies: Record<VendorName, unknown> = {
  gameball: { code: 404, message: 'Customer not found' },
  voucherify: {
    code: 404,
    key: 'not_found',
    message: 'Resource not found',
    details: 'Cannot find customer with id cust_123',
    request_id: 'v-0c1f2e3d4b5a6978',
    resource_id: 'cust_123',
    resource_type: 'customer',
  },
  imprint: { type: 'CUSTOMER_NOT_FOUND_ERROR', message: 'Customer not found' },
};

/** One client endpoint, opened on a base URL; `call` takes the customer id. */
export interface Bound {
  call(id: string): Promise<unknown>;
  close(): Promise<void>;
}

/** What the vendor-independent tests need to know about one client endpoint. */
export interface Endpoint {
  vendor: VendorName;
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** The raw path the vendor must receive, given the id as it must appear in it (already encoded). */
  path(encodedId: string): string;
  /** False for the upsert, which carries the id in its body. */
  idInPath: boolean;
  /** False for delete, which ignores the body of a 2xx. */
  readsBody: boolean;
  /** A small valid 2xx payload and what the client resolves to for it. */
  ok: { body: unknown; result: unknown };
  /** A 2xx payload that breaks the documented schema (a wrong type). */
  invalid: Record<string, unknown>;
  /** The paths the validation error names for `invalid`. */
  invalidPaths: string[];
  /** What the client resolves to on 404. */
  notFound: null | false;
  open(baseUrl: string, limits?: Partial<VendorLimits>): Bound;
}

// Where openapi/gameball.yaml puts each route (the seeds' OpenAPI pages, else their prose).
const gameballBase = '/api/v4.0/integrations/customers';
const gameballProseBase = '/api/v4/integrations/customers';

function gameball(run: (client: GameballClient, id: string) => Promise<unknown>) {
  return (baseUrl: string, limits?: Partial<VendorLimits>): Bound => {
    const client = gameballClient(baseUrl, limits);
    return { call: async (id) => run(client, id), close: () => client.close() };
  };
}

export const endpoints: Endpoint[] = [
  {
    vendor: 'gameball',
    name: 'getProfile',
    method: 'GET',
    path: (id) => `${gameballBase}/${id}`,
    idInPath: true,
    readsBody: true,
    ok: { body: { customerId: 'c-1', gameballId: 1 }, result: { customerId: 'c-1', gameballId: 1 } },
    invalid: { customerId: 12345, gameballId: 1 },
    invalidPaths: ['customerId'],
    notFound: null,
    open: gameball((client, id) => client.getProfile(id)),
  },
  {
    vendor: 'gameball',
    name: 'getDetails',
    method: 'GET',
    path: (id) => `${gameballProseBase}/${id}/details`,
    idInPath: true,
    readsBody: true,
    ok: { body: { customerId: 'c-1', gameballId: 1 }, result: { customerId: 'c-1', gameballId: 1 } },
    invalid: { customerId: 'c-1', customerAttributes: { email: 42 } },
    invalidPaths: ['customerAttributes.email'],
    notFound: null,
    open: gameball((client, id) => client.getDetails(id)),
  },
  {
    vendor: 'gameball',
    name: 'getCoupons',
    method: 'GET',
    path: (id) => `${gameballProseBase}/${id}/coupons`,
    idInPath: true,
    readsBody: true,
    ok: { body: { coupons: [{ code: 'C1' }] }, result: [{ code: 'C1' }] },
    invalid: { coupons: [{ code: 7 }] },
    invalidPaths: ['coupons.0.code'],
    notFound: null,
    open: gameball((client, id) => client.getCoupons(id)),
  },
  {
    vendor: 'gameball',
    name: 'getRedemptionHash',
    method: 'GET',
    path: (id) => `${gameballProseBase}/${id}/hash`,
    idInPath: true,
    readsBody: true,
    ok: { body: { hash: '000123' }, result: '000123' },
    invalid: { hash: 123 },
    invalidPaths: ['hash'],
    notFound: null,
    open: gameball((client, id) => client.getRedemptionHash(id)),
  },
  {
    vendor: 'gameball',
    name: 'upsert',
    method: 'POST',
    path: () => gameballBase,
    idInPath: false,
    readsBody: true,
    ok: { body: { gameballId: 417984 }, result: 417984 },
    invalid: { gameballId: '417984' },
    invalidPaths: ['gameballId'],
    notFound: null,
    open: gameball((client, id) => client.upsert({ customerId: id })),
  },
  {
    vendor: 'gameball',
    name: 'delete',
    method: 'DELETE',
    path: (id) => `${gameballProseBase}/${id}`,
    idInPath: true,
    readsBody: false,
    ok: { body: {}, result: true },
    invalid: {},
    invalidPaths: [],
    notFound: false,
    open: gameball((client, id) => client.delete(id)),
  },
  {
    vendor: 'voucherify',
    name: 'getCustomer',
    method: 'GET',
    path: (id) => `/v1/customers/${id}`,
    idInPath: true,
    readsBody: true,
    ok: {
      body: { id: 'cust_1', summary: null, loyalty: null, referrals: null, object: 'customer' },
      result: { id: 'cust_1', summary: null, loyalty: null, referrals: null, object: 'customer' },
    },
    invalid: { id: 'cust_1', summary: null, loyalty: null, referrals: null, object: 'voucher' },
    invalidPaths: ['object'],
    notFound: null,
    open: (baseUrl, limits) => {
      const client = voucherifyClient(baseUrl, limits);
      return { call: async (id) => client.getCustomer(id), close: () => client.close() };
    },
  },
  {
    vendor: 'imprint',
    name: 'getCustomer',
    method: 'GET',
    path: (id) => `/v2/customers/${id}`,
    idInPath: true,
    readsBody: true,
    ok: { body: { id: 'BBB815E9' }, result: { id: 'BBB815E9' } },
    invalid: { id: 'BBB815E9', date_of_birth: { year: '1990' } },
    invalidPaths: ['date_of_birth.year'],
    notFound: null,
    open: (baseUrl, limits) => {
      const client = imprintClient(baseUrl, limits);
      return { call: async (id) => client.getCustomer(id), close: () => client.close() };
    },
  },
];

/**
 * A fresh upstream server per test, closed after it together with the clients registered with `use`.
 * The server closes first, so requests left hanging end and the clients close promptly.
 */
export function useUpstream(): { readonly up: Upstream; use<T extends { close(): Promise<void> }>(client: T): T } {
  let current: Upstream | undefined;
  const clients: Array<{ close(): Promise<void> }> = [];
  beforeEach(async () => {
    current = await startUpstream();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  return {
    get up() {
      if (!current) throw new Error('useUpstream: no server outside a test');
      return current;
    },
    use(client) {
      clients.push(client);
      return client;
    },
  };
}

/** The error a call rejects with, which must be an UpstreamError. */
export async function upstreamFailure(call: Promise<unknown>): Promise<UpstreamError> {
  const outcome = await call.then(
    () => new Error('expected the call to fail, it succeeded'),
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(UpstreamError);
  return outcome as UpstreamError;
}

/**
 * Asserts that none of `needles` shows anywhere in the error as a caller could render it: message,
 * string form, stack, cause. Failures name the needle's index only, so nothing sensitive is printed.
 */
export function expectNoLeak(error: Error, needles: string[]): void {
  const renderings = { message: error.message, string: String(error), inspected: inspect(error, { depth: 10 }) };
  needles.forEach((needle, index) => {
    for (const [form, text] of Object.entries(renderings)) {
      expect(text.includes(needle), `error ${form} contains forbidden value #${index}`).toBe(false);
    }
  });
}
