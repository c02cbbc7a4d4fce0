import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEdgeCases } from '../../src/sandbox/dataset.js';
import { startTestSubgraph, type GraphQLResponse, type TestSubgraph } from '../support/subgraph.js';
import { signToken } from '../support/tokens.js';

// Callers × every gated field and mutation → the value or FORBIDDEN. The expectations are written
// out here from the product rules, independently of src/auth/rules.ts, so a wrong rule fails.

type Access = 'personal' | 'sensitive' | 'coupons' | 'write';

const owner = sandboxEdgeCases.rich;
const someoneElse = sandboxEdgeCases.richReferrer;
const audience = 'customer-subgraph';

/** Gated fields of the owner's customer: the selection, where its value sits, and who may read it. */
const gatedFields: { selection: string; path: string[]; access: Exclude<Access, 'write'> }[] = [
  { selection: 'imprintId', path: ['imprintId'], access: 'personal' },
  { selection: 'joinDate', path: ['joinDate'], access: 'personal' },
  { selection: 'joinedAt', path: ['joinedAt'], access: 'personal' },
  { selection: 'channel', path: ['channel'], access: 'personal' },
  {
    selection: 'purchaseHistory { averageOrderAmount { amount } }',
    path: ['purchaseHistory', 'averageOrderAmount'],
    access: 'personal',
  },
  { selection: 'preferenceCenterUrl', path: ['preferenceCenterUrl'], access: 'personal' },
  { selection: 'cardHolderSince', path: ['cardHolderSince'], access: 'personal' },
  { selection: 'cardHolderUpdatedAt', path: ['cardHolderUpdatedAt'], access: 'personal' },
  { selection: 'displayName', path: ['displayName'], access: 'personal' },
  { selection: 'firstName', path: ['firstName'], access: 'personal' },
  { selection: 'lastName', path: ['lastName'], access: 'personal' },
  { selection: 'email', path: ['email'], access: 'personal' },
  { selection: 'phone', path: ['phone'], access: 'personal' },
  { selection: 'dateOfBirth', path: ['dateOfBirth'], access: 'personal' },
  { selection: 'preferredLanguage', path: ['preferredLanguage'], access: 'personal' },
  { selection: 'address { line1 city }', path: ['address'], access: 'personal' },
  { selection: 'cardPrograms { name status }', path: ['cardPrograms'], access: 'personal' },
  { selection: 'referral { received { campaignId } }', path: ['referral', 'received'], access: 'personal' },
  { selection: 'ssnLast4', path: ['ssnLast4'], access: 'sensitive' },
  { selection: 'coupons { code }', path: ['coupons'], access: 'coupons' },
  { selection: 'redemptionHash', path: ['redemptionHash'], access: 'coupons' },
];
const publicFields = [
  'id',
  'gender',
  'tags',
  'orderSummary { count }',
  'loyaltyPoints { balance }',
  'referral { code isReferred receivedCount }',
  'customerSince',
  'purchaseHistory { totalSpent { amount } paymentMethods }',
];

interface Caller {
  name: string;
  claims: { sub?: string; scope?: string } | null;
  may: Access[];
}

const callers: Caller[] = [
  { name: 'anonymous', claims: null, may: [] },
  { name: 'the customer themself', claims: { sub: owner }, may: ['personal', 'coupons'] },
  { name: 'another customer', claims: { sub: someoneElse }, may: [] },
  { name: 'pii:read', claims: { sub: 'support-agent', scope: 'pii:read' }, may: ['personal'] },
  { name: 'pii:sensitive', claims: { sub: 'risk-team', scope: 'pii:sensitive' }, may: ['sensitive'] },
  { name: 'coupons:read', claims: { sub: 'checkout', scope: 'coupons:read' }, may: ['coupons'] },
  { name: 'customers:write', claims: { sub: 'crm-sync', scope: 'customers:write' }, may: ['write'] },
  {
    name: 'scp list',
    claims: { sub: 'agent', scope: undefined, ...{ scp: ['pii:read', 'coupons:read'] } },
    may: ['personal', 'coupons'],
  },
];

function valueAt(data: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<string | number, unknown> | null)?.[key], data);
}

function forbiddenPaths(response: GraphQLResponse): string[] {
  return (response.errors ?? [])
    .filter((error) => error.extensions?.code === 'FORBIDDEN')
    .map((error) => (error.path ?? []).join('.'));
}

describe('access matrix', () => {
  let subgraph: TestSubgraph;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    subgraph = await startTestSubgraph({ env: { AUTH_AUDIENCE: audience } });
    for (const caller of callers) {
      if (!caller.claims) continue;
      const { scp, ...claims } = caller.claims as { sub?: string; scope?: string; scp?: string[] };
      tokens.set(caller.name, await signToken({ ...claims, audience, extra: scp ? { scp } : undefined }));
    }
  });
  afterAll(() => subgraph.close());

  const headersOf = (caller: Caller) => ({ authorization: caller.claims ? `Bearer ${tokens.get(caller.name)}` : '' });

  describe.each(callers)('$name', (caller) => {
    it('reads exactly the gated fields it may, with FORBIDDEN on the others and the rest intact', async () => {
      const selection = [...publicFields, ...gatedFields.map((field) => field.selection)].join('\n');
      const response = await subgraph.query(
        `{ customer(id: "${owner}") { ${selection} } }`,
        undefined,
        headersOf(caller),
      );

      expect(response.status).toBe(200);
      const customer = (response.data as { customer: Record<string, unknown> | null }).customer;
      expect(customer).not.toBeNull();
      expect(customer?.['id']).toBe(owner);
      expect(customer?.['orderSummary']).not.toBeNull();
      expect(customer?.['customerSince']).not.toBeNull();
      expect(valueAt(customer, ['purchaseHistory', 'paymentMethods'])).not.toBeNull();
      const expectedForbidden: string[] = [];
      for (const field of gatedFields) {
        const value = valueAt(customer, field.path);
        if (caller.may.includes(field.access)) {
          expect(value, field.selection).not.toBeNull();
          expect(value, field.selection).not.toBeUndefined();
        } else {
          expect(value, field.selection).toBeNull();
          expectedForbidden.push(['customer', ...field.path].join('.'));
        }
      }
      expect(forbiddenPaths(response).sort()).toEqual(expectedForbidden.sort());
      expect(response.errors?.filter((error) => error.extensions?.code !== 'FORBIDDEN') ?? []).toEqual([]);
    });

    it('may run the mutations only with customers:write', async () => {
      const id = `matrix_${caller.name.replace(/\W+/g, '_')}`;
      const response = await subgraph.query(
        `mutation {
          upsertCustomer(input: { id: "${id}", attributes: { tags: ["matrix"] } }) { userErrors { code } }
          deleteCustomer(id: "${id}_unknown") { userErrors { code } }
        }`,
        undefined,
        headersOf(caller),
      );
      if (caller.may.includes('write')) {
        expect(response.errors).toBeUndefined();
        expect(response.data).toEqual({
          upsertCustomer: { userErrors: [] },
          deleteCustomer: { userErrors: [{ code: 'NOT_FOUND' }] },
        });
        expect(subgraph.sandbox.dataset.gameball.has(id)).toBe(true);
      } else {
        expect(response.data).toEqual({ upsertCustomer: null, deleteCustomer: null });
        expect(forbiddenPaths(response).sort()).toEqual(['deleteCustomer', 'upsertCustomer']);
        expect(subgraph.sandbox.dataset.gameball.has(id)).toBe(false);
      }
    });
  });

  it('looks customers up by Imprint id only with pii:read', async () => {
    const [holder] = [...subgraph.sandbox.dataset.imprint.values()].filter((record) => record.partner_customer_id);
    const query = `{ customerByImprintId(imprintId: "${holder?.id}") { id } }`;
    const bySupport = await subgraph.query(query, undefined, headersOf(callers.find((c) => c.name === 'pii:read')!));
    expect(bySupport.data).toEqual({ customerByImprintId: { id: holder?.partner_customer_id } });
    for (const caller of callers.filter((c) => !c.may.includes('personal') || c.name === 'the customer themself')) {
      const refused = await subgraph.query(query, undefined, headersOf(caller));
      expect(refused.data, caller.name).toEqual({ customerByImprintId: null });
      expect(forbiddenPaths(refused), caller.name).toEqual(['customerByImprintId']);
    }
  });

  it.each([
    ['an expired token', () => signToken({ sub: owner, scope: 'pii:read', audience, expiresIn: -60 })],
    ['a forged token', () => signToken({ sub: owner, scope: 'pii:read', audience, secret: 'x'.repeat(40) })],
    ['a token for another audience', () => signToken({ sub: owner, scope: 'pii:read', audience: 'another-api' })],
  ])('refuses %s: the whole request is 401 UNAUTHENTICATED, and no vendor is called', async (_, token) => {
    subgraph.sandbox.resetCalls();
    const response = await subgraph.query(`{ customer(id: "${owner}") { gender email } }`, undefined, {
      authorization: `Bearer ${await token()}`,
    });
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.data).toBeUndefined();
    expect(subgraph.sandbox.calls).toEqual([]);
  });

  it('gates per customer in a list: the owner sees their own e-mail, not the next customer’s', async () => {
    const response = await subgraph.query(
      `query($ids: [ID!]!) { customers(ids: $ids) { id gender email } }`,
      { ids: [owner, someoneElse] },
      { authorization: `Bearer ${tokens.get('the customer themself')}` },
    );
    const [mine, theirs] = (
      response.data as { customers: { id: string; gender: string | null; email: string | null }[] }
    ).customers;
    expect(mine?.email).toBe(subgraph.sandbox.dataset.gameball.get(owner)?.details.customerAttributes.email);
    expect(theirs).toMatchObject({ id: someoneElse, email: null });
    expect(theirs?.gender).not.toBeNull();
    expect(forbiddenPaths(response)).toEqual(['customers.1.email']);
  });

  it('gates per entity in _entities, keeping the other entities whole', async () => {
    const response = await subgraph.query(
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { id gender coupons { code } } } }`,
      { representations: [owner, someoneElse].map((id) => ({ __typename: 'Customer', id })) },
      { authorization: `Bearer ${tokens.get('the customer themself')}` },
    );
    const [mine, theirs] = (response.data as { _entities: { id: string; coupons: unknown[] | null }[] })._entities;
    expect(mine?.coupons).not.toBeNull();
    expect(theirs).toMatchObject({ id: someoneElse, coupons: null });
    expect(forbiddenPaths(response)).toEqual(['_entities.1.coupons']);
  });

  it('keeps personal data and tokens out of every log line written during the matrix', () => {
    const { dataset } = subgraph.sandbox;
    const secrets: (string | null | undefined)[] = [...tokens.values()];
    for (const id of [owner, someoneElse]) {
      const gameball = dataset.gameball.get(id);
      const attributes = gameball?.details.customerAttributes;
      secrets.push(
        ...[
          attributes?.email,
          attributes?.mobile,
          attributes?.firstName,
          attributes?.lastName,
          attributes?.displayName,
          gameball?.hash,
        ],
        ...(gameball?.coupons.map((coupon) => coupon.code) ?? []),
      );
      const promotions = [...dataset.voucherify.values()].find((record) => record.source_id === id);
      secrets.push(promotions?.address?.line_1 ?? undefined, promotions?.phone ?? undefined);
      const card = [...dataset.imprint.values()].find((record) => record.partner_customer_id === id);
      secrets.push(card?.ssn4 ? `"${card.ssn4}"` : undefined, card?.email);
    }
    const values = secrets.filter((value): value is string => typeof value === 'string' && value.length > 3);
    expect(values.length).toBeGreaterThan(10);
    expect(subgraph.logs.length).toBeGreaterThan(callers.length);
    const log = subgraph.logs.join('\n');
    const leaked = values.map((value, index) => (log.includes(value) ? index : -1)).filter((index) => index >= 0);
    expect(leaked).toEqual([]);
  });
});
