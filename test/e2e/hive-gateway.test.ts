import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime, type GatewayPlugin, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { createInlineSigningKeyProvider, useJWT, type JWTAuthContextExtension } from '@graphql-mesh/plugin-jwt-auth';
import { Kind, parse, type ConstDirectiveNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orders } from '../../examples/orders/server.js';
import { SANDBOX_JWT_SECRET } from '../../src/config.js';
import { sandboxEdgeCases } from '../../src/sandbox/dataset.js';
import type { GraphQLResponse } from '../support/subgraph.js';
import { signToken } from '../support/tokens.js';
import { composeRunningSubgraphs, postGraphQL, startSubgraphs, type RunningSubgraphs } from '../support/supergraph.js';

// Hive Gateway in front of customer-subgraph (auth directives ON, the default) and the example
// orders subgraph, enforcing @authenticated / @requiresScopes from the composed supergraph with its
// JWT plugin and generic auth in granular mode. For every caller and every gated field, what the
// gateway lets through and what the subgraph answers must agree with the product rules written out
// below: the gateway refuses only what the subgraph refuses too, and never returns a value the
// subgraph would refuse. That is what proves the SDL's declarations right, not just present.

const owner = sandboxEdgeCases.rich; // cust_0001: every vendor knows them, with full PII, coupons, referrals
const someoneElse = sandboxEdgeCases.richReferrer;

// --- The product rules, written out independently of src/auth/rules.ts and of the SDL ---------

/**
 * personal: owner or pii:read; sensitive: pii:sensitive only; coupons: owner or coupons:read;
 * lookup (by Imprint id): pii:read only; write: customers:write.
 */
type Access = 'personal' | 'sensitive' | 'coupons' | 'lookup' | 'write';

/** Every gated field of the graph and who may read it, by coordinate. */
const productRules: Record<string, Access> = {
  'Customer.imprintId': 'personal',
  'Customer.joinDate': 'personal',
  'Customer.joinedAt': 'personal',
  'Customer.channel': 'personal',
  'PurchaseHistory.averageOrderAmount': 'personal',
  'Customer.preferenceCenterUrl': 'personal',
  'Customer.cardHolderSince': 'personal',
  'Customer.cardHolderUpdatedAt': 'personal',
  'Customer.displayName': 'personal',
  'Customer.firstName': 'personal',
  'Customer.lastName': 'personal',
  'Customer.email': 'personal',
  'Customer.phone': 'personal',
  'Customer.dateOfBirth': 'personal',
  'Customer.preferredLanguage': 'personal',
  'Customer.address': 'personal',
  'Customer.cardPrograms': 'personal',
  'Referral.received': 'personal',
  'Customer.ssnLast4': 'sensitive',
  'Customer.coupons': 'coupons',
  'Customer.redemptionHash': 'coupons',
  'Query.customerByImprintId': 'lookup',
  'Mutation.upsertCustomer': 'write',
  'Mutation.deleteCustomer': 'write',
};

/**
 * What a router can check from the token alone. Owner-or-scope data needs the owner check, which
 * only the subgraph can make, so the router's part is "authenticated"; scope-only data is decided
 * by the scope. This is what the SDL must declare, and what the gateway must enforce.
 */
const routerCheck: Record<Access, { authenticated: true } | { scope: string }> = {
  personal: { authenticated: true },
  coupons: { authenticated: true },
  sensitive: { scope: 'pii:sensitive' },
  lookup: { scope: 'pii:read' },
  write: { scope: 'customers:write' },
};

interface Caller {
  name: string;
  claims: { sub: string; scope?: string; scp?: string[] } | null;
  /** What the product lets this caller read of the owner's data (or do). */
  may: Access[];
}

const callers: Caller[] = [
  { name: 'anonymous', claims: null, may: [] },
  { name: 'the owner', claims: { sub: owner }, may: ['personal', 'coupons'] },
  { name: 'another customer', claims: { sub: someoneElse }, may: [] },
  { name: 'pii:read', claims: { sub: 'support-agent', scope: 'pii:read' }, may: ['personal'] },
  { name: 'pii:sensitive', claims: { sub: 'risk-team', scope: 'pii:sensitive' }, may: ['sensitive'] },
  { name: 'coupons:read', claims: { sub: 'checkout', scope: 'coupons:read' }, may: ['coupons'] },
  { name: 'customers:write', claims: { sub: 'crm-sync', scope: 'customers:write' }, may: ['write'] },
  // The subgraph also reads an `scp` list; the gateway is configured to read scopes the same way.
  { name: 'scp list', claims: { sub: 'agent', scp: ['pii:read', 'pii:sensitive'] }, may: ['personal', 'sensitive'] },
];

function scopesOf(caller: Caller): string[] {
  return [...(caller.claims?.scope?.split(/\s+/) ?? []), ...(caller.claims?.scp ?? [])];
}

/** Whether the gateway, by the declared directives, should let `caller` reach a field of `access`. */
function gatewayLetsThrough(caller: Caller, access: Access): boolean {
  const check = routerCheck[access];
  return 'scope' in check ? scopesOf(caller).includes(check.scope) : caller.claims !== null;
}

// --- How each gated field of the owner is selected, and where its value sits ---------------------

/** Selections for fields of object type; any other field is selected by its name. */
const selections: Record<string, string> = {
  'Customer.address': 'address { line1 city }',
  'Customer.cardPrograms': 'cardPrograms { name status }',
  'Customer.coupons': 'coupons { code }',
  'Referral.received': 'referral { received { campaignId } }',
  'PurchaseHistory.averageOrderAmount': 'purchaseHistory { averageOrderAmount { amount } }',
};
/** Where a field of each type sits under the Customer. */
const pathFromCustomer: Record<string, string[]> = {
  Customer: [],
  Referral: ['referral'],
  PurchaseHistory: ['purchaseHistory'],
};
/** Values that differ on every request: compared for presence only. */
const volatile = new Set(['Customer.redemptionHash']);

const publicFields: { selection: string; path: string[] }[] = [
  { selection: 'id', path: ['id'] },
  { selection: 'gender', path: ['gender'] },
  { selection: 'tags', path: ['tags'] },
  { selection: 'orderSummary { count }', path: ['orderSummary'] },
  { selection: 'loyaltyPoints { balance }', path: ['loyaltyPoints'] },
  { selection: 'referral { code receivedCount }', path: ['referral', 'code'] },
];

interface GatedField {
  coordinate: string;
  access: Access;
  selection: string;
  path: string[];
}

function gatedField(coordinate: string): GatedField {
  const [typeName = '', fieldName = ''] = coordinate.split('.');
  const access = productRules[coordinate];
  const base = pathFromCustomer[typeName];
  if (!access || !base) throw new Error(`no product rule or path for ${coordinate}`);
  return { coordinate, access, selection: selections[coordinate] ?? fieldName, path: [...base, fieldName] };
}

// --- What the supergraph declares ---------------------------------------------------------------

type Declaration = '@authenticated' | `@requiresScopes(${string})`;

/** Every field of the supergraph carrying @authenticated or @requiresScopes, by coordinate. */
function declaredAuth(supergraphSdl: string): Map<string, Declaration> {
  const declared = new Map<string, Declaration>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const declarations = (field.directives ?? []).flatMap((directive) => describeDirective(directive));
      if (declarations.length > 1) throw new Error(`${definition.name.value}.${field.name.value}: two auth directives`);
      if (declarations[0]) declared.set(`${definition.name.value}.${field.name.value}`, declarations[0]);
    }
  }
  return declared;
}

function describeDirective(directive: ConstDirectiveNode): Declaration[] {
  if (directive.name.value === 'authenticated') return ['@authenticated'];
  if (directive.name.value !== 'requiresScopes') return [];
  const scopes = directive.arguments?.find((argument) => argument.name.value === 'scopes')?.value;
  const groups =
    scopes?.kind === Kind.LIST
      ? scopes.values.map((group) =>
          group.kind === Kind.LIST ? group.values.map((value) => (value.kind === Kind.STRING ? value.value : '?')) : [],
        )
      : [];
  return [`@requiresScopes(${JSON.stringify(groups)})`];
}

function expectedDeclaration(access: Access): Declaration {
  const check = routerCheck[access];
  return 'scope' in check ? `@requiresScopes(${JSON.stringify([[check.scope]])})` : '@authenticated';
}

// --- Reading responses ---------------------------------------------------------------------------

/** The gateway's code for a field refused by directive (@envelop/generic-auth). */
const directiveRefusal = 'UNAUTHORIZED_FIELD_OR_TYPE';
/** The subgraph's code for a field refused by its rules. */
const subgraphRefusal = 'FORBIDDEN';

/**
 * A response path without list indices and without the `@` that generic-auth puts in the path of
 * a refused field of (nullable) list type: `customer.@.coupons` and `orders.0.customer.email` read
 * as `customer.coupons` and `orders.customer.email`.
 */
function normalised(path: readonly (string | number)[] | undefined): string {
  return (path ?? []).filter((key) => typeof key === 'string' && key !== '@').join('.');
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<string | number, unknown> | null)?.[key], data);
}

/**
 * What a response did with the field at `path`: refused it (an error with `code` there) or answered
 * it, and whether a value came all the same. A refusal with a value would be a leak.
 */
function outcomeAt(response: GraphQLResponse, path: (string | number)[], code: string): string {
  const refused = (response.errors ?? []).some(
    (error) => error.extensions?.['code'] === code && normalised(error.path) === normalised(path),
  );
  const value = valueAt(response.data, path);
  if (refused) return value == null ? 'refused' : 'refused, yet a value';
  return value == null ? 'null' : 'value';
}

function codesOf(response: GraphQLResponse): Set<unknown> {
  return new Set((response.errors ?? []).map((error) => error.extensions?.['code']));
}

// --- The gateway -----------------------------------------------------------------------------------

interface RunningGateway {
  url: string;
  runtime: GatewayRuntime<JWTAuthContextExtension>;
  close(): Promise<void>;
}

/** The JWT's scopes as the subgraph reads them: OAuth2 `scope` (space-separated) and an `scp` list. */
function scopesOfPayload(payload: Record<string, unknown> | null | undefined): string[] {
  // generic-auth calls extractScopes for anonymous callers too, with no user (its types say otherwise).
  const { scope, scp } = payload ?? {};
  const scopes = typeof scope === 'string' ? scope.split(/\s+/) : [];
  if (Array.isArray(scp)) scopes.push(...scp.filter((name): name is string => typeof name === 'string'));
  else if (typeof scp === 'string') scopes.push(...scp.split(/\s+/));
  return scopes.filter((name) => name !== '');
}

async function startHiveGateway(supergraphSdl: string): Promise<RunningGateway> {
  const runtime = createGatewayRuntime<JWTAuthContextExtension>({
    supergraph: supergraphSdl,
    logging: 'error',
    transports: { http: import('@graphql-mesh/transport-http') },
    plugins: () => [
      // @graphql-mesh/plugin-jwt-auth bundles its own copy of the gateway's plugin types, which
      // TypeScript does not see as the runtime's (their Logger types differ): same plugin, retyped.
      useJWT({
        // HS256 with the secret the subgraph uses in sandbox mode; RS256 (the plugin's other
        // default) is not accepted.
        signingKeyProviders: [createInlineSigningKeyProvider(SANDBOX_JWT_SECRET)],
        tokenVerification: { algorithms: ['HS256'] },
        // Anonymous callers reach the public fields; a bad token is refused outright.
        reject: { missingToken: false, invalidToken: true },
        // The subgraph reads the token itself (Authorization, below), not a copy in `extensions`.
        forward: { payload: false, token: false },
      }) as unknown as GatewayPlugin<JWTAuthContextExtension>,
    ],
    genericAuth: {
      // Enforce @authenticated / @requiresScopes per field: a refused field is taken out of the
      // operation, null in the response with an error, and the rest is answered.
      mode: 'protect-granular',
      rejectUnauthenticated: false,
      resolveUserFn: (context) => context.jwt?.payload,
      extractScopes: (user) => scopesOfPayload(user),
    },
    propagateHeaders: {
      // The subgraph makes the owner check itself, so it needs the caller's token.
      fromClientToSubgraphs: ({ request, subgraphName }) =>
        subgraphName === 'customers' ? { authorization: request.headers.get('authorization') } : {},
    },
  });
  // The runtime is a node:http request listener (a promise-returning one).
  const server: Server = createServer((request, response) => void runtime(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    runtime,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runtime.dispose();
    },
  };
}

// --- The tests ------------------------------------------------------------------------------------

describe('through Hive Gateway enforcing the auth directives', () => {
  let subgraphs: RunningSubgraphs;
  let gateway: RunningGateway;
  let supergraphSdl: string;
  let customerFields: GatedField[];
  const tokens = new Map<string, string | undefined>();

  beforeAll(async () => {
    subgraphs = await startSubgraphs();
    ({ supergraphSdl } = await composeRunningSubgraphs(subgraphs.endpoints));
    gateway = await startHiveGateway(supergraphSdl);
    // The gated fields the SDL declares, and any the product rules gate that the SDL forgot (the
    // first test names both kinds of mismatch; a declared field with no product rule is left out).
    const coordinates = new Set([...declaredAuth(supergraphSdl).keys(), ...Object.keys(productRules)]);
    customerFields = [...coordinates]
      .filter((coordinate) => /^(Customer|Referral)\./.test(coordinate) && coordinate in productRules)
      .map(gatedField);
    for (const caller of callers) {
      const { scp, ...claims } = caller.claims ?? { sub: '' };
      tokens.set(
        caller.name,
        caller.claims ? await signToken({ ...claims, extra: scp ? { scp } : undefined }) : undefined,
      );
    }
  });

  afterAll(async () => {
    await gateway?.close();
    await subgraphs?.close();
  });

  it('composes a supergraph whose declarations are exactly the product rules, as a router can check them', () => {
    const declared = Object.fromEntries(declaredAuth(supergraphSdl));
    const expected = Object.fromEntries(
      Object.entries(productRules).map(([coordinate, access]) => [coordinate, expectedDeclaration(access)]),
    );
    expect(declared).toEqual(expected);
    expect(customerFields.length).toBeGreaterThan(10);
  });

  it('orders(first: 1) is an order of the owner', () => {
    expect(orders[0]?.customerId).toBe(owner);
  });

  describe.each(callers)('$name', (caller) => {
    const token = () => tokens.get(caller.name);
    const selection = () =>
      [...publicFields.map((field) => field.selection), ...customerFields.map((field) => field.selection)].join('\n');

    const customerQuery = () => `{ customer(id: "${owner}") { ${selection()} } }`;

    it.each([
      { route: 'customer(id:)', query: customerQuery, base: ['customer'] },
      {
        route: 'orders → customer',
        query: () => `{ orders(first: 1) { id customer { ${selection()} } } }`,
        base: ['orders', 0, 'customer'],
      },
    ])(
      'via $route: the gateway refuses only what the subgraph refuses, and the rest is the subgraph’s answer',
      async ({ query, base }) => {
        // The subgraph asked directly with the same token, and the gateway.
        const direct = await postGraphQL(subgraphs.endpoints.customers, customerQuery(), { token: token() });
        const through = await postGraphQL(gateway.url, query(), { token: token() });

        // Granular: the operation is answered, whatever was refused.
        expect(direct.status).toBe(200);
        expect(valueAt(direct.data, ['customer', 'id'])).toBe(owner);
        expect(valueAt(through.data, [...base, 'id'])).toBe(owner);
        expect([...codesOf(direct)].filter((code) => code !== subgraphRefusal)).toEqual([]);
        expect([...codesOf(through)].filter((code) => code !== subgraphRefusal && code !== directiveRefusal)).toEqual(
          [],
        );

        for (const field of publicFields) {
          expect(valueAt(through.data, [...base, ...field.path]), field.selection).toEqual(
            valueAt(direct.data, ['customer', ...field.path]),
          );
          expect(valueAt(through.data, [...base, ...field.path]), field.selection).not.toBeNull();
        }

        const rows = customerFields.map((field) => {
          const there = [...base, ...field.path];
          const subgraph = outcomeAt(direct, ['customer', ...field.path], subgraphRefusal);
          const byDirective = outcomeAt(through, there, directiveRefusal);
          return {
            field: field.coordinate,
            // What the product rules say, and what each system did.
            expected: {
              gateway: gatewayLetsThrough(caller, field.access) ? 'through' : 'refused',
              subgraph: caller.may.includes(field.access) ? 'value' : 'refused',
            },
            actual: { gateway: byDirective.startsWith('refused') ? 'refused' : 'through', subgraph },
            // Through the gateway, a field is refused by directive or carries the subgraph's answer.
            throughGateway: byDirective.startsWith('refused')
              ? byDirective
              : outcomeAt(through, there, subgraphRefusal),
            sameValue:
              volatile.has(field.coordinate) ||
              JSON.stringify(valueAt(through.data, there) ?? null) ===
                JSON.stringify(valueAt(direct.data, ['customer', ...field.path]) ?? null),
          };
        });

        // Each system against the product rules…
        for (const row of rows) {
          expect(row.actual, `${caller.name} ${row.field}`).toEqual(row.expected);
        }
        // …and against each other: the gateway's refusals are a subset of the subgraph's…
        const gatewayRefused = rows.filter((row) => row.actual.gateway === 'refused').map((row) => row.field);
        const subgraphRefused = rows.filter((row) => row.actual.subgraph === 'refused').map((row) => row.field);
        expect(gatewayRefused.filter((field) => !subgraphRefused.includes(field))).toEqual([]);
        // …it never returns a value the subgraph refuses, and what it lets through is the subgraph's answer.
        for (const row of rows) {
          expect(row.throughGateway, `${caller.name} ${row.field} through the gateway`).toBe(
            row.actual.gateway === 'refused' ? 'refused' : row.actual.subgraph,
          );
          expect(row.sameValue, `${caller.name} ${row.field}: the same value as direct`).toBe(true);
        }
      },
    );

    it('runs the mutations only with customers:write: refused by the gateway otherwise, and by the subgraph too', async () => {
      const id = `hive_${caller.name.replace(/\W+/g, '_')}`;
      const mutation = `mutation {
        upsertCustomer(input: { id: "${id}", attributes: { tags: ["hive-gateway"] } }) { userErrors { code } }
        deleteCustomer(id: "${id}_unknown") { userErrors { code } }
      }`;
      const mayWrite = caller.may.includes('write');
      expect(gatewayLetsThrough(caller, 'write')).toBe(mayWrite);

      subgraphs.customers.sandbox.resetCalls();
      const through = await postGraphQL(gateway.url, mutation, { token: token() });
      if (mayWrite) {
        expect(through.errors).toBeUndefined();
        expect(through.data).toEqual({
          upsertCustomer: { userErrors: [] },
          deleteCustomer: { userErrors: [{ code: 'NOT_FOUND' }] },
        });
        expect(subgraphs.customers.sandbox.dataset.gameball.get(id)?.details.customerAttributes.tags).toEqual([
          'hive-gateway',
        ]);
        return;
      }
      expect(through.data).toEqual({ upsertCustomer: null, deleteCustomer: null });
      expect(
        (through.errors ?? []).map((error) => [normalised(error.path), error.extensions?.['code']]).sort(),
      ).toEqual([
        ['deleteCustomer', directiveRefusal],
        ['upsertCustomer', directiveRefusal],
      ]);
      // Refused by the gateway: the mutations never reached the subgraph, so no vendor was called.
      expect(subgraphs.customers.sandbox.calls).toEqual([]);
      expect(subgraphs.customers.sandbox.dataset.gameball.has(id)).toBe(false);

      // The subgraph, asked directly with the same token, refuses the same mutations.
      const direct = await postGraphQL(subgraphs.endpoints.customers, mutation, { token: token() });
      expect(direct.data).toEqual({ upsertCustomer: null, deleteCustomer: null });
      expect((direct.errors ?? []).map((error) => [normalised(error.path), error.extensions?.['code']]).sort()).toEqual(
        [
          ['deleteCustomer', subgraphRefusal],
          ['upsertCustomer', subgraphRefusal],
        ],
      );
      expect(subgraphs.customers.sandbox.dataset.gameball.has(id)).toBe(false);
    });
  });

  it('forwards Authorization: the owner reads their own e-mail through the gateway, on both routes', async () => {
    const email = subgraphs.customers.sandbox.dataset.gameball.get(owner)?.details.customerAttributes.email;
    expect(email).toBeTruthy();
    const response = await postGraphQL<{
      customer: { email: string | null };
      orders: { customer: { email: string | null } }[];
    }>(gateway.url, `{ customer(id: "${owner}") { email } orders(first: 1) { customer { email } } }`, {
      token: tokens.get('the owner'),
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.customer.email).toBe(email);
    expect(response.data?.orders[0]?.customer.email).toBe(email);
  });

  it('refuses a forged token outright, as the subgraph does', async () => {
    const forged = await signToken({ sub: owner, scope: 'pii:read', secret: 'x'.repeat(40) });
    const query = `{ customer(id: "${owner}") { id gender } }`;
    subgraphs.customers.sandbox.resetCalls();
    const through = await postGraphQL(gateway.url, query, { token: forged });
    expect(through.data ?? null).toBeNull();
    expect(through.errors?.length).toBeGreaterThan(0);
    expect(subgraphs.customers.sandbox.calls).toEqual([]);
    const direct = await postGraphQL(subgraphs.endpoints.customers, query, { token: forged });
    expect(direct.status).toBe(401);
    expect(direct.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});
