import { defaultFieldResolver, type GraphQLFieldResolver } from 'graphql';
import type { Caller } from './caller.js';
import { accessRules, allows, forbidden, type Rule } from './rules.js';

type FieldResolver = GraphQLFieldResolver<never, { caller: Caller }>;
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
          throw forbidden(`${typeName}.${fieldName}`);
        }
        return resolve(parent, args, context, info);
      };
    }
    guarded[typeName] = typeResolvers;
  }
  return guarded as R;
}
