import type { ApolloServerPlugin } from '@apollo/server';
import { collectFields } from '@graphql-tools/utils';
import {
  GraphQLError,
  Kind,
  getArgumentValues,
  getVariableValues,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Context } from './context.js';
import { budgetKeys } from './customers/budget.js';

export interface LookupLimits {
  /** `_entities` representations per request. */
  maxEntities: number;
  /** Ids of all `customers(ids:)` fields of a request together. */
  maxCustomersPerQuery: number;
  /** Distinct customers per request (the budget, kept by src/customers/budget.ts). */
  maxCustomersPerRequest: number;
}

/**
 * What one request may look up, checked once the operation is known and before anything is
 * executed, so no vendor is called for a refused request: at most MAX_ENTITIES_PER_REQUEST
 * `_entities` representations, each a Customer; at most MAX_CUSTOMERS_PER_QUERY ids in all
 * `customers(ids:)` fields; and at most MAX_CUSTOMERS_PER_REQUEST distinct customers over the whole
 * document. The root fields are collected as graphql-js executes them: through aliases, inline and
 * named fragments, `@skip`/`@include`, variables and their defaults.
 */
export function lookupLimitsPlugin(limits: LookupLimits): ApolloServerPlugin<Context> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return Promise.resolve();
          const fragments = fragmentsOf(document);
          const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          // Variables that do not coerce fail the request before execution anyway.
          if (variables.errors) return Promise.resolve();
          const lookups = lookupsOf(schema, operation, fragments, variables.coerced, contextValue.caller.subject);
          if (lookups.representations.length > limits.maxEntities) {
            throw badRequest(
              `_entities takes at most ${limits.maxEntities} representations per request, got ${lookups.representations.length}`,
            );
          }
          // Over all `customers(ids:)` fields together: aliases of one list must not multiply the
          // work of a request (every entry is resolved, duplicates too, even when it costs no vendor call).
          let listed = 0;
          for (const list of lookups.idLists) {
            listed += list.length;
            if (listed <= limits.maxCustomersPerQuery) continue;
            const total = lookups.idLists.reduce((sum, { length }) => sum + length, 0);
            throw badRequest(
              `ids may list at most ${limits.maxCustomersPerQuery} customers per request, got ${total}`,
              { path: [list.at], field: ['ids'] },
            );
          }
          // Checked here so a malformed one is the caller's error, not a crash inside @apollo/subgraph.
          if (!lookups.representations.every(isCustomerRepresentation)) {
            throw badRequest('Each _entities representation must be an object with __typename "Customer"');
          }
          contextValue.budget.reserve(lookups.customers);
          return Promise.resolve();
        },
      }),
  };
}

interface Lookups {
  /** Every `_entities` representation, as sent. */
  readonly representations: unknown[];
  /** The distinct customers the root fields name (budget keys). */
  readonly customers: ReadonlySet<string>;
  /** How many ids each `customers(ids:)` lists, by response key. */
  readonly idLists: { at: string; length: number }[];
}

/** Which customers each root field names, from its coerced arguments. */
const rootLookups: Record<string, (args: Record<string, unknown>, subject: string | null) => string[]> = {
  'Query.me': (_, subject) => (subject === null ? [] : [budgetKeys.merchant(subject)]),
  'Query.customer': ({ id }) => strings(id).map(budgetKeys.merchant),
  'Query.customers': ({ ids }) => strings(ids).map(budgetKeys.merchant),
  'Query.customerByImprintId': ({ imprintId }) => strings(imprintId).map(budgetKeys.imprint),
  'Query._entities': ({ representations }) => asList(representations).flatMap(representationKey),
  'Mutation.upsertCustomer': ({ input }) => strings((input as { id?: unknown } | null)?.id).map(budgetKeys.merchant),
  'Mutation.deleteCustomer': ({ id }) => strings(id).map(budgetKeys.merchant),
};

function lookupsOf(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  subject: string | null,
): Lookups {
  const representations: unknown[] = [];
  const customers = new Set<string>();
  const idLists: { at: string; length: number }[] = [];
  const root = schema.getRootType(operation.operation);
  if (!root) return { representations, customers, idLists };
  const definitions = root.getFields();
  // @graphql-tools/utils takes graphql 17's shape of variables; only `coerced` is read here. Deferred
  // fragments (`patches`) are executed too: counted with the rest (`@defer` is not in this schema).
  let collected: ReturnType<typeof collectFields>;
  try {
    collected = collectFields(schema, fragments, { coerced: variables, sources: {} }, root, operation.selectionSet);
  } catch {
    // A directive argument graphql-js will refuse itself (`@include(if: null)`): nothing runs.
    return { representations, customers, idLists };
  }
  for (const fields of [collected.fields, ...collected.patches.map((patch) => patch.fields)]) {
    for (const [at, [node]] of fields) {
      // graphql-js runs a response key's field once, with its first node's arguments.
      const definition = node && definitions[node.name.value];
      const lookup = node && rootLookups[`${root.name}.${node.name.value}`];
      if (!node || !definition || !lookup) continue;
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(definition, node, variables);
      } catch {
        // Arguments graphql-js will refuse itself (a null for a non-null list, say): nothing is looked up.
        continue;
      }
      if (node.name.value === '_entities') representations.push(...asList(args['representations']));
      if (node.name.value === 'customers') idLists.push({ at, length: asList(args['ids']).length });
      for (const key of lookup(args, subject)) customers.add(key);
    }
  }
  return { representations, customers, idLists };
}

/** A document's fragments by name, as `collectFields` takes them. */
export function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

function representationKey(representation: unknown): string[] {
  if (typeof representation !== 'object' || representation === null) return [];
  const { id, imprintId } = representation as { id?: unknown; imprintId?: unknown };
  if (id !== undefined) return strings(id).map(budgetKeys.merchant);
  return strings(imprintId).map(budgetKeys.imprint);
}

function isCustomerRepresentation(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { __typename?: unknown }).__typename === 'Customer';
}

/** An argument's value as a list: GraphQL accepts a single value where a list is expected. */
export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : value === undefined || value === null ? [] : [value];
}

function strings(value: unknown): string[] {
  return asList(value).filter((item): item is string => typeof item === 'string');
}

/** Refuses the whole request; `at` names the offending field's response path and argument. */
function badRequest(message: string, at?: { path: string[]; field: string[] }): GraphQLError {
  return new GraphQLError(message, {
    path: at?.path,
    extensions: { code: 'BAD_USER_INPUT', ...(at ? { field: at.field } : {}), http: { status: 400 } },
  });
}
