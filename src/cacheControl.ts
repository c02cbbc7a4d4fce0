import type { ApolloServerPlugin } from '@apollo/server';
import { collectFields, collectSubFields, type FieldsAndPatches, type VariableValues } from '@graphql-tools/utils';
import {
  Kind,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isAbstractType,
  isObjectType,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { cacheClassOf, imprintKeyRule, ruleCacheClass, type CacheClass } from './auth/rules.js';
import type { Context } from './context.js';
import { collectionVariables, fieldsOf } from './fieldCollection.js';
import { asList, fragmentsOf } from './lookupLimits.js';

/**
 * The Cache-Control header of each /graphql response, so that a router's entity or response cache
 * (Apollo Router, Hive Gateway) can reuse public customers: `public, max-age=N` when the response
 * holds only public data, `private, max-age=N` when it holds personal data or depends on who asks,
 * and `no-store` for money (coupons, the redemption hash), mutations, any response with errors (a
 * vendor failure's null or a FORBIDDEN is not the data) and stale data served while a vendor fails.
 * N is the subgraph's own cache TTL, the staleness its operator accepts; with CACHE=off (N = 0) they
 * accept none, so nothing may be kept.
 *
 * Each field's class comes from its declaration (src/auth/rules.ts `cacheClassOf`); the SDL's
 * @cacheControl declares the same (test/auth/declarations.test.ts). The response takes the strictest
 * class of the fields the operation selects, which also makes everything beneath a private or
 * no-store field as strict as that field. It is worked out from the document once per operation and
 * set of @skip/@include values, with graphql-js's field collection, instead of Apollo's cache-control
 * plugin, which would wrap every resolver of every request (it is disabled in src/server.ts).
 */
export function cacheControlPlugin(maxAgeSeconds: number): ApolloServerPlugin<Context> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse({ schema, document, operation, request, response, contextValue }) {
          const failed = response.body.kind !== 'single' || (response.body.singleResult.errors?.length ?? 0) > 0;
          const stale = contextValue.scope.staleReads.length > 0;
          const cacheClass =
            failed || stale || !document || !operation
              ? 'no-store'
              : responseClass(schema, document, operation, request.variables ?? {});
          response.http.headers.set('cache-control', headerOf(cacheClass, maxAgeSeconds));
          return Promise.resolve();
        },
      }),
  };
}

function headerOf(cacheClass: CacheClass, maxAgeSeconds: number): string {
  return cacheClass === 'no-store' || maxAgeSeconds <= 0 ? 'no-store' : `${cacheClass}, max-age=${maxAgeSeconds}`;
}

/** Root fields whose answer depends on who asks, whatever the rules say of their data. */
const callerDependent = new Set(['Query.me']);

/** The class of one field (without what its parents or children make of it). */
export function fieldCacheClass(typeName: string, fieldName: string): CacheClass {
  // A mutation's result reports one write: nothing to reuse.
  if (typeName === 'Mutation') return 'no-store';
  const byRule = cacheClassOf(typeName, fieldName);
  return callerDependent.has(`${typeName}.${fieldName}`) ? stricter(byRule, 'private') : byRule;
}

const strictness: readonly CacheClass[] = ['public', 'private', 'no-store'];

function stricter(a: CacheClass, b: CacheClass): CacheClass {
  return strictness.indexOf(a) >= strictness.indexOf(b) ? a : b;
}

/** What the document's fields decide for one set of @skip/@include values. */
interface Selected {
  readonly cacheClass: CacheClass;
  /** The `_entities` fields: whether a representation is by `imprintId` is up to each request. */
  readonly entities: readonly FieldNode[];
}

interface OperationPolicy {
  readonly fragments: Record<string, FragmentDefinitionNode>;
  /** The variables @skip and @include read: the selection, and so the class, depends on them. */
  readonly conditions: readonly string[];
  /** By the conditions' values, at most `maxSelections` of them. */
  readonly selected: Map<string, Selected>;
}

// Each condition doubles the possible selections: past this many, a document's further ones are
// worked out per request rather than kept, so that a document cannot fill the memory by varying them.
const maxSelections = 16;

// Keyed by the parsed operation, which Apollo's document store keeps for as long as its document.
const policies = new WeakMap<OperationDefinitionNode, OperationPolicy>();

function responseClass(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  given: Record<string, unknown>,
): CacheClass {
  let policy = policies.get(operation);
  if (!policy) {
    policy = { fragments: fragmentsOf(document), conditions: conditionsOf(document), selected: new Map() };
    policies.set(operation, policy);
  }
  // Coerced only when they matter: for @skip/@include and `_entities` representations. Variables
  // that do not coerce fail the request with errors, which never gets this far.
  let coerced: Record<string, unknown> | undefined;
  const variables = () =>
    (coerced ??= getVariableValues(schema, operation.variableDefinitions ?? [], given).coerced ?? {});
  const key = policy.conditions.length === 0 ? '' : JSON.stringify(policy.conditions.map((name) => variables()[name]));
  let selected = policy.selected.get(key);
  if (!selected) {
    selected = selectedBy(schema, policy.fragments, operation, policy.conditions.length === 0 ? {} : variables());
    if (policy.selected.size < maxSelections) policy.selected.set(key, selected);
  }
  const entities = schema.getQueryType()?.getFields()['_entities'];
  if (selected.cacheClass !== 'public' || !entities) return selected.cacheClass;
  for (const node of selected.entities) {
    let representations: unknown[];
    try {
      representations = asList(getArgumentValues(entities, node, variables())['representations']);
    } catch {
      // Arguments graphql-js refuses itself: the request fails.
      return 'no-store';
    }
    // Without an `id`, a representation is looked up by `imprintId` (src/resolvers/Customer.ts),
    // which maps a card account to a customer for some callers only.
    if (representations.some((value) => typeof value !== 'object' || value === null || !('id' in value))) {
      return ruleCacheClass(imprintKeyRule);
    }
  }
  return selected.cacheClass;
}

/** Every variable an `if:` of @skip or @include reads anywhere in the document. */
function conditionsOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Directive(node) {
      if (node.name.value !== 'skip' && node.name.value !== 'include') return;
      for (const argument of node.arguments ?? []) {
        if (argument.value.kind === Kind.VARIABLE) names.add(argument.value.name.value);
      }
    },
  });
  return [...names].sort();
}

function selectedBy(
  schema: GraphQLSchema,
  fragments: Record<string, FragmentDefinitionNode>,
  operation: OperationDefinitionNode,
  coerced: Record<string, unknown>,
): Selected {
  const root = schema.getRootType(operation.operation);
  if (!root) return { cacheClass: 'no-store', entities: [] };
  const variables = collectionVariables(coerced);
  try {
    const fields = collectFields(schema, fragments, variables, root, operation.selectionSet);
    const entities = fieldsOf(fields).flatMap(([node]) => (node?.name.value === '_entities' ? [node] : []));
    return { cacheClass: strictestOf(schema, fragments, variables, root, fields), entities };
  } catch {
    // A directive argument graphql-js refuses itself (`@include(if: null)`): the request fails.
    return { cacheClass: 'no-store', entities: [] };
  }
}

/** The strictest class of the fields collected on `type` and of everything selected beneath them. */
function strictestOf(
  schema: GraphQLSchema,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: VariableValues,
  type: GraphQLObjectType,
  collected: FieldsAndPatches,
): CacheClass {
  let cacheClass: CacheClass = 'public';
  for (const nodes of fieldsOf(collected)) {
    const name = nodes[0]?.name.value ?? '';
    const definition = type.getFields()[name];
    // `__typename` and introspection describe the schema, which is public.
    if (!definition) continue;
    cacheClass = stricter(cacheClass, fieldCacheClass(type.name, name));
    const returned = getNamedType(definition.type);
    const runtimeTypes = isAbstractType(returned)
      ? schema.getPossibleTypes(returned)
      : isObjectType(returned)
        ? [returned]
        : [];
    for (const runtimeType of runtimeTypes) {
      if (cacheClass === 'no-store') return cacheClass;
      const sub = collectSubFields(schema, fragments, variables, runtimeType, nodes);
      cacheClass = stricter(cacheClass, strictestOf(schema, fragments, variables, runtimeType, sub));
    }
  }
  return cacheClass;
}
