import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  execute,
  getNullableType,
  GraphQLError,
  isListType,
  isObjectType,
  Kind,
  visit,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type Source,
  type SourceLocation,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import { asError } from './vendors/errors.js';

type Gateway<TContext extends object> = NonNullable<ApolloServerOptionsWithGateway<TContext>['gateway']>;
type Executor<TContext extends object> = NonNullable<Awaited<ReturnType<Gateway<TContext>['load']>>['executor']>;

/** An operation's compiled form (null: graphql-jit could not compile it), and what it was compiled with. */
interface Compiled {
  readonly query: CompiledQuery | null;
  readonly resolvers: GraphQLFieldResolver<unknown, unknown> | undefined;
  /** Nullable variables: where null is not allowed, a default may stand in for them (see `executor`). */
  readonly nullableVariables: readonly string[];
}

/**
 * Our schema, executed by graphql-jit through Apollo Server's documented executor hook (`gateway`):
 * an operation is compiled once into a function that resolves its selection without graphql-js's
 * per-field interpretation (an info object, a path and a promise per field). Apollo still parses,
 * validates, runs every plugin and formats errors; only execution changes, and graphql-js still
 * answers wherever graphql-jit would answer differently:
 * - an operation is interpreted by graphql-js for its first `compileAfter` executions, and compiled
 *   after: compiling costs several executions' worth of CPU (0.6–1.1 ms for the benchmark's
 *   operations), which a one-off document (or a mutation, which the document store never keeps)
 *   would only pay;
 * - a request without its operation (an unknown `operationName`), and one whose variables are
 *   refused, get graphql-js's errors, the ones Apollo answers with a 400;
 * - an explicit null for a nullable variable: validation lets one stand where null is not allowed
 *   when it or the argument has a default (`customers(ids: $ids)` with `$ids: [ID!] = []`,
 *   `coupons(availableOnly: $a)`), graphql-js then refuses the null with its own error, and
 *   graphql-jit with one of its own (or reads it as false);
 * - a document with `@skip` or `@include`: graphql-jit 0.8.9 keeps a field's conditions on its
 *   AST node and ANDs those of every place the node is used (the same fragment spread twice, one
 *   spread conditional), so fields would go missing, non-null `id`s included;
 * - a document with an alias holding `_`: graphql-jit names a field's resolve info after its
 *   path joined with `_`, so `gender_customer: customer` would get `customer { gender }`'s info
 *   (its selection, its ftv1 trace node);
 * - compiled code holds the resolvers it was compiled with, and Apollo replaces them in place the
 *   first time a plugin asks to hear of every field (inline ftv1 traces): an operation compiled
 *   before then is compiled again, else its traces would hold no fields.
 * The schema's list resolvers are wrapped for graphql-jit (`settleListItems`). Compiled code is
 * heavy (about 150 KB for a 4 KB document, where Apollo's document store counts 4 KB), so the
 * most recently used `maxCompiled` operations are kept compiled.
 */
export function compiledExecution<TContext extends object>(
  schema: GraphQLSchema,
  compileAfter: number,
): Gateway<TContext> {
  settleListItems(schema);
  // Keyed by the operation's node in the parsed document, which Apollo's document store keeps and
  // hands back for the same text: a count goes with its document.
  const executions = new WeakMap<OperationDefinitionNode, number>();
  const compiled = new LRUCache<OperationDefinitionNode, Compiled>({ max: maxCompiled });
  const probe = Object.values(schema.getQueryType()?.getFields() ?? {})[0];

  // `operation` is typed as always there, but is missing for an unknown operationName.
  function compiledFor(document: DocumentNode, operation: OperationDefinitionNode | undefined): Compiled | null {
    if (!operation) return null;
    const known = compiled.get(operation);
    if (known && known.resolvers === probe?.resolve) return known;
    const count = executions.get(operation) ?? 0;
    if (count < compileAfter) {
      executions.set(operation, count + 1);
      return null;
    }
    const query = compilable(document) ? compileQuery(schema, document, operation.name?.value) : null;
    const entry: Compiled = {
      query: query && isCompiledQuery(query) ? query : null,
      resolvers: probe?.resolve,
      nullableVariables: (operation.variableDefinitions ?? [])
        .filter(({ type }) => type.kind !== Kind.NON_NULL_TYPE)
        .map(({ variable }) => variable.name.value),
    };
    compiled.set(operation, entry);
    return entry;
  }

  const executor: Executor<TContext> = async (request) => {
    const { document, context } = request;
    // The name the client asked for: the request context's own is that of the operation found.
    const { operationName, variables: variableValues = {} } = request.request;
    const interpret = () => execute({ schema, document, operationName, contextValue: context, variableValues });
    const entry = compiledFor(document, request.operation);
    if (!entry?.query || entry.nullableVariables.some((name) => variableValues[name] === null)) return interpret();
    const result: ExecutionResult = await entry.query.query(undefined, context, variableValues);
    // No data at all: the variables were refused before any resolver ran.
    if (result.data === undefined) return interpret();
    if (!result.errors) return result;
    const source = document.loc?.source;
    return { ...result, errors: result.errors.map((error) => asGraphQLError(error, source)) };
  };

  return {
    load: () => Promise.resolve({ executor }),
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    stop: () => Promise.resolve(),
  };
}

/** Compiled operations kept: a gateway sends a subgraph a few dozen distinct ones. */
const maxCompiled = 128;

/** Whether graphql-jit answers the document as graphql-js does (see `compiledExecution`). */
function compilable(document: DocumentNode): boolean {
  let answersAlike = true;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'skip' || node.name.value === 'include') answersAlike = false;
    },
    Field(node) {
      if (node.alias?.value.includes('_')) answersAlike = false;
    },
  });
  return answersAlike;
}

/**
 * graphql-jit 0.8.9 appends, rather than places, the null of a list item whose promise rejects
 * (its `MapHandler` does `resultArray.push(null)`): `customers(ids:)` or `_entities` with a
 * failing entry would gain an entry and shift the rest. A list item that resolves to its error is
 * answered alike by graphql-jit and graphql-js: null, with the error at the item's path.
 */
function settleListItems(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const { resolve } = field;
      if (resolve && isListType(getNullableType(field.type)))
        field.resolve = (source, args, context, info) => settled(resolve(source, args, context, info));
    }
  }
}

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';

function settled(list: unknown): unknown {
  if (isPromiseLike(list)) return Promise.resolve(list).then(settled);
  if (!Array.isArray(list)) return list;
  return (list as unknown[]).map((item) => (isPromiseLike(item) ? Promise.resolve(item).catch(asError) : item));
}

/**
 * graphql-jit's errors only look like graphql's (their prototype), without `extensions` unless the
 * resolver's error had some, which Apollo's error formatting needs, and with locations but no
 * positions in the document, from which Apollo's ftv1 traces take them: the same error as
 * graphql-js's.
 */
function asGraphQLError(error: GraphQLError, source: Source | undefined): GraphQLError {
  if (error.constructor === GraphQLError) return error;
  const { message, path, originalError, extensions, locations = [] } = error;
  // Its own errors (a null in a non-null field) come without one; graphql-js's carry the Error
  // they wrap, so that they are masked and logged as bugs.
  const cause = originalError ?? new Error(message);
  const positions = source && locations.map((location) => positionOf(source, location));
  return new GraphQLError(message, { source, positions, path, originalError: cause, extensions });
}

/** The offset of a line and column in the document: what graphql's `getLocation` undoes. */
function positionOf({ body }: Source, { line, column }: SourceLocation): number {
  let lineStart = 0;
  const lineBreak = /\r\n|[\n\r]/g;
  for (let current = 1; current < line && lineBreak.exec(body); current += 1) lineStart = lineBreak.lastIndex;
  return lineStart + column - 1;
}
