import type { ApolloServerPlugin } from '@apollo/server';
import { defaultFieldResolver, type GraphQLFieldResolver } from 'graphql';
import type { Caller } from './caller.js';
import { accessRules, allows, forbidden, type Rule } from './rules.js';

/**
 * FORBIDDEN errors one response carries. Each is an error object and an entry of the response, and a
 * list of customers can refuse a dozen fields of each: past the cap, a refused field is null without
 * an error of its own, and one last error says how many were left out.
 */
export const maxDenialErrors = 100;

/** How many fields the request refused so far (per request, in the context). */
export interface Denials {
  count: number;
}

type FieldResolver = GraphQLFieldResolver<never, { caller: Caller; denials: Denials }>;
type ResolverMap = Record<string, unknown>;

/**
 * Wraps every field listed in the access rules so the rule is checked before the resolver runs:
 * a field the caller may not read is null with a FORBIDDEN error, and nothing is fetched for it.
 */
export function guardResolvers<R extends ResolverMap>(resolvers: R): R {
  const guarded: ResolverMap = { ...resolvers };
  for (const [typeName, { owner, fields }] of Object.entries(accessRules)) {
    const typeResolvers = { ...(resolvers[typeName] as Record<string, FieldResolver> | undefined) };
    for (const [fieldName, rule] of Object.entries(fields as Record<string, Rule>)) {
      const resolve = typeResolvers[fieldName] ?? (defaultFieldResolver as FieldResolver);
      typeResolvers[fieldName] = (parent, args, context, info) => {
        if (!allows(rule, context.caller, (owner as (parent: never) => string | null)(parent))) {
          context.denials.count += 1;
          if (context.denials.count > maxDenialErrors) return null;
          throw forbidden(`${typeName}.${fieldName}`);
        }
        return resolve(parent, args, context, info);
      };
    }
    guarded[typeName] = typeResolvers;
  }
  return guarded as R;
}

/** Adds the error that counts the refusals left out of a response (`maxDenialErrors`). */
export function deniedFieldsPlugin(): ApolloServerPlugin<{ denials: Denials }> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse({ contextValue, response }) {
          const omitted = contextValue.denials.count - maxDenialErrors;
          if (omitted > 0 && response.body.kind === 'single') {
            const { singleResult } = response.body;
            singleResult.errors = [
              ...(singleResult.errors ?? []),
              {
                message: `Not authorized to read ${omitted} more fields; their errors are left out`,
                extensions: { code: 'FORBIDDEN', omitted },
              },
            ];
          }
          return Promise.resolve();
        },
      }),
  };
}
