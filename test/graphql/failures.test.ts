import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEdgeCases as edge, type SandboxDataset } from '../../src/sandbox/dataset.js';
import type { SandboxFaultSpec } from '../../src/sandbox/vendors.js';
import type { UpstreamCode } from '../../src/errors.js';
import { vendorEndpoints, vendorOf, type VendorEndpoint } from '../../src/vendors/endpoints.js';
import { everyCustomerField } from '../support/queries.js';
import { startTestSubgraph, type GraphQLResponse, type TestSubgraph } from '../support/subgraph.js';
import { expectedCustomer, imprintLinkOf, isKnown, voucherifyOf, type ExpectedCustomer } from '../support/expected.js';
import {
  customerByImprintIdQuery,
  customerQuery,
  customersQuery,
  entitiesQuery,
  errorsByPath,
  upstream,
  type JsonObject,
} from '../support/graphql.js';

// Vendor failures, injected with the fakes' faults: a failing vendor nulls only its own fields,
// each with an error that says which vendor failed and how, and never leaks what the vendor said.

let subgraph: TestSubgraph;
let dataset: SandboxDataset;

beforeAll(async () => {
  subgraph = await startTestSubgraph();
  dataset = subgraph.sandbox.dataset;
});

afterEach(() => {
  for (const endpoint of vendorEndpoints) subgraph.sandbox.setFault(endpoint, null);
});

afterAll(async () => {
  await subgraph?.close();
});

function fault(endpoint: VendorEndpoint, spec: SandboxFaultSpec): void {
  subgraph.sandbox.setFault(endpoint, spec);
}

function queryCustomer(id: string, selection: string) {
  return subgraph.query<{ customer: JsonObject | null }>(customerQuery(selection), { id });
}

/** The errors as `{ path, extensions }`, sorted by path, for exact comparison. */
function errorSummary(response: GraphQLResponse<unknown>) {
  return [...errorsByPath(response).entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, error]) => ({ path, extensions: error.extensions }));
}

/** The redemption summary as `voucherifySelection` selects it: without the card sub-objects. */
function withoutCards(summary: ExpectedCustomer['redemptionSummary']) {
  if (!summary) return null;
  const { total, succeeded, failed, rolledBack, rollbacksSucceeded, rollbacksFailed } = summary;
  return { total, succeeded, failed, rolledBack, rollbacksSucceeded, rollbacksFailed };
}

function expected(id: string): ExpectedCustomer {
  const customer = expectedCustomer(dataset, id);
  if (!customer) throw new Error(`the dataset does not know ${id}`);
  return customer;
}

// Public Gameball fields (served by the profile endpoint when no personal data is asked) and the
// Voucherify fields, selected together so each failure can be seen beside intact fields.
const publicGameballSelection = `
  gameballId gender location { country city postalCode } tags registrationSource customAttributes
  purchaseHistory { totalSpent { amount currencyCode } orderCount lastOrderAt paymentMethods }
  referral { code link dynamicLink isReferred referredCustomersCount receivedCount }
`;
const voucherifySelection = `
  imprintId
  address { line1 line2 city region postalCode country }
  orderSummary { totalAmount { amount currencyCode } count averageAmount { amount currencyCode } lastOrderAmount { amount currencyCode } lastOrderAt }
  redemptionSummary { total succeeded failed rolledBack rollbacksSucceeded rollbacksFailed }
  loyaltyPoints { balance referredCustomers campaigns { campaignName balance tierId referredCustomers } }
`;

describe('a failing vendor nulls only its own fields', () => {
  it('Gameball profile 503: the public Gameball fields are null with UPSTREAM_UNAVAILABLE, Voucherify fields intact', async () => {
    fault('gameball.profile', { status: 503 });

    const response = await queryCustomer(edge.rich, `id ${publicGameballSelection} ${voucherifySelection}`);

    const customer = expected(edge.rich);
    const gameball = upstream('UPSTREAM_UNAVAILABLE', 'gameball');
    expect(response.status).toBe(200);
    expect(response.data?.customer).toEqual({
      id: edge.rich,
      gameballId: null,
      gender: null,
      location: null,
      tags: null,
      registrationSource: null,
      customAttributes: null,
      purchaseHistory: null,
      referral: {
        code: null,
        link: null,
        dynamicLink: null,
        isReferred: null,
        referredCustomersCount: customer.referral.referredCustomersCount,
        receivedCount: customer.referral.receivedCount,
      },
      imprintId: customer.imprintId,
      address: customer.address,
      orderSummary: customer.orderSummary,
      redemptionSummary: withoutCards(customer.redemptionSummary),
      loyaltyPoints: customer.loyaltyPoints,
    });
    expect(errorSummary(response)).toEqual(
      [
        'customer.customAttributes',
        'customer.gameballId',
        'customer.gender',
        'customer.location',
        'customer.purchaseHistory',
        'customer.referral.code',
        'customer.referral.dynamicLink',
        'customer.referral.isReferred',
        'customer.referral.link',
        'customer.registrationSource',
        'customer.tags',
      ].map((path) => ({ path, extensions: gameball })),
    );
  });

  it('Voucherify 500: the Voucherify fields (and what hangs on its Imprint link) are null with errors, Gameball fields intact', async () => {
    fault('voucherify.customer', { status: 500 });

    const response = await queryCustomer(
      edge.rich,
      `id ${publicGameballSelection} ${voucherifySelection} cardPrograms { name } ssnLast4`,
    );

    const customer = expected(edge.rich);
    const voucherify = upstream('UPSTREAM_UNAVAILABLE', 'voucherify');
    expect(response.data?.customer).toEqual({
      id: edge.rich,
      gameballId: customer.gameballId,
      gender: customer.gender,
      location: customer.location,
      tags: customer.tags,
      registrationSource: customer.registrationSource,
      customAttributes: customer.customAttributes,
      // The public part: the average comes from the details, which this selection does not read.
      purchaseHistory: customer.purchaseHistory && { ...customer.purchaseHistory, averageOrderAmount: undefined },
      referral: {
        code: customer.referral.code,
        link: customer.referral.link,
        dynamicLink: customer.referral.dynamicLink,
        isReferred: customer.referral.isReferred,
        referredCustomersCount: null,
        receivedCount: null,
      },
      imprintId: null,
      address: null,
      orderSummary: null,
      redemptionSummary: null,
      loyaltyPoints: null,
      // The Imprint link lives in Voucherify: an outage there must not read as "no card".
      cardPrograms: null,
      ssnLast4: null,
    });
    expect(errorSummary(response)).toEqual(
      [
        'customer.address',
        'customer.cardPrograms',
        'customer.imprintId',
        'customer.loyaltyPoints',
        'customer.orderSummary',
        'customer.redemptionSummary',
        'customer.referral.receivedCount',
        'customer.referral.referredCustomersCount',
        'customer.ssnLast4',
      ].map((path) => ({ path, extensions: voucherify })),
    );
  });

  it('Imprint 503: card fields are null with errors, everything else intact', async () => {
    fault('imprint.customer', { status: 503 });

    const response = await queryCustomer(
      edge.rich,
      'id gender email orderSummary { count } cardPrograms { name status } ssnLast4',
    );

    const customer = expected(edge.rich);
    expect(response.data?.customer).toEqual({
      id: edge.rich,
      gender: customer.gender,
      email: customer.email,
      orderSummary: { count: customer.orderSummary?.count },
      cardPrograms: null,
      ssnLast4: null,
    });
    expect(errorSummary(response)).toEqual(
      ['customer.cardPrograms', 'customer.ssnLast4'].map((path) => ({
        path,
        extensions: upstream('UPSTREAM_UNAVAILABLE', 'imprint'),
      })),
    );
  });

  it('Gameball details 503: the fields read from the details are null with errors', async () => {
    fault('gameball.details', { status: 503 });

    const response = await queryCustomer(edge.rich, 'id gender email joinedAt orderSummary { count }');

    // Asking personal data routes the public fields through details too, so they fail alike; a
    // personal field errors rather than silently showing another vendor's value.
    expect(response.data?.customer).toEqual({
      id: edge.rich,
      gender: null,
      email: null,
      joinedAt: null,
      orderSummary: { count: expected(edge.rich).orderSummary?.count },
    });
    expect(errorSummary(response)).toEqual(
      ['customer.email', 'customer.gender', 'customer.joinedAt'].map((path) => ({
        path,
        extensions: upstream('UPSTREAM_UNAVAILABLE', 'gameball'),
      })),
    );
  });
});

describe('each kind of vendor failure has its code', () => {
  const failures: [string, SandboxFaultSpec, UpstreamCode][] = [
    ['503', { status: 503 }, 'UPSTREAM_UNAVAILABLE'],
    ['500', { status: 500 }, 'UPSTREAM_UNAVAILABLE'],
    ['502', { status: 502 }, 'UPSTREAM_UNAVAILABLE'],
    ['a malformed JSON body', { malformed: true }, 'UPSTREAM_BAD_RESPONSE'],
    ['a 200 that is not the documented payload', { status: 200, body: '{"unexpected":true}' }, 'UPSTREAM_BAD_RESPONSE'],
    ['401', { status: 401 }, 'UPSTREAM_UNAUTHORIZED'],
    ['403', { status: 403 }, 'UPSTREAM_UNAUTHORIZED'],
    ['429', { status: 429 }, 'UPSTREAM_RATE_LIMITED'],
    ['400', { status: 400 }, 'UPSTREAM_REJECTED'],
    ['422', { status: 422 }, 'UPSTREAM_REJECTED'],
  ];
  // An endpoint, a field only it serves for the rich customer, and how that field is selected.
  const reads: [VendorEndpoint, string, string][] = [
    ['gameball.profile', 'gender', 'gender'],
    ['gameball.details', 'firstName', 'firstName'],
    ['gameball.coupons', 'coupons', 'coupons { code }'],
    ['gameball.hash', 'redemptionHash', 'redemptionHash'],
    ['voucherify.customer', 'orderSummary', 'orderSummary { count }'],
    ['imprint.customer', 'cardPrograms', 'cardPrograms { name }'],
  ];
  const cases = failures.flatMap(([label, spec, code]) =>
    reads.map(([endpoint, field, selection]) => ({
      label,
      spec,
      code,
      endpoint,
      vendor: vendorOf(endpoint),
      field,
      selection,
    })),
  );

  it.each(cases)(
    '$endpoint answering $label → $code on $field',
    async ({ spec, code, endpoint, vendor, field, selection }) => {
      fault(endpoint, spec);

      const response = await queryCustomer(edge.rich, `id ${selection}`);

      expect(response.status).toBe(200);
      expect(response.data).toEqual({ customer: { id: edge.rich, [field]: null } });
      expect(errorSummary(response)).toEqual([{ path: `customer.${field}`, extensions: upstream(code, vendor) }]);
    },
  );
});

describe('an outage never looks like an unknown customer', () => {
  it('is null with upstream errors when every vendor that could know the customer fails', async () => {
    fault('gameball.profile', { status: 503 });
    fault('voucherify.customer', { status: 503 });

    const response = await queryCustomer(edge.rich, 'id gender orderSummary { count }');

    expect(response.data).toEqual({ customer: null });
    expect(response.errors?.length).toBeGreaterThan(0);
    for (const error of response.errors ?? []) {
      expect(error.path).toEqual(['customer']);
      expect(error.extensions).toEqual(expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }));
    }
  });

  it('is null with the Gameball error when Gameball fails and the other vendor does not know the customer', async () => {
    expect(voucherifyOf(dataset, edge.gameballOnly)).toBeUndefined();
    fault('gameball.profile', { status: 503 });

    const response = await queryCustomer(edge.gameballOnly, 'id gender');

    expect(response.data).toEqual({ customer: null });
    expect(errorSummary(response)).toEqual([
      { path: 'customer', extensions: upstream('UPSTREAM_UNAVAILABLE', 'gameball') },
    ]);
  });

  it('is null with the Voucherify error for an id nobody knows while Voucherify is down', async () => {
    expect(isKnown(dataset, edge.unknown)).toBe(false);
    fault('voucherify.customer', { status: 429 });

    const response = await queryCustomer(edge.unknown, 'id orderSummary { count }');

    expect(response.data).toEqual({ customer: null });
    expect(errorSummary(response)).toEqual([
      { path: 'customer', extensions: upstream('UPSTREAM_RATE_LIMITED', 'voucherify') },
    ]);
  });

  it('is null with the Imprint error for customerByImprintId while Imprint is down', async () => {
    fault('imprint.customer', { status: 503 });

    const response = await subgraph.query(customerByImprintIdQuery('id'), {
      imprintId: imprintLinkOf(dataset, edge.rich),
    });

    expect(response.data).toEqual({ customerByImprintId: null });
    expect(errorSummary(response)).toEqual([
      { path: 'customerByImprintId', extensions: upstream('UPSTREAM_UNAVAILABLE', 'imprint') },
    ]);
  });

  it('forgets a failure once the vendor recovers: nothing failed is cached across requests', async () => {
    fault('gameball.profile', { status: 503 });
    const during = await queryCustomer(edge.rich, 'gender');
    subgraph.sandbox.setFault('gameball.profile', null);
    const after = await queryCustomer(edge.rich, 'gender');

    expect(during.data).toEqual({ customer: { gender: null } });
    expect(after).not.toHaveProperty('errors');
    expect(after.data).toEqual({ customer: { gender: expected(edge.rich).gender } });
  });
});

describe('errors leak nothing', () => {
  const secret = 'FAKE-SECRET-7c1e9b2f-do-not-leak';
  const bodies = [
    // A vendor error body echoing a secret and a stack trace.
    JSON.stringify({
      message: `internal error ${secret}`,
      stack: `Error: ${secret}\n    at handler (/srv/app.js:1:1)`,
    }),
    // A 200 that parses but does not match the payload.
    JSON.stringify({ unexpected: secret }),
    // A 200 that does not parse.
    `<html>${secret}</html>`,
  ];

  function credentialsOf(): string[] {
    const { gameball, voucherify, imprint } = subgraph.sandbox.settings;
    return [gameball.apiKey, gameball.secretKey, voucherify.appId, voucherify.appToken, imprint.apiKey];
  }

  function expectNothingLeaked(response: GraphQLResponse<unknown>): void {
    const text = JSON.stringify(response);
    expect(text).not.toContain(secret);
    for (const credential of credentialsOf())
      expect(text.includes(credential), 'a credential is in the response').toBe(false);
    for (const { baseUrl } of Object.values(subgraph.sandbox.settings)) expect(text).not.toContain(baseUrl);
    expect(text).not.toMatch(/\n\s+at /);
    for (const error of response.errors ?? []) {
      expect(error.extensions).not.toHaveProperty('stacktrace');
      expect(error.extensions).not.toHaveProperty('exception');
      expect(Object.keys(error.extensions ?? {}).sort()).toEqual(['code', 'vendor']);
    }
  }

  it.each([
    [500, 0],
    [401, 0],
    [400, 0],
    [429, 0],
    [200, 1],
    [200, 2],
  ])('answering %i with body #%i, every endpoint at once', async (status, body) => {
    for (const endpoint of vendorEndpoints) fault(endpoint, { status, body: bodies[body] });

    const reads = await Promise.all([
      queryCustomer(edge.rich, everyCustomerField),
      queryCustomer(edge.rich, `id ${publicGameballSelection}`),
      subgraph.query(customersQuery('id email coupons { code } redemptionHash'), {
        ids: [edge.rich, edge.voucherifyOnly],
      }),
      subgraph.query(customerByImprintIdQuery('id cardPrograms { name }'), {
        imprintId: imprintLinkOf(dataset, edge.rich),
      }),
    ]);
    const writes = await Promise.all([
      subgraph.query(
        `mutation ($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { customer { id } userErrors { field message code } } }`,
        {
          input: { id: 'test_leak_upsert', attributes: { firstName: 'Leak' } },
        },
      ),
      subgraph.query(
        `mutation ($id: ID!) { deleteCustomer(id: $id) { deletedCustomerId userErrors { field message code } } }`,
        {
          id: edge.gameballOnly,
        },
      ),
    ]);

    for (const response of reads) {
      expect(response.errors?.length).toBeGreaterThan(0);
      expectNothingLeaked(response);
    }
    for (const response of writes) expectNothingLeaked(response);
    // The faulted delete reached no data: the other tests still find this customer.
    expect(dataset.gameball.has(edge.gameballOnly)).toBe(true);
  });
});

describe('a failure stays with its own entity', () => {
  it('_entities: a representation only the failing vendor knows errors, the others are intact', async () => {
    fault('voucherify.customer', { status: 503 });
    const representations = [
      { __typename: 'Customer', id: edge.voucherifyOnly },
      { __typename: 'Customer', id: edge.gameballOnly },
      { __typename: 'Customer', id: edge.rich },
    ];

    const response = await subgraph.query<{ _entities: (JsonObject | null)[] }>(entitiesQuery('id gender tags'), {
      representations,
    });

    const pick = (id: string) => ({ id, gender: expected(id).gender, tags: expected(id).tags });
    expect(response.data?._entities).toEqual([null, pick(edge.gameballOnly), pick(edge.rich)]);
    expect(errorSummary(response)).toEqual([
      { path: '_entities.0', extensions: upstream('UPSTREAM_UNAVAILABLE', 'voucherify') },
    ]);
  });

  it("_entities: a failing vendor's fields error on each entity, the other fields are intact", async () => {
    fault('imprint.customer', { status: 503 });
    const representations = [
      { __typename: 'Customer', id: edge.rich },
      { __typename: 'Customer', id: edge.gameballOnly },
      { __typename: 'Customer', imprintId: imprintLinkOf(dataset, edge.rich) },
    ];

    const response = await subgraph.query<{ _entities: (JsonObject | null)[] }>(
      entitiesQuery('id gender cardPrograms { name }'),
      {
        representations,
      },
    );

    expect(response.data?._entities).toEqual([
      { id: edge.rich, gender: expected(edge.rich).gender, cardPrograms: null },
      // No Voucherify record, so no link: Imprint is never asked and nothing fails.
      { id: edge.gameballOnly, gender: expected(edge.gameballOnly).gender, cardPrograms: null },
      // Found through Imprint itself, so the entity cannot be resolved at all.
      null,
    ]);
    expect(errorSummary(response)).toEqual([
      { path: '_entities.0.cardPrograms', extensions: upstream('UPSTREAM_UNAVAILABLE', 'imprint') },
      { path: '_entities.2', extensions: upstream('UPSTREAM_UNAVAILABLE', 'imprint') },
    ]);
  });

  it('customers(ids): the entry only the failing vendor knows is null with an error, the others are intact', async () => {
    fault('voucherify.customer', { status: 503 });
    const ids = [edge.gameballOnly, edge.voucherifyOnly, edge.rich];

    const response = await subgraph.query<{ customers: (JsonObject | null)[] }>(customersQuery('id gender'), { ids });

    expect(response.data?.customers).toEqual([
      { id: edge.gameballOnly, gender: expected(edge.gameballOnly).gender },
      null,
      { id: edge.rich, gender: expected(edge.rich).gender },
    ]);
    expect(errorSummary(response)).toEqual([
      { path: 'customers.1', extensions: upstream('UPSTREAM_UNAVAILABLE', 'voucherify') },
    ]);
  });
});
