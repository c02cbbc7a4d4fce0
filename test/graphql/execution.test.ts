import { ApolloServer } from '@apollo/server';
import { Trace } from '@apollo/usage-reporting-protobuf';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErrorFormatter } from '../../src/errors.js';
import { compiledExecution } from '../../src/execution.js';
import { sandboxEdgeCases as edge } from '../../src/sandbox/dataset.js';
import type { SandboxFaultSpec } from '../../src/sandbox/vendors.js';
import type { VendorEndpoint } from '../../src/vendors/endpoints.js';
import { customerQuery, customersQuery, entitiesQuery } from '../support/graphql.js';
import { everyCustomerField } from '../support/queries.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';
import { signToken } from '../support/tokens.js';

// src/execution.ts: graphql-jit runs an operation once graphql-js has run it GRAPHQL_COMPILE_AFTER
// times (1 by default); with `off`, graphql-js runs everything. Clients must not tell them apart.

/** The fakes make a new redemption hash on each call, as Gameball does. */
const everyStableField = everyCustomerField.replace(/\bredemptionHash\b/, '');
const representations = (ids: string[]) => ids.map((id) => ({ __typename: 'Customer', id }));

interface Case {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** The bearer token sent ('' for none); the full-access one when left out. */
  token?: () => Promise<string>;
  /** A vendor fault both subgraphs' fakes answer with while the case runs. */
  fault?: [VendorEndpoint, SandboxFaultSpec];
}

const cases: Case[] = [
  {
    name: 'every field of the richest customer, with full access',
    query: customerQuery(everyStableField),
    variables: { id: edge.rich },
  },
  {
    name: 'every field, asked by the customer: personal fields refused',
    query: customerQuery(everyStableField),
    variables: { id: edge.rich },
    token: () => signToken({ sub: edge.rich }),
  },
  {
    name: 'every field, anonymous: refusals on every protected path',
    query: customerQuery(everyStableField),
    variables: { id: edge.rich },
    token: () => Promise.resolve(''),
  },
  {
    name: 'customers(ids:) with customers one vendor knows, none knows, and a dangling Imprint link',
    query: customersQuery('id gameballId email phone cardPrograms { name status } coupons { code type value }'),
    variables: {
      ids: [edge.gameballOnly, edge.voucherifyOnly, edge.unknown, edge.danglingImprintLink.customerId, edge.rich],
    },
  },
  {
    name: '_entities, a customer repeated and an unknown one',
    query: entitiesQuery('__typename id gender loyaltyPoints { balance } orderSummary { count }'),
    variables: { representations: representations([edge.rich, edge.unknown, edge.rich, edge.richReferrer]) },
  },
  {
    name: 'fragments, aliases, @include and @skip on variables',
    query: /* GraphQL */ `
      query Shaped($id: ID!, $withOrders: Boolean!) {
        first: customer(id: $id) {
          ...Public
          orderSummary @include(if: $withOrders) {
            count
          }
        }
        second: customer(id: $id) {
          who: id
          ... on Customer {
            tags @skip(if: $withOrders)
          }
        }
      }
      fragment Public on Customer {
        __typename
        id
        gender
        location {
          country
        }
      }
    `,
    variables: { id: edge.rich, withOrders: true },
  },
  {
    name: 'a failing vendor: its fields null with their errors, and a customer only it knows null in its place',
    query: customersQuery('id gender orderSummary { count } coupons { code }'),
    variables: { ids: [edge.rich, edge.voucherifyOnly, edge.richReferrer] },
    fault: ['voucherify.customer', { status: 503 }],
  },
  {
    name: '_entities with a failing vendor: the entity only it knows null in its place',
    query: entitiesQuery('id gender tags'),
    variables: { representations: representations([edge.voucherifyOnly, edge.gameballOnly, edge.rich]) },
    fault: ['voucherify.customer', { status: 503 }],
  },
  {
    name: 'an explicit null for a defaulted variable where null is not allowed, in a directive',
    query: 'query Q($b: Boolean = true) { customer(id: "cust_0001") @include(if: $b) { id } }',
    variables: { b: null },
  },
  {
    name: 'an explicit null for a variable without a default, for an argument with one',
    query: `query Q($a: Boolean) { customer(id: "${edge.rich}") { id coupons(availableOnly: $a) { code } } }`,
    variables: { a: null },
  },
  {
    name: 'an explicit null for a defaulted variable where null is not allowed, in an argument',
    query: 'query Q($ids: [ID!] = []) { customers(ids: $ids) { id } }',
    variables: { ids: null },
  },
  {
    name: 'the same fragment spread twice, once under @include',
    query: `query Q($a: Boolean!) { customer(id: "${edge.rich}") { ...Public @include(if: $a) ...Public } }
      fragment Public on Customer { id gender }`,
    variables: { a: false },
  },
  {
    name: '_entities as a router may send them: a fragment under @include, and again without',
    query: `query E($r: [_Any!]!, $a: Boolean!) {
      _entities(representations: $r) { ... on Customer { ...Public @include(if: $a) } ... on Customer { ...Public } }
    } fragment Public on Customer { id gender }`,
    variables: { r: representations([edge.rich, edge.gameballOnly]), a: false },
  },
  {
    name: 'a fragment spread under two fields, under @skip in one of them',
    query: `query S($id: ID!, $s: Boolean!) { x: customer(id: $id) { ...Public @skip(if: $s) } y: customer(id: $id) { ...Public } }
      fragment Public on Customer { id tags }`,
    variables: { id: edge.rich, s: true },
  },
  { name: 'a required variable left out: a 400', query: customerQuery('id'), variables: {} },
  { name: 'a variable of the wrong type: a 400', query: customersQuery('id'), variables: { ids: [{ not: 'an id' }] } },
];

describe('graphql-jit answers as graphql-js does', () => {
  let interpreted: TestSubgraph;
  let compiled: TestSubgraph;

  beforeAll(async () => {
    [interpreted, compiled] = await Promise.all([
      startTestSubgraph({ env: { GRAPHQL_COMPILE_AFTER: 'off' } }),
      startTestSubgraph({ env: { GRAPHQL_COMPILE_AFTER: '1' } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([interpreted?.close(), compiled?.close()]);
  });

  it.each(cases)('$name', async ({ query, variables, token, fault }) => {
    const signed = await token?.();
    const headers = signed === undefined ? undefined : { authorization: signed && `Bearer ${signed}` };
    const subgraphs = [interpreted, compiled];
    if (fault) for (const { sandbox } of subgraphs) sandbox.setFault(...fault);
    try {
      const expected = await interpreted.query(query, variables, headers);
      // The first execution is graphql-js's, the next ones graphql-jit's.
      for (let execution = 0; execution < 3; execution += 1)
        expect(await compiled.query(query, variables, headers)).toEqual(expected);
    } finally {
      if (fault) for (const { sandbox } of subgraphs) sandbox.setFault(fault[0], null);
    }
  });

  it('reports field errors in ftv1 traces where they are in the document', async () => {
    const query = `query Traced($ids: [ID!]!) {
      customers(ids: $ids) {
        id
        orderSummary { count }
      }
    }`;
    const ids = [edge.rich, edge.voucherifyOnly];
    const subgraphs = [interpreted, compiled];
    for (const { sandbox } of subgraphs) sandbox.setFault('voucherify.customer', { status: 503 });
    try {
      const expected = tracedErrors(await interpreted.query(query, { ids }, traced));
      // `orderSummary` is on line 4, column 9 of the query.
      expect(expected).toContain('customers.0.orderSummary: 4:9');
      for (let execution = 0; execution < 3; execution += 1)
        expect(tracedErrors(await compiled.query(query, { ids }, traced))).toEqual(expected);
    } finally {
      for (const { sandbox } of subgraphs) sandbox.setFault('voucherify.customer', null);
    }
  });

  it("keeps one operation's @skip out of another one of the same document", async () => {
    const document = `query A($s: Boolean!) { customer(id: "${edge.rich}") { ...Public @skip(if: $s) } }
      query B { customer(id: "${edge.rich}") { ...Public } }
      fragment Public on Customer { id gender }`;
    const send = async (subgraph: TestSubgraph, operationName: string, variables: Record<string, unknown>) => {
      const response = await fetch(`${subgraph.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: document, operationName, variables }),
      });
      return (await response.json()) as unknown;
    };
    const expected = await send(interpreted, 'B', {});
    expect(expected).toMatchObject({ data: { customer: { id: edge.rich } } });
    for (let execution = 0; execution < 3; execution += 1) {
      expect(await send(compiled, 'A', { s: true })).toEqual(await send(interpreted, 'A', { s: true }));
      expect(await send(compiled, 'B', {})).toEqual(expected);
    }
  });
});

/** A response's ftv1 trace as its nodes, each with its response path (`customers.0.orderSummary`). */
function tracedNodes(response: unknown): [path: string, node: Trace.INode][] {
  const { ftv1 = '' } = (response as { extensions?: { ftv1?: string } }).extensions ?? {};
  const nodes: [string, Trace.INode][] = [];
  const walk = (node: Trace.INode, prefix: string) => {
    for (const child of node.child ?? []) {
      const path = `${prefix}${child.responseName || String(child.index)}`;
      nodes.push([path, child]);
      walk(child, `${path}.`);
    }
  };
  walk(Trace.decode(Buffer.from(ftv1, 'base64')).root ?? {}, '');
  return nodes;
}

/** A trace's resolved fields: each response path with its field and type. */
const tracedFields = (response: unknown) =>
  new Map(
    tracedNodes(response)
      .filter(([, node]) => node.responseName)
      .map(([path, node]) => [path, `${node.parentType}.${node.originalFieldName || node.responseName}: ${node.type}`]),
  );

/** A trace's field errors: each response path with the error's line and column in the document. */
const tracedErrors = (response: unknown) =>
  tracedNodes(response)
    .flatMap(([path, node]) =>
      (node.error ?? []).map(
        ({ location }) => `${path}: ${(location ?? []).map(({ line, column }) => `${line}:${column}`).join(' ')}`,
      ),
    )
    .sort();

const traced = { 'apollo-federation-include-trace': 'ftv1' };

describe('ftv1 traces of compiled operations', () => {
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    subgraph = await startTestSubgraph({ env: { GRAPHQL_COMPILE_AFTER: '0' } });
  });

  afterAll(async () => {
    await subgraph?.close();
  });

  it('hold every resolved field, even for an operation compiled before the first trace was asked for', async () => {
    const query = customerQuery('id gender location { country }');
    const untraced = await subgraph.query(query, { id: edge.rich });
    const response = await subgraph.query(query, { id: edge.rich }, traced);
    expect(response.data).toEqual(untraced.data);
    expect([...tracedFields(response).keys()]).toEqual(
      expect.arrayContaining([
        'customer',
        'customer.id',
        'customer.gender',
        'customer.location',
        'customer.location.country',
      ]),
    );
    // Untraced again: the same answer, and no trace.
    expect(await subgraph.query(query, { id: edge.rich })).toEqual(untraced);
  });

  it('name each field after its own path, whatever the aliases', async () => {
    const query = `query Q($id: ID!) { gender_customer: customer(id: $id) { id } customer(id: $id) { gender } }`;
    const fields = tracedFields(await subgraph.query(query, { id: edge.rich }, traced));
    expect(fields.get('gender_customer')).toBe('Query.customer: Customer');
    expect(fields.get('customer.gender')).toBe('Customer.gender: String');
  });
});

describe("graphql-jit's own errors", () => {
  // A schema whose resolver breaks its own contract: graphql-js reports a bug, masked.
  const brokenSchema = () => {
    const schema = buildSchema('type Query { broken: String! }');
    const field = schema.getQueryType()?.getFields()['broken'];
    if (field) field.resolve = () => null;
    return schema;
  };
  const answer = async (options: { schema: GraphQLSchema } | { gateway: ReturnType<typeof compiledExecution> }) => {
    const apollo = new ApolloServer({ ...options, formatError: createErrorFormatter() });
    await apollo.start();
    try {
      return (await apollo.executeOperation({ query: '{ broken }' })).body;
    } finally {
      await apollo.stop();
    }
  };

  it("are masked as bugs, as graphql-js's are", async () => {
    const expected = await answer({ schema: brokenSchema() });
    expect(expected).toMatchObject({ singleResult: { errors: [{ message: 'Internal server error' }] } });
    expect(await answer({ gateway: compiledExecution(brokenSchema(), 0) })).toEqual(expected);
  });
});
