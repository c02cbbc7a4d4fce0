import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { DateTimeResolver, EmailAddressResolver, JSONResolver, LocalDateResolver } from 'graphql-scalars';
import { SafeInputError } from '../errorMasking.js';

const decimalPattern = /^-?\d+(?:\.\d+)?$/;

function decimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !decimalPattern.test(text)) {
    throw new GraphQLError('Decimal must be a decimal number in a string, e.g. "19.99"');
  }
  return text;
}

export const Decimal = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'A decimal number sent as a string so that no precision is lost, e.g. `"1019.50"`.',
  serialize: decimal,
  parseValue: decimal,
  parseLiteral: (ast) => decimal(ast.kind === Kind.STRING ? ast.value : undefined),
});

/**
 * Bounds on every JSON input, stated in the scalar's description (schema/base.graphql). A vendor
 * stores a few attributes; anything far larger is a mistake or an attack, and a value nested
 * thousands deep cannot even be serialised for the vendor.
 */
export const jsonInputBounds = { maxDepth: 10, maxEntries: 500, maxKiB: 64 } as const;

// Each says which bound, never the value; production shows it as it is (SafeInputError).
const boundMessages = {
  depth: `JSON input must not be nested more than ${jsonInputBounds.maxDepth} levels deep`,
  entries: `JSON input must not have more than ${jsonInputBounds.maxEntries} keys and elements in total`,
  size: `JSON input must not be larger than ${jsonInputBounds.maxKiB} KiB serialised`,
  variables: 'JSON input must not contain variables: send the whole value as one variable',
} as const;

type Bound = keyof typeof boundMessages;

/** A node of a JSON value as the walk sees it: a leaf of some serialised length, or a list or object. */
type Shape<T> = number | { keys: readonly string[] | null; children: readonly T[] } | 'variable';

/**
 * The first bound the value breaks, if any. Iterative, so a value nested 100,000 deep costs
 * `maxDepth` steps and no stack; it stops at the first bound broken, so it visits at most about
 * `maxEntries` nodes. The size is that of the JSON text, escapes included, summed on the way
 * rather than by serialising the whole value.
 */
function brokenBound<T>(root: T, shapeOf: (node: T) => Shape<T>): Bound | null {
  const stack: { node: T; depth: number }[] = [{ node: root, depth: 0 }];
  let entries = 0;
  let chars = 0;
  for (let next = stack.pop(); next; next = stack.pop()) {
    const shape = shapeOf(next.node);
    if (shape === 'variable') return 'variables';
    if (typeof shape === 'number') {
      chars += shape;
    } else {
      if (next.depth >= jsonInputBounds.maxDepth) return 'depth';
      entries += shape.children.length;
      if (entries > jsonInputBounds.maxEntries) return 'entries';
      chars += 2 + shape.children.length; // brackets and separators
      for (const key of shape.keys ?? []) chars += quotedLength(key) + 1; // and the colon
      for (const child of shape.children) stack.push({ node: child, depth: next.depth + 1 });
    }
    if (chars > jsonInputBounds.maxKiB * 1024) return 'size';
  }
  return null;
}

/** As serialised: quotes, and the escapes that make `"` two characters and a control character six. */
function quotedLength(text: string): number {
  return JSON.stringify(text).length;
}

function shapeOfValue(value: unknown): Shape<unknown> {
  if (typeof value === 'string') return quotedLength(value);
  if (typeof value !== 'object' || value === null) return String(value).length;
  if (Array.isArray(value)) return { keys: null, children: value as unknown[] };
  return { keys: Object.keys(value), children: Object.values(value) };
}

function shapeOfLiteral(node: ValueNode): Shape<ValueNode> {
  switch (node.kind) {
    case Kind.STRING:
      return quotedLength(node.value);
    case Kind.LIST:
      return { keys: null, children: node.values };
    case Kind.OBJECT:
      return { keys: node.fields.map((field) => field.name.value), children: node.fields.map((field) => field.value) };
    // Its value is only known at execution, after validation; and a variable of another type (a
    // long list of strings) would get around the bounds.
    case Kind.VARIABLE:
      return 'variable';
    case Kind.NULL:
      return 4;
    default:
      return String(node.value).length;
  }
}

function checkBounds<T>(root: T, shapeOf: (node: T) => Shape<T>, node?: ValueNode): void {
  const bound = brokenBound(root, shapeOf);
  if (bound) throw new SafeInputError(boundMessages[bound], { nodes: node });
}

/**
 * graphql-scalars' JSON with bounded inputs: checked as variables are coerced and as literals are
 * validated, so before any resolver. Output is unchanged. No description of its own, so that the
 * SDL's, which states the bounds, is the one the schema shows.
 */
const boundedJSON = new GraphQLScalarType({
  ...JSONResolver.toConfig(),
  description: undefined,
  parseValue: (value) => {
    checkBounds(value, shapeOfValue);
    return value;
  },
  parseLiteral: (ast, variables) => {
    checkBounds(ast, shapeOfLiteral, ast);
    // Recursive, but over at most `maxDepth` levels now.
    return JSONResolver.parseLiteral(ast, variables) as unknown;
  },
});

export const scalars = {
  DateTime: DateTimeResolver,
  LocalDate: LocalDateResolver,
  JSON: boundedJSON,
  EmailAddress: EmailAddressResolver,
  Decimal,
};
