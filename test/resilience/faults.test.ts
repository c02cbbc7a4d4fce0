import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxEdgeCases as edge } from '../../src/sandbox/dataset.js';
import type { UpstreamCode } from '../../src/errors.js';
import { vendorNames, vendorOf, type VendorName } from '../../src/vendors/endpoints.js';
import { vendorTitles } from '../../src/vendors/errors.js';
import { imprintLinkOf } from '../support/expected.js';
import { customerQuery, customersQuery } from '../support/graphql.js';
import { resilientEnv, startTestSubgraph, type FaultyTestSubgraph, type GraphQLResponse } from '../support/subgraph.js';
import { json, type Reply, type Upstream } from '../support/upstream.js';

// The subgraph over real HTTP with the resilience policies on (retries, breaker, attempt timeout,
// request deadline), one vendor at a time failing the way vendors fail: 500/503, never answering,
// 429 with Retry-After, connection refused, malformed JSON, a body that stalls. Each time only that
// vendor's fields are null, each with an error naming the vendor and a code, the other vendors'
// data is there, the vendor was called as often as the policies allow and no more, and once the
// vendor is healthy again the same query answers as before. Client-level policy details are in
// vendorPolicies.test.ts.

type Customer = Record<string, unknown>;
// Fields from each vendor for the rich customer (known to all three). Imprint is reached through
// the link kept in Voucherify, so Imprint's fields also depend on Voucherify.
const gameballFields = ['gameballId', 'gender'];
const voucherifyFields = ['orderSummary', 'loyaltyPoints'];
const imprintFields = ['cardPrograms'];
const selection = 'id gameballId gender orderSummary { count } loyaltyPoints { balance } cardPrograms { name status }';

const gameballProfile = (id: string) => `/api/v4.0/integrations/customers/${id}`;
const gameballCoupons = (id: string) => `/api/v4/integrations/customers/${id}/coupons`;
const voucherifyCustomer = (id: string) => `/v1/customers/${id}`;
const imprintCustomer = (imprintId: string) => `/v2/customers/${imprintId}`;

/** A JSON reply whose body is given as it is sent, so that it may be malformed. */
const jsonText = (status: number, body: string): Reply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body,
});

let subgraph: FaultyTestSubgraph | undefined;

afterEach(async () => {
  await subgraph?.close();
  subgraph = undefined;
});

async function start(faulty: VendorName, env: Record<string, string> = {}): Promise<FaultyTestSubgraph> {
  subgraph = await startTestSubgraph({ faulty, env: { ...resilientEnv, ...env } });
  return subgraph;
}

async function queryCustomer(id: string = edge.rich): Promise<GraphQLResponse<{ customer: Customer | null }>> {
  return subgraph!.query<{ customer: Customer | null }>(customerQuery(selection), { id });
}

/** The healthy answer, checked to hold every vendor's data; the counts are reset after it. */
async function baseline(id: string = edge.rich): Promise<Customer> {
  const response = await queryCustomer(id);
  expect(response.status).toBe(200);
  expect(response.errors).toBeUndefined();
  const customer = response.data?.customer;
  // Known to Gameball and Voucherify (and, for the rich customer, to Imprint through its link).
  expect(customer).toEqual(
    expect.objectContaining({
      id,
      gameballId: expect.any(String) as unknown,
      orderSummary: expect.any(Object) as unknown,
      ...(id === edge.rich ? { cardPrograms: expect.any(Array) as unknown } : {}),
    }),
  );
  resetCalls();
  return customer!;
}

function resetCalls(): void {
  subgraph!.sandbox.resetCalls();
  subgraph!.vendor.reset();
}

/** Calls each vendor received: the faulty one counts at its own door (failed calls never reach the fake). */
function callsPerVendor(faulty: VendorName): Record<VendorName, number> {
  const atFake = (vendor: VendorName) =>
    subgraph!.sandbox.calls.filter((call) => vendorOf(call.endpoint) === vendor).length;
  const count = (vendor: VendorName) => (vendor === faulty ? subgraph!.vendor.requests.length : atFake(vendor));
  return Object.fromEntries(vendorNames.map((vendor) => [vendor, count(vendor)])) as Record<VendorName, number>;
}

function withNulls(customer: Customer, fields: readonly string[]): Customer {
  return { ...customer, ...Object.fromEntries(fields.map((field) => [field, null])) };
}

/**
 * The partial result: HTTP 200, the customer as in `healthy` with only `fields` null, and exactly
 * one error per nulled field, at its path, with `{ code, vendor }` and a message naming the vendor.
 */
function expectOnlyVendorFailed(
  response: GraphQLResponse<{ customer: Customer | null }>,
  healthy: Customer,
  failure: { vendor: VendorName; code: UpstreamCode; fields: readonly string[] },
): void {
  expect(response.status).toBe(200);
  expect(response.data?.customer).toEqual(withNulls(healthy, failure.fields));
  const errors = [...(response.errors ?? [])].sort((a, b) => String(a.path).localeCompare(String(b.path)));
  expect(errors.map(({ path, extensions }) => ({ path, extensions }))).toEqual(
    [...failure.fields]
      .sort()
      .map((field) => ({ path: ['customer', field], extensions: { code: failure.code, vendor: failure.vendor } })),
  );
  for (const error of errors) expect(error.message).toContain(vendorTitles[failure.vendor]);
}

/** The vendor healed: the same query answers exactly as before, without errors. */
async function expectRecovered(healthy: Customer, id: string = edge.rich): Promise<void> {
  subgraph!.vendor.respond(null);
  const response = await queryCustomer(id);
  expect(response.status).toBe(200);
  expect(response.errors).toBeUndefined();
  expect(response.data?.customer).toEqual(healthy);
}

/** One way a vendor fails a customer lookup, and what the subgraph must make of it. */
interface VendorFault {
  title: string;
  faulty: VendorName;
  /** On top of `resilientEnv`. */
  env?: Record<string, string>;
  /** Makes the vendor fail. */
  fail: (vendor: Upstream) => void | Promise<void>;
  /** Makes it healthy again, besides answering as the fake does (`expectRecovered`). */
  heal?: (vendor: Upstream) => Promise<void>;
  code: UpstreamCode;
  /** The fields that are null, each with its error. */
  fields: readonly string[];
  /** Calls each vendor received for the failed query (`callsPerVendor`). */
  calls: Record<VendorName, number>;
  /** Calls the faulty vendor received for one path, where the case pins it. */
  atPath?: { path: () => string; count: number };
  /** The failed query answers within this, where the fault could make it wait. */
  withinMs?: number;
}

/** The rich customer's Imprint id, as kept in Voucherify. */
function richImprintId(): string {
  const imprintId = imprintLinkOf(subgraph!.sandbox.dataset, edge.rich);
  expect(imprintId).toBeTruthy();
  return imprintId!;
}

const eachVendorOnce = { gameball: 1, voucherify: 1, imprint: 1 };

const vendorFaults: VendorFault[] = [
  {
    title: 'Gameball 500: UPSTREAM_UNAVAILABLE, not retried (one call), the other vendors intact',
    faulty: 'gameball',
    fail: (vendor) => vendor.respond(() => json(500, { message: 'Internal Server Error' })),
    code: 'UPSTREAM_UNAVAILABLE',
    fields: gameballFields,
    calls: eachVendorOnce,
    atPath: { path: () => gameballProfile(edge.rich), count: 1 },
  },
  {
    title: 'Gameball never answers: UPSTREAM_TIMEOUT after the attempt timeout, not retried, well within the deadline',
    faulty: 'gameball',
    env: { UPSTREAM_TIMEOUT_MS: '250', REQUEST_DEADLINE_MS: '5000' },
    fail: (vendor) => vendor.respond(() => ({ hang: true })),
    code: 'UPSTREAM_TIMEOUT',
    fields: gameballFields,
    calls: eachVendorOnce,
    withinMs: 5_000,
  },
  {
    title:
      'Gameball never answers, with a deadline shorter than the attempt timeout: UPSTREAM_TIMEOUT when the request runs out of time',
    faulty: 'gameball',
    env: { UPSTREAM_TIMEOUT_MS: '10000', REQUEST_DEADLINE_MS: '500' },
    fail: (vendor) => vendor.respond(() => ({ hang: true })),
    code: 'UPSTREAM_TIMEOUT',
    fields: gameballFields,
    calls: eachVendorOnce,
    // Gave up with the request's deadline, long before the 10 s attempt timeout.
    withinMs: 5_000,
  },
  {
    title: 'Gameball 429 with a Retry-After past the request deadline: UPSTREAM_RATE_LIMITED at once, one call',
    faulty: 'gameball',
    fail: (vendor) => vendor.respond(() => json(429, {}, { 'retry-after': '30' })),
    code: 'UPSTREAM_RATE_LIMITED',
    fields: gameballFields,
    calls: eachVendorOnce,
    withinMs: 4_000, // did not sit out the 30 s, nor the 4 s deadline
  },
  {
    title: 'Gameball refuses connections: UPSTREAM_UNAVAILABLE; answers normally once the vendor listens again',
    faulty: 'gameball',
    fail: (vendor) => vendor.refuseConnections(),
    heal: (vendor) => vendor.acceptConnections(),
    code: 'UPSTREAM_UNAVAILABLE',
    fields: gameballFields,
    calls: { gameball: 0, voucherify: 1, imprint: 1 },
  },
  {
    title: 'Gameball sends malformed JSON in a 200: UPSTREAM_BAD_RESPONSE, not retried',
    faulty: 'gameball',
    fail: (vendor) => vendor.respond(() => jsonText(200, '{"customerId": "cust_')),
    code: 'UPSTREAM_BAD_RESPONSE',
    fields: gameballFields,
    calls: eachVendorOnce,
  },
  {
    title: 'Gameball stalls the body after the headers: UPSTREAM_TIMEOUT, not retried',
    faulty: 'gameball',
    env: { UPSTREAM_TIMEOUT_MS: '300' },
    fail: (vendor) => vendor.respond(() => ({ ...jsonText(200, '{"customerId": "'), stall: true })),
    code: 'UPSTREAM_TIMEOUT',
    fields: gameballFields,
    calls: eachVendorOnce,
    withinMs: 4_000,
  },
  {
    title:
      "Voucherify 503: its fields and the Imprint fields reached through its link are null (vendor voucherify), retried 1 + 2 times; Gameball's intact",
    faulty: 'voucherify',
    fail: (vendor) => vendor.respond(() => json(503, {})),
    code: 'UPSTREAM_UNAVAILABLE',
    fields: [...voucherifyFields, ...imprintFields],
    calls: { gameball: 1, voucherify: 3, imprint: 0 },
    atPath: { path: () => voucherifyCustomer(edge.rich), count: 3 },
  },
  {
    title: 'Imprint never answers: only the card fields are null with UPSTREAM_TIMEOUT (vendor imprint)',
    faulty: 'imprint',
    env: { UPSTREAM_TIMEOUT_MS: '250' },
    fail: (vendor) => vendor.respond(() => ({ hang: true })),
    code: 'UPSTREAM_TIMEOUT',
    fields: imprintFields,
    calls: eachVendorOnce,
    atPath: { path: () => imprintCustomer(richImprintId()), count: 1 },
  },
];

describe('a failing vendor nulls only its own fields, with retries and the breaker on', () => {
  const cases = vendorFaults.map((fault) => [fault.title, fault] as const);
  it.each(cases)('%s', async (_, { faulty, env, fail, heal, code, fields, calls, atPath, withinMs }) => {
    await start(faulty, env);
    const healthy = await baseline();
    await fail(subgraph!.vendor);

    const started = performance.now();
    const response = await queryCustomer();
    const elapsed = performance.now() - started;

    expectOnlyVendorFailed(response, healthy, { vendor: faulty, code, fields });
    if (withinMs !== undefined) expect(elapsed).toBeLessThan(withinMs);
    if (atPath) expect(subgraph!.vendor.count(atPath.path())).toBe(atPath.count);
    expect(callsPerVendor(faulty)).toEqual(calls);

    await heal?.(subgraph!.vendor);
    await expectRecovered(healthy);
  });
});

describe('Gameball retried as far as its answers allow', () => {
  it('503: retried, exactly 1 + 2 calls per endpoint per customer, then UPSTREAM_UNAVAILABLE', async () => {
    // A breaker that does not open within this test: the retries alone are counted here.
    await start('gameball', { BREAKER_THRESHOLD: '50' });
    const customers = customersQuery(`${selection} coupons { code }`);
    const ids = [edge.rich, edge.richReferrer];
    const healthy = await subgraph!.query<{ customers: Customer[] }>(customers, { ids });
    expect(healthy.errors).toBeUndefined();
    expect(healthy.data?.customers.map((customer) => customer.id)).toEqual(ids);
    resetCalls();
    subgraph!.vendor.respond(() => json(503, { message: 'Service Unavailable' }));

    const response = await subgraph!.query<{ customers: Customer[] }>(customers, { ids });

    expect(response.status).toBe(200);
    const failed = [...gameballFields, 'coupons'];
    expect(response.data?.customers).toEqual(healthy.data!.customers.map((customer) => withNulls(customer, failed)));
    expect(
      (response.errors ?? [])
        .map(({ path, extensions }) => ({ path, extensions }))
        .sort((a, b) => String(a.path).localeCompare(String(b.path))),
    ).toEqual(
      [0, 1]
        .flatMap((index) => failed.map((field) => ['customers', index, field]))
        .sort((a, b) => String(a).localeCompare(String(b)))
        .map((path) => ({ path, extensions: { code: 'UPSTREAM_UNAVAILABLE', vendor: 'gameball' } })),
    );
    for (const id of ids) {
      expect(subgraph!.vendor.count(gameballProfile(id))).toBe(3);
      expect(subgraph!.vendor.count(gameballCoupons(id))).toBe(3);
      expect(subgraph!.sandbox.count('voucherify.customer', id)).toBe(1);
    }
    expect(subgraph!.vendor.requests).toHaveLength(12);

    subgraph!.vendor.respond(null);
    const after = await subgraph!.query<{ customers: Customer[] }>(customers, { ids });
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual(healthy.data);
  });

  it('503 twice, then healthy: the retries pay off, the data is returned without an error', async () => {
    await start('gameball');
    const healthy = await baseline();
    subgraph!.vendor.respond((_, seen) => (seen <= 2 ? json(503, {}) : undefined));

    const response = await queryCustomer();

    expect(response.errors).toBeUndefined();
    expect(response.data?.customer).toEqual(healthy);
    expect(subgraph!.vendor.count(gameballProfile(edge.rich))).toBe(3);
  });

  it('429 with Retry-After: 1, then OK: retried after the wait, the data is returned', async () => {
    await start('gameball');
    const healthy = await baseline();
    subgraph!.vendor.respond((_, seen) => (seen === 1 ? json(429, {}, { 'retry-after': '1' }) : undefined));

    const response = await queryCustomer();

    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(response.data?.customer).toEqual(healthy);
    const [first, second, ...more] = subgraph!.vendor.requests;
    expect(more).toEqual([]);
    expect([first?.path, second?.path]).toEqual([gameballProfile(edge.rich), gameballProfile(edge.rich)]);
    // The retry waited for the second the vendor asked for, not a few milliseconds of backoff.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });
});

describe('not found is not a failure', () => {
  it('a customer no vendor knows stays null without an error, beside a known one whose Imprint fails', async () => {
    await start('imprint');
    const query = customersQuery(selection);
    const ids = [edge.rich, edge.unknown];
    const healthy = await subgraph!.query<{ customers: (Customer | null)[] }>(query, { ids });
    expect(healthy.errors).toBeUndefined();
    expect(healthy.data?.customers[1]).toBeNull();
    resetCalls();
    subgraph!.vendor.respond(() => json(503, {}));

    const response = await subgraph!.query<{ customers: (Customer | null)[] }>(query, { ids });

    expect(response.status).toBe(200);
    expect(response.data?.customers).toEqual([withNulls(healthy.data!.customers[0]!, imprintFields), null]);
    expect(response.errors?.map(({ path, extensions }) => ({ path, extensions }))).toEqual([
      { path: ['customers', 0, 'cardPrograms'], extensions: { code: 'UPSTREAM_UNAVAILABLE', vendor: 'imprint' } },
    ]);
    // Only the known customer's Imprint record was asked for (1 + 2 times); the unknown one has no link.
    expect(subgraph!.vendor.requests).toHaveLength(3);
  });
});

describe('circuit breaker', () => {
  // Opens after BREAKER_THRESHOLD consecutive failures. The half-open delay is 1 s rather than
  // 300 ms so that the fail-fast checks below surely happen while the circuit is still open, even
  // on a busy machine.
  const threshold = 4;
  const halfOpenAfterMs = 1_000;

  it('opens after the threshold (the vendor is no longer called, fields fail fast), then one probe closes it', async () => {
    await start('gameball', {
      BREAKER_THRESHOLD: String(threshold),
      BREAKER_HALF_OPEN_AFTER_MS: String(halfOpenAfterMs),
    });
    const healthy = {
      rich: await baseline(edge.rich),
      referrer: await baseline(edge.richReferrer),
      other: await baseline('cust_0003'),
    };
    subgraph!.vendor.respond(() => json(503, {}));
    const failure = { vendor: 'gameball', code: 'UPSTREAM_UNAVAILABLE', fields: gameballFields } as const;

    // 1 + 2 calls: three consecutive failures, one short of the threshold.
    expectOnlyVendorFailed(await queryCustomer(edge.rich), healthy.rich, failure);
    expect(subgraph!.vendor.requests).toHaveLength(3);
    // The fourth failure opens the circuit: the retries of this call are refused locally.
    expectOnlyVendorFailed(await queryCustomer(edge.richReferrer), healthy.referrer, failure);
    const openedAt = Date.now();
    expect(subgraph!.vendor.requests).toHaveLength(threshold);

    // Open: fields fail fast with UPSTREAM_UNAVAILABLE, and the vendor is not called, even once healthy.
    expectOnlyVendorFailed(await queryCustomer('cust_0003'), healthy.other, failure);
    subgraph!.vendor.respond(null);
    expectOnlyVendorFailed(await queryCustomer(edge.rich), healthy.rich, failure);
    expect(subgraph!.vendor.requests).toHaveLength(threshold);
    // The other vendors were asked all along: once per query.
    expect(subgraph!.sandbox.count('voucherify.customer')).toBe(4);

    // Half-open after the delay: one probe reaches the (healthy) vendor and closes the circuit.
    await sleep(Math.max(0, openedAt + halfOpenAfterMs + 100 - Date.now()));
    const probe = await queryCustomer(edge.rich);
    expect(probe.errors).toBeUndefined();
    expect(probe.data?.customer).toEqual(healthy.rich);
    expect(subgraph!.vendor.requests).toHaveLength(threshold + 1);

    const next = await queryCustomer(edge.richReferrer);
    expect(next.errors).toBeUndefined();
    expect(next.data?.customer).toEqual(healthy.referrer);
    expect(subgraph!.vendor.requests).toHaveLength(threshold + 2);
  });
});
