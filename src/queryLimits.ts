import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, Kind, type FieldNode, type OperationDefinitionNode } from 'graphql';
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
    maxTokens: { n: limits.maxTokens },
    maxDirectives: { n: limits.maxDirectives },
    blockFieldSuggestion: { enabled: limits.hideSuggestions },
  }).protect();
  return {
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
          const count = operation ? representationCount(operation, request.variables ?? {}) : 0;
          if (count > max) {
            throw new GraphQLError(`_entities takes at most ${max} representations per request, got ${count}`, {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
          return Promise.resolve();
        },
      }),
  };
}

/** Representations asked for by `_entities` fields at the operation's top level. */
function representationCount(operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  let count = 0;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.name.value !== '_entities') continue;
    const value = argument(selection, 'representations');
    if (value?.kind === Kind.LIST) count += value.values.length;
    if (value?.kind === Kind.VARIABLE) {
      const given = variables[value.name.value];
      count += Array.isArray(given) ? given.length : 0;
    }
  }
  return count;
}

function argument(field: FieldNode, name: string) {
  return field.arguments?.find((arg) => arg.name.value === name)?.value;
}
