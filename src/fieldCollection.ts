import type { FieldsAndPatches, VariableValues } from '@graphql-tools/utils';
import type { FieldNode } from 'graphql';

// graphql's own field collection rules (fragments, type conditions, @skip and @include), through
// @graphql-tools/utils, shared by the selection analysis and the cache policy.

const wrapped = new WeakMap<Record<string, unknown>, VariableValues>();

/**
 * A request's coerced variables in the shape @graphql-tools/utils takes (graphql 17's; only
 * `coerced` is read). One object per request, so the helper's memoisation holds across fields.
 */
export function collectionVariables(coerced: Record<string, unknown>): VariableValues {
  let variables = wrapped.get(coerced);
  if (!variables) {
    variables = { coerced, sources: {} };
    wrapped.set(coerced, variables);
  }
  return variables;
}

/** The field nodes of each response key, deferred ones included (`@defer` is not in this schema). */
export function fieldsOf(collected: FieldsAndPatches): FieldNode[][] {
  return [collected.fields, ...collected.patches.map((patch) => patch.fields)].flatMap((fields) => [
    ...fields.values(),
  ]);
}
