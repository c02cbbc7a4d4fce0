// Small helpers shared by the GraphQL integration tests.
import type { UpstreamCode } from '../../src/errors.js';
import type { VendorName } from '../../src/vendors/endpoints.js';
import type { GraphQLResponse } from './subgraph.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type GraphQLError = NonNullable<GraphQLResponse['errors']>[number];

/** `query ($id: ID!) { customer(id: $id) { … } }` */
export function customerQuery(selection: string): string {
  return /* GraphQL */ `query Customer($id: ID!) { customer(id: $id) { ${selection} } }`;
}

/** `query ($ids: [ID!]!) { customers(ids: $ids) { … } }` */
export function customersQuery(selection: string): string {
  return /* GraphQL */ `query Customers($ids: [ID!]!) { customers(ids: $ids) { ${selection} } }`;
}

/** `query ($imprintId: ID!) { customerByImprintId(imprintId: $imprintId) { … } }` */
export function customerByImprintIdQuery(selection: string): string {
  return /* GraphQL */ `query ByImprintId($imprintId: ID!) { customerByImprintId(imprintId: $imprintId) { ${selection} } }`;
}

/** The federation entity lookup a router sends. */
export function entitiesQuery(selection: string): string {
  return /* GraphQL */ `query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Customer { ${selection} } }
  }`;
}

/** The errors keyed by their path joined with dots (`customer.referral.code`). */
export function errorsByPath(response: GraphQLResponse<unknown>): Map<string, GraphQLError> {
  const byPath = new Map<string, GraphQLError>();
  for (const error of response.errors ?? []) byPath.set((error.path ?? []).join('.'), error);
  return byPath;
}

/** The `extensions` a vendor failure is reported with: exactly the code and the vendor. */
export function upstream(code: UpstreamCode, vendor: VendorName): { code: UpstreamCode; vendor: VendorName } {
  return { code, vendor };
}

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
