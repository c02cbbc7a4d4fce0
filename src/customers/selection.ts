import { collectSubFields } from '@graphql-tools/utils';
import {
  BREAK,
  isObjectType,
  Kind,
  visit,
  type ASTNode,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
} from 'graphql';
import { collectionVariables, fieldsOf } from '../fieldCollection.js';
import type { CustomerSource } from '../vendors/endpoints.js';
import { customerFields, type CustomerType, type FieldSpec } from './fields.js';

/** A field of a customer that a selection reads, and the source its value is read from first. */
export interface FieldUse {
  readonly type: CustomerType;
  readonly field: string;
  readonly source: CustomerSource;
}

export type Selection = Pick<
  GraphQLResolveInfo,
  'fieldNodes' | 'fragments' | 'schema' | 'variableValues' | 'operation'
>;

/**
 * Plans by the field's nodes, one level per node: graphql-js builds a new `fieldNodes` array for
 * every execution, but of the nodes of the one parsed document, and the same node can be merged
 * with different others in different places.
 */
interface PlanKey {
  readonly next: WeakMap<FieldNode, PlanKey>;
  byVariables?: WeakMap<object, readonly FieldUse[]>;
}
const plans: PlanKey = { next: new WeakMap() };
/** The cache key of a document whose @skip/@include conditions use no variable: one result for every request. */
const anyVariables = {};
const usesVariables = new WeakMap<OperationDefinitionNode, boolean>();

/**
 * The vendor-backed fields a resolver's selection of a Customer reads, by graphql's own field
 * collection: fragments, `_entities` inline fragments, and `@skip`/`@include` with the request's
 * variables, so a field the response leaves out is never fetched. Shared by every customer of a
 * list or of `_entities`, so computed once per field of the operation and set of variables; which
 * of them a caller may read is decided per customer.
 */
export function customerFieldsOf(selection: Selection): readonly FieldUse[] {
  let plan = plans;
  for (const node of selection.fieldNodes) {
    const next = plan.next.get(node) ?? { next: new WeakMap() };
    plan.next.set(node, next);
    plan = next;
  }
  const byVariables = (plan.byVariables ??= new WeakMap());
  // Documents are parsed once (src/documentStore.ts), so their nodes key a plan across requests.
  const key = conditionsUseVariables(selection) ? selection.variableValues : anyVariables;
  const cached = byVariables.get(key);
  if (cached) return cached;
  const uses: FieldUse[] = [];
  collect(selection, 'Customer', [...selection.fieldNodes], uses);
  byVariables.set(key, uses);
  return uses;
}

/** Whether some @skip or @include of the operation or its fragments takes a variable. */
function conditionsUseVariables({ operation, fragments }: Selection): boolean {
  let found = usesVariables.get(operation);
  if (found === undefined) {
    found = false;
    const search = (node: ASTNode) =>
      visit(node, {
        Directive(directive) {
          const conditional = directive.name.value === 'skip' || directive.name.value === 'include';
          if (conditional && directive.arguments?.some((argument) => argument.value.kind === Kind.VARIABLE)) {
            found = true;
            return BREAK;
          }
          return undefined;
        },
      });
    for (const node of [operation, ...Object.values(fragments)]) if (!found) search(node);
    usesVariables.set(operation, found);
  }
  return found;
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
