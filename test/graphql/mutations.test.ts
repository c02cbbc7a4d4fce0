import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { edgeCaseCustomers, type SandboxDataset } from '../../src/sandbox/dataset.js';
import { everyCustomerField } from '../support/queries.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';
import { expectedCustomer, gameballOf, isKnown, voucherifyOf } from '../support/expected.js';
import { customerQuery, type JsonObject } from '../support/graphql.js';

// upsertCustomer / deleteCustomer over HTTP against the Gameball fake. Each test uses its own
// fresh ids (or its own existing customer), so the tests do not depend on their order.

let subgraph: TestSubgraph;
let dataset: SandboxDataset;
let fresh = 0;

beforeAll(async () => {
  subgraph = await startTestSubgraph();
  dataset = subgraph.sandbox.dataset;
});

afterEach(() => {
  subgraph.sandbox.setFault('gameball.upsert', null);
  subgraph.sandbox.setFault('gameball.delete', null);
});

afterAll(async () => {
  await subgraph?.close();
});

/** A merchant id no vendor knows yet, unique to the calling test. */
function freshId(label: string): string {
  fresh += 1;
  const id = `test_${label}_${process.pid}_${fresh}`;
  expect(isKnown(dataset, id)).toBe(false);
  return id;
}

/** Existing customers known to Gameball and Voucherify that no edge case uses, one per caller. */
const edgeIds = edgeCaseCustomers;
const taken = new Set<string>();
function existingCustomer(): string {
  const id = [...dataset.gameball.keys()]
    .sort()
    .find((key) => !edgeIds.has(key) && !taken.has(key) && voucherifyOf(dataset, key));
  if (!id) throw new Error('the dataset has no ordinary customer left');
  taken.add(id);
  return id;
}

const upsertMutation = /* GraphQL */ `
  mutation Upsert($input: UpsertCustomerInput!) {
    upsertCustomer(input: $input) {
      customer {
        id
        email
        firstName
        tags
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;
const deleteMutation = /* GraphQL */ `
  mutation Delete($id: ID!) {
    deleteCustomer(id: $id) {
      deletedCustomerId
      userErrors {
        field
        message
        code
      }
    }
  }
`;

interface UpsertData {
  upsertCustomer: {
    customer: JsonObject | null;
    userErrors: { field: string[] | null; message: string; code: string }[];
  } | null;
}
interface DeleteData {
  deleteCustomer: {
    deletedCustomerId: string | null;
    userErrors: { field: string[] | null; message: string; code: string }[];
  } | null;
}

function upsert(input: Record<string, unknown>) {
  return subgraph.query<UpsertData>(upsertMutation, { input });
}

function readCustomer(id: string, selection: string) {
  return subgraph.query<{ customer: JsonObject | null }>(customerQuery(selection), { id });
}

describe('upsertCustomer', () => {
  it('creates a customer and returns it in the same response and in later requests', async () => {
    const id = freshId('create');
    const input = {
      id,
      email: 'ada.tester@example.com',
      mobile: '+14155552671',
      guest: false,
      attributes: {
        displayName: 'Ada Tester',
        firstName: 'Ada',
        lastName: 'Tester',
        email: 'ada.tester@example.com',
        mobile: '+14155552671',
        gender: 'Female',
        dateOfBirth: '1990-04-05',
        country: 'USA',
        city: 'Testville',
        postalCode: '00001',
        preferredLanguage: 'en',
        tags: ['beta', 'VIP'],
        registrationSource: 'website',
        channel: 'WEB',
        customAttributes: { membershipLevel: 'Gold', newsletter: true, visits: 3 },
      },
    };
    subgraph.sandbox.resetCalls();

    const created = await upsert(input);

    expect(created).not.toHaveProperty('errors');
    expect(created.data?.upsertCustomer).toEqual({
      customer: { id, email: input.email, firstName: 'Ada', tags: ['beta', 'VIP'] },
      userErrors: [],
    });
    expect(subgraph.sandbox.count('gameball.upsert', id)).toBe(1);

    // What Gameball stored: the channel in its lower-case form, dates with Gameball's time part.
    const stored = gameballOf(dataset, id)?.details.customerAttributes;
    expect(stored).toMatchObject({ channel: 'web', mobile: '+14155552671', custom: input.attributes.customAttributes });

    const read = await readCustomer(
      id,
      'id email firstName lastName displayName phone dateOfBirth gender tags customAttributes registrationSource preferredLanguage location { country city postalCode } orderSummary { count }',
    );
    expect(read).not.toHaveProperty('errors');
    expect(read.data?.customer).toEqual({
      id,
      email: input.attributes.email,
      firstName: 'Ada',
      lastName: 'Tester',
      displayName: 'Ada Tester',
      phone: '+14155552671',
      dateOfBirth: '1990-04-05',
      gender: 'Female',
      tags: ['beta', 'VIP'],
      customAttributes: input.attributes.customAttributes,
      registrationSource: 'website',
      preferredLanguage: 'en',
      location: { country: 'USA', city: 'Testville', postalCode: '00001' },
      orderSummary: null, // Voucherify does not know a customer created in Gameball
    });
  });

  it('creates a customer from the top-level e-mail and mobile alone', async () => {
    const id = freshId('minimal');

    const created = await upsert({ id, email: 'min.tester@example.com', mobile: '+447700900123' });

    expect(created.data?.upsertCustomer?.userErrors).toEqual([]);
    const read = await readCustomer(id, 'id email phone tags');
    expect(read.data?.customer).toEqual({ id, email: 'min.tester@example.com', phone: '+447700900123', tags: [] });
  });

  it('accepts a mobile as Gameball does (digits, optional +) and sends it without separators', async () => {
    const id = freshId('mobile');
    const created = await upsert({ id, mobile: '+1 (415) 555-2671', attributes: { mobile: '0155 555.0100' } });
    expect(created.data?.upsertCustomer?.userErrors).toEqual([]);
    expect(gameballOf(dataset, id)?.details.customerAttributes.mobile).toBe('01555550100');
  });

  it("sends seed 004's purchase totals, device, UTMs and devices, and reads them back", async () => {
    const id = freshId('purchases');
    const purchases = {
      totalSpent: '1500.50',
      orderCount: 25,
      lastOrderAt: '2024-09-15T10:30:00.000Z',
      averageOrderAmount: '60.02',
      paymentMethods: ['Credit Card', 'PayPal'],
    };
    const created = await upsert({
      id,
      device: { token: 'push-token-1', osType: 'ios' },
      attributes: { joinDate: '2023-05-01', purchases, utms: ['utm_source=newsletter'], devices: ['device-1'] },
    });
    expect(created.data?.upsertCustomer?.userErrors).toEqual([]);

    // As Gameball documents them: numbers in major units, its zone-less date-time, seed 004's names.
    const record = gameballOf(dataset, id);
    expect(record?.device).toEqual({ token: 'push-token-1', osType: 'ios' });
    expect(record?.details.customerAttributes).toMatchObject({
      totalSpent: 1500.5,
      totalOrders: 25,
      lastOrderDate: '2024-09-15T10:30:00',
      avgOrderAmount: 60.02,
      paymentMethods: purchases.paymentMethods,
      utms: ['utm_source=newsletter'],
      devices: ['device-1'],
      joinDate: '2023-05-01T00:00:00',
    });

    const read = await readCustomer(
      id,
      'joinDate purchaseHistory { totalSpent { amount } orderCount lastOrderAt averageOrderAmount { amount } paymentMethods }',
    );
    expect(read).not.toHaveProperty('errors');
    // The join date goes in as a day and comes out as the same day.
    expect(read.data?.customer).toEqual({
      joinDate: '2023-05-01',
      purchaseHistory: {
        totalSpent: { amount: '1500.50' },
        orderCount: 25,
        lastOrderAt: purchases.lastOrderAt,
        averageOrderAmount: { amount: '60.02' },
        paymentMethods: purchases.paymentMethods,
      },
    });
  });

  it("returns the gameballId Gameball gives back, without reading the customer's profile for it", async () => {
    const id = freshId('gameball_id');
    subgraph.sandbox.resetCalls();

    const created = await subgraph.query<{ upsertCustomer: { customer: { gameballId: string } } }>(
      `mutation ($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { customer { id gameballId } } }`,
      { input: { id } },
    );

    expect(created.data?.upsertCustomer.customer).toEqual({
      id,
      gameballId: String(gameballOf(dataset, id)?.details.gameballId),
    });
    expect(subgraph.sandbox.calls.map((call) => call.endpoint)).toEqual(['gameball.upsert']);
  });

  it('changes only the attributes sent when the customer exists', async () => {
    const id = existingCustomer();
    const before = structuredClone(expectedCustomer(dataset, id));
    expect(before).not.toBeNull();
    expect(before?.location?.city).not.toBe('Updatedtown');

    const updated = await upsert({ id, attributes: { city: 'Updatedtown', tags: ['updated-tag'] } });

    expect(updated).not.toHaveProperty('errors');
    expect(updated.data?.upsertCustomer).toEqual({
      customer: { id, email: before?.email, firstName: before?.firstName, tags: ['updated-tag'] },
      userErrors: [],
    });
    const read = await readCustomer(id, everyCustomerField);
    expect(read).not.toHaveProperty('errors');
    expect(read.data?.customer).toEqual({
      ...before,
      location: { ...before?.location, city: 'Updatedtown' },
      tags: ['updated-tag'],
      redemptionHash: gameballOf(dataset, id)?.hash, // rotates on every read
    });
  });

  it('reads back each upsert of one request after its own change, not a cached earlier read', async () => {
    const id = freshId('twice');

    const response = await subgraph.query<Record<string, { customer: JsonObject | null } | null>>(
      /* GraphQL */ `
        mutation ($id: ID!) {
          first: upsertCustomer(input: { id: $id, attributes: { firstName: "First", tags: ["one"] } }) {
            customer {
              firstName
              tags
            }
          }
          second: upsertCustomer(input: { id: $id, attributes: { firstName: "Second" } }) {
            customer {
              firstName
              tags
            }
          }
        }
      `,
      { id },
    );

    expect(response).not.toHaveProperty('errors');
    expect(response.data).toEqual({
      first: { customer: { firstName: 'First', tags: ['one'] } },
      second: { customer: { firstName: 'Second', tags: ['one'] } },
    });
  });

  it('merges customAttributes into the existing ones', async () => {
    const id = existingCustomer();
    const custom = gameballOf(dataset, id)?.details.customerAttributes.custom ?? {};
    expect(Object.keys(custom).length).toBeGreaterThan(0);

    await upsert({ id, attributes: { customAttributes: { addedByTest: 'yes' } } });

    const read = await readCustomer(id, 'customAttributes');
    expect(read.data?.customer).toEqual({ customAttributes: { ...custom, addedByTest: 'yes' } });
  });

  it("marks a new customer created with an existing customer's referral code as referred", async () => {
    const referrerId = existingCustomer();
    const referralCode = gameballOf(dataset, referrerId)?.details.referralCode;
    expect(referralCode).toBeTruthy();
    const referred = freshId('referred');
    const control = freshId('unreferred');

    const withCode = await subgraph.query<UpsertData>(
      /* GraphQL */ `
        mutation ($input: UpsertCustomerInput!) {
          upsertCustomer(input: $input) {
            customer {
              id
              referral {
                isReferred
              }
            }
            userErrors {
              code
            }
          }
        }
      `,
      { input: { id: referred, referrerCode: referralCode } },
    );
    await upsert({ id: control });

    expect(withCode).not.toHaveProperty('errors');
    expect(withCode.data?.upsertCustomer).toEqual({
      customer: { id: referred, referral: { isReferred: true } },
      userErrors: [],
    });
    const reads = await Promise.all([referred, control].map((id) => readCustomer(id, 'referral { isReferred code }')));
    expect(reads.map((read) => read.data?.customer)).toEqual([
      { referral: { isReferred: true, code: gameballOf(dataset, referred)?.details.referralCode } },
      { referral: { isReferred: false, code: gameballOf(dataset, control)?.details.referralCode } },
    ]);
  });

  describe('refuses invalid input with BAD_USER_INPUT and no Gameball call', () => {
    const cases: [string, (id: string) => Record<string, unknown>, string[] | undefined][] = [
      ['a top-level mobile with letters', (id) => ({ id, mobile: '+1 415 CALL NOW' }), ['input', 'mobile']],
      ['a mobile with a plus sign inside', (id) => ({ id, mobile: '1+4155552671' }), ['input', 'mobile']],
      [
        'an attributes mobile too short to be a number',
        (id) => ({ id, attributes: { mobile: '+0123' } }),
        ['input', 'attributes', 'mobile'],
      ],
      [
        'customAttributes that is a list',
        (id) => ({ id, attributes: { customAttributes: [1, 2] } }),
        ['input', 'attributes', 'customAttributes'],
      ],
      [
        'customAttributes that is a string',
        (id) => ({ id, attributes: { customAttributes: 'gold' } }),
        ['input', 'attributes', 'customAttributes'],
      ],
      [
        'customAttributes that is a number',
        (id) => ({ id, attributes: { customAttributes: 42 } }),
        ['input', 'attributes', 'customAttributes'],
      ],
      ['an id that is ".."', () => ({ id: '..' }), ['input', 'id']],
      ['an empty id', () => ({ id: '' }), ['input', 'id']],
      // Refused while the variables are coerced, before any resolver: no `field` extension there.
      ['a top-level e-mail that is no e-mail', (id) => ({ id, email: 'not-an-email' }), undefined],
      ['an attributes e-mail that is no e-mail', (id) => ({ id, attributes: { email: 'a@' } }), undefined],
      ['a date of birth that is no date', (id) => ({ id, attributes: { dateOfBirth: '1990-02-30' } }), undefined],
      ['a date of birth in another format', (id) => ({ id, attributes: { dateOfBirth: '05/04/1990' } }), undefined],
      ['a join date that is no date', (id) => ({ id, attributes: { joinDate: 'yesterday' } }), undefined],
      ['an unknown channel', (id) => ({ id, attributes: { channel: 'FAX' } }), undefined],
      [
        'a negative total spent',
        (id) => ({ id, attributes: { purchases: { totalSpent: '-1.00' } } }),
        ['input', 'attributes', 'purchases', 'totalSpent'],
      ],
      [
        'a negative average order amount',
        (id) => ({ id, attributes: { purchases: { averageOrderAmount: '-0.01' } } }),
        ['input', 'attributes', 'purchases', 'averageOrderAmount'],
      ],
      [
        'a negative order count',
        (id) => ({ id, attributes: { purchases: { orderCount: -3 } } }),
        ['input', 'attributes', 'purchases', 'orderCount'],
      ],
      ['a total that is no decimal', (id) => ({ id, attributes: { purchases: { totalSpent: '12,50' } } }), undefined],
      ['a device without a token', (id) => ({ id, device: { osType: 'ios' } }), undefined],
    ];

    it.each(cases)('%s', async (_, inputOf, field) => {
      const id = freshId('invalid');
      subgraph.sandbox.resetCalls();

      const response = await upsert(inputOf(id));

      expect(response.data?.upsertCustomer ?? null).toBeNull();
      expect(response.errors).toHaveLength(1);
      expect(response.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      if (field) expect(response.errors?.[0]?.extensions?.['field']).toEqual(field);
      expect(subgraph.sandbox.count('gameball.upsert')).toBe(0);
      expect(subgraph.sandbox.calls).toEqual([]);
      expect(isKnown(dataset, id)).toBe(false);
    });
  });

  it('reports a Gameball 4xx as a REJECTED user error, without a customer', async () => {
    const id = freshId('rejected');
    subgraph.sandbox.setFault('gameball.upsert', { status: 400 });

    const response = await upsert({ id, attributes: { firstName: 'Rex' } });

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.upsertCustomer).toEqual({
      customer: null,
      userErrors: [{ field: ['input'], message: expect.any(String) as unknown, code: 'REJECTED' }],
    });
    expect(subgraph.sandbox.count('gameball.upsert', id)).toBe(1);
    expect(isKnown(dataset, id)).toBe(false);
  });

  it('reports a Gameball 503 as an UPSTREAM_UNAVAILABLE error, not as a user error', async () => {
    const id = freshId('unavailable');
    subgraph.sandbox.setFault('gameball.upsert', { status: 503 });

    const response = await upsert({ id, attributes: { firstName: 'Una' } });

    expect(response.data).toEqual({ upsertCustomer: null });
    expect(response.errors).toEqual([
      expect.objectContaining({
        path: ['upsertCustomer'],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', vendor: 'gameball' },
      }),
    ]);
    expect(isKnown(dataset, id)).toBe(false);
  });
});

describe('deleteCustomer', () => {
  it('deletes a customer only Gameball knows, who is then unknown', async () => {
    const id = freshId('delete');
    await upsert({ id, attributes: { firstName: 'Del' } });
    expect(dataset.gameball.has(id)).toBe(true);
    subgraph.sandbox.resetCalls();

    const response = await subgraph.query<DeleteData>(deleteMutation, { id });

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.deleteCustomer).toEqual({ deletedCustomerId: id, userErrors: [] });
    expect(subgraph.sandbox.count('gameball.delete', id)).toBe(1);
    const read = await readCustomer(id, everyCustomerField);
    expect(read).not.toHaveProperty('errors');
    expect(read.data).toEqual({ customer: null });
  });

  it('leaves the Voucherify and Imprint data of a customer other vendors know, with Gameball fields null', async () => {
    const id = existingCustomer();
    const promotions = voucherifyOf(dataset, id);
    expect(promotions).toBeDefined();

    const response = await subgraph.query<DeleteData>(deleteMutation, { id });

    expect(response.data?.deleteCustomer).toEqual({ deletedCustomerId: id, userErrors: [] });
    expect(dataset.gameball.has(id)).toBe(false);
    const read = await readCustomer(id, everyCustomerField);
    expect(read).not.toHaveProperty('errors');
    expect(read.data?.customer).toEqual(expectedCustomer(dataset, id));
    expect(read.data?.customer).toMatchObject({
      id,
      gameballId: null,
      gender: null,
      location: null,
      tags: null,
      registrationSource: null,
      customAttributes: null,
      joinedAt: null,
      purchaseHistory: null,
      coupons: null,
      redemptionHash: null,
      referral: { code: null, link: null, isReferred: null },
      // Personal data falls back to Voucherify.
      email: promotions?.email,
      orderSummary: { count: promotions?.summary?.orders.total_count },
    });
  });

  it('answers NOT_FOUND on the id field for a customer Gameball does not know', async () => {
    const id = freshId('nobody');

    const response = await subgraph.query<DeleteData>(deleteMutation, { id });

    expect(response).not.toHaveProperty('errors');
    expect(response.data?.deleteCustomer).toEqual({
      deletedCustomerId: null,
      userErrors: [{ field: ['id'], message: expect.any(String) as unknown, code: 'NOT_FOUND' }],
    });
  });

  it('refuses a bad id with BAD_USER_INPUT before calling Gameball', async () => {
    subgraph.sandbox.resetCalls();

    const response = await subgraph.query<DeleteData>(deleteMutation, { id: '..' });

    expect(response.data).toEqual({ deleteCustomer: null });
    expect(response.errors).toEqual([
      expect.objectContaining({ path: ['deleteCustomer'], extensions: { code: 'BAD_USER_INPUT', field: ['id'] } }),
    ]);
    expect(subgraph.sandbox.calls).toEqual([]);
  });

  it('reports a Gameball 4xx as a REJECTED user error and a 503 as UPSTREAM_UNAVAILABLE', async () => {
    const id = existingCustomer();

    subgraph.sandbox.setFault('gameball.delete', { status: 409 });
    const rejected = await subgraph.query<DeleteData>(deleteMutation, { id });
    subgraph.sandbox.setFault('gameball.delete', { status: 503 });
    const unavailable = await subgraph.query<DeleteData>(deleteMutation, { id });

    expect(rejected.data?.deleteCustomer).toEqual({
      deletedCustomerId: null,
      userErrors: [{ field: ['id'], message: expect.any(String) as unknown, code: 'REJECTED' }],
    });
    expect(unavailable.data).toEqual({ deleteCustomer: null });
    expect(unavailable.errors).toEqual([
      expect.objectContaining({
        path: ['deleteCustomer'],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', vendor: 'gameball' },
      }),
    ]);
    expect(dataset.gameball.has(id)).toBe(true);
  });
});
