import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, Kind, valueFromASTUntyped, type FieldNode, type OperationDefinitionNode } from 'graphql';
import type { QueryLimits } from './config.js';

/**
 * What one request may ask: depth, aliases, cost, tokens and directives (GraphQL Armor), and the
 * number of `_entities` representations. The defaults let a gateway's entity fetches through
 * (test/resilience/hostile.test.ts sends one with every field).
 */
export function queryLimitsOf<TContext extends BaseContext>(limits: QueryLimits) {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    costLimit: { maxCost: limits.maxCost },
    // Counted by graphql-js's own parser instead (Apollo `parseOptions.maxTokens`): Armor's check
    // throws from a hook Apollo treats as a crash, so an over-long query got a 500, not a 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives },
    blockFieldSuggestion: { enabled: limits.hideSuggestions },
  }).protect();
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    // Armor's plugins never read the context, so they fit any server's.
    plugins: [...(armor.plugins as ApolloServerPlugin<TContext>[]), entitiesLimitPlugin<TContext>(limits.maxEntities)],
    validationRules: armor.validationRules,
  };
}

function entitiesLimitPlugin<TContext extends BaseContext>(max: number): ApolloServerPlugin<TContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation({ operation, request }) {
          const representations = operation ? representationsOf(operation, request.variables ?? {}) : [];
          if (representations.length > max) {
            throw badRepresentations(
              `_entities takes at most ${max} representations per request, got ${representations.length}`,
            );
          }
          // Checked here so a malformed one is the caller's error, not a crash inside @apollo/subgraph.
          if (!representations.every(isCustomerRepresentation)) {
            throw badRepresentations('Each _entities representation must be an object with __typename "Customer"');
          }
          return Promise.resolve();
        },
      }),
  };
}

function badRepresentations(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

function isCustomerRepresentation(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { __typename?: unknown }).__typename === 'Customer';
}

/** The representations `_entities` fields at the operation's top level ask for, as values. */
function representationsOf(operation: OperationDefinitionNode, variables: Record<string, unknown>): unknown[] {
  const representations: unknown[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.name.value !== '_entities') continue;
    const value = argument(selection, 'representations');
    if (value) representations.push(...asList(valueFromASTUntyped(value, variables)));
  }
  return representations;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [value];
}

function argument(field: FieldNode, name: string) {
  return field.arguments?.find((arg) => arg.name.value === name)?.value;
}
