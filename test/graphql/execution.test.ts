import { Trace } from '@apollo/usage-reporting-protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    name: 'an explicit null for a defaulted variable where null is not allowed',
    query: 'query Q($b: Boolean = true) { customer(id: "cust_0001") @include(if: $b) { id } }',
    variables: { b: null },
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
});

/** The response names in a trace's tree of resolved fields, as paths (`customer.location.country`). */
function tracedPaths(ftv1: string): string[] {
  const paths: string[] = [];
  const walk = (node: Trace.INode | null | undefined, prefix: string) => {
    for (const child of node?.child ?? []) {
      const path = child.responseName ? `${prefix}${child.responseName}` : prefix.slice(0, -1);
      if (child.responseName) paths.push(path);
      walk(child, `${path}.`);
    }
  };
  walk(Trace.decode(Buffer.from(ftv1, 'base64')).root, '');
  return paths;
}

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
    const traced = await subgraph.query(query, { id: edge.rich }, { 'apollo-federation-include-trace': 'ftv1' });
    expect(traced.data).toEqual(untraced.data);
    const { ftv1 } = (traced as { extensions?: { ftv1?: string } }).extensions ?? {};
    expect(tracedPaths(ftv1 ?? '')).toEqual(
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
});
