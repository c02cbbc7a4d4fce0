import { collectSubFields } from '@graphql-tools/utils';
import { isObjectType, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import { collectionVariables, fieldsOf } from '../fieldCollection.js';
import type { CustomerSource } from '../vendors/endpoints.js';
import { customerFields, type CustomerType, type FieldSpec } from './fields.js';

/** A field of a customer that a selection reads, and the source its value is read from first. */
export interface FieldUse {
  readonly type: CustomerType;
  readonly field: string;
  readonly source: CustomerSource;
}

export type Selection = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'schema' | 'variableValues'>;

const cache = new WeakMap<readonly FieldNode[], WeakMap<Record<string, unknown>, readonly FieldUse[]>>();

/**
 * The vendor-backed fields a resolver's selection of a Customer reads, by graphql's own field
 * collection: fragments, `_entities` inline fragments, and `@skip`/`@include` with the request's
 * variables, so a field the response leaves out is never fetched. Shared by every customer of a
 * list or of `_entities`, so computed once per field of the operation and set of variables; which
 * of them a caller may read is decided per customer.
 */
export function customerFieldsOf(selection: Selection): readonly FieldUse[] {
  const byVariables = cache.get(selection.fieldNodes) ?? new WeakMap();
  cache.set(selection.fieldNodes, byVariables);
  const cached = byVariables.get(selection.variableValues);
  if (cached) return cached;
  const uses: FieldUse[] = [];
  collect(selection, 'Customer', [...selection.fieldNodes], uses);
  byVariables.set(selection.variableValues, uses);
  return uses;
}

function collect(selection: Selection, type: CustomerType, nodes: FieldNode[], uses: FieldUse[]): void {
  const objectType = selection.schema.getType(type);
  if (!isObjectType(objectType)) throw new Error(`the schema has no object type ${type}`);
  const fields = customerFields[type] as Record<string, FieldSpec>;
  const collected = collectSubFields(
    selection.schema,
    selection.fragments,
    collectionVariables(selection.variableValues),
    objectType satisfies GraphQLObjectType,
    nodes,
  );
  for (const fieldNodes of fieldsOf(collected)) {
    const field = fieldNodes[0]?.name.value ?? '';
    const spec = fields[field];
    if (!spec) continue; // __typename
    const source = spec.from[0];
    if (source && !uses.some((use) => use.type === type && use.field === field)) uses.push({ type, field, source });
    if (spec.nested) collect(selection, spec.nested, fieldNodes, uses);
  }
}
