import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { QueryLimits } from './config.js';

/**
 * What one request may ask: depth, aliases, cost, tokens and directives (GraphQL Armor); what it may
 * look up is src/lookupLimits.ts. The defaults let a gateway's entity fetches through
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
    // Production strips every "Did you mean …?" from every error instead (src/errorMasking.ts);
    // Armor's would leave "[Suggestion hidden]?" in field errors only.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    // Armor's plugins never read the context, so they fit any server's.
    plugins: armor.plugins as ApolloServerPlugin<TContext>[],
    validationRules: armor.validationRules,
  };
}
