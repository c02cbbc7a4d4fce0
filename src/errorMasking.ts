import { GraphQLError, Kind, type ASTNode, type GraphQLFormattedError } from 'graphql';

/**
 * A refused input whose message says which rule it broke and never carries the value (the JSON
 * scalar's bounds), so production shows it as it is. Other reasons for refusing an input value are
 * dropped there, since most quote the value.
 */
export class SafeInputError extends GraphQLError {}

const suggestion = / ?Did you mean [^?]*\?/g;
// From the first quote to the last: the parser quotes a token's value as it is, inner quotes too.
const quoted = / ?".*"/s;
const unknownOperation = /^Unknown operation named ".*"\.$/s;
const name = '[_A-Za-z][_0-9A-Za-z]*';
const typeReference = '[_0-9A-Za-z[\\]!]+';
const variableError = new RegExp(`^Variable "\\$(${name})" got invalid value `);
const argumentError = new RegExp(`^Argument "(${name})" has invalid value `);
const expectedType = new RegExp(`^Expected value of type "(${typeReference})", found `);
const unknownEnumValue = new RegExp(`^Value .* does not exist in "(${name})" enum\\.`);

// graphql-js's reasons that name only types and fields (the schema's, or one the caller misspelled).
const safeReasons = [
  new RegExp(`^Field "${name}(?:\\.${name})?" of required type "${typeReference}" was not provided\\.$`),
  new RegExp(`^Field "${name}" is not defined by type "${name}"\\.$`),
  new RegExp(`^Expected type "${name}" to be an object\\.$`),
  new RegExp(`^Expected non-nullable type "${typeReference}" not to be null\\.$`),
];

const literalKinds = new Set<string>([
  Kind.STRING,
  Kind.INT,
  Kind.FLOAT,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
  Kind.LIST,
  Kind.OBJECT,
]);

/**
 * The error as production shows it: no "Did you mean …?" suggestion (they leak the schema), and no
 * part of an input value, which a gateway would log and which may be personal data. An invalid
 * variable is named with the path to the invalid part; an invalid literal keeps its locations.
 * `error` is the error behind `formatted`, whose cause and AST nodes say what kind of error it is.
 */
export function maskErrorDetails(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const message = maskedMessage(formatted.message.replace(suggestion, ''), error);
  return message === formatted.message ? formatted : { ...formatted, message };
}

function maskedMessage(message: string, error: unknown): string {
  if (!(error instanceof GraphQLError)) return message;
  // The parser quotes the token it stopped at, which may be a string the caller wrote.
  if (message.startsWith('Syntax Error:')) return message.replace(quoted, '');
  if (unknownOperation.test(message)) return 'Unknown operation named by operationName.';
  // graphql-js keeps the reason for an invalid variable, or the scalar's own error, as the cause.
  const cause = error.originalError ?? error;

  const variable = variableError.exec(message);
  if (variable) {
    const variableName = variable[1]!;
    // Strings in the quoted value are JSON-escaped, so the first ` at "<variable>…"; ` is the path.
    const path = new RegExp(` at "(${variableName}(?:\\.${name}|\\[\\d+\\])*)"; `).exec(message)?.[1] ?? variableName;
    const reason = cause !== error && isSafe(cause) ? `; ${cause.message.replace(suggestion, '')}` : '.';
    return `Variable "$${variableName}" got an invalid value at "${path}"${reason}`;
  }

  if (!isAtLiteral(error.nodes) || isSafe(cause)) return message;
  const argument = argumentError.exec(message);
  if (argument) return `Argument "${argument[1]}" has an invalid value.`;
  const expected = expectedType.exec(message);
  if (expected) return `Expected value of type "${expected[1]}".`;
  const enumValue = unknownEnumValue.exec(message);
  if (enumValue) return `Value does not exist in "${enumValue[1]}" enum.`;
  // A scalar's own error (`Value is not a valid email address: …`) quotes the literal.
  return 'Invalid value (the value and the reason are not shown in production).';
}

/** Says only which rule the input broke, naming nothing but types and fields: production may show it. */
function isSafe(error: Error): boolean {
  const message = error.message.replace(suggestion, '');
  return error instanceof SafeInputError || safeReasons.some((pattern) => pattern.test(message));
}

/** An error about a value written in the document, which its message may quote. */
function isAtLiteral(nodes: readonly ASTNode[] | undefined): boolean {
  const first = nodes?.[0];
  return first !== undefined && literalKinds.has(first.kind);
}
