import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, EmailAddressResolver, JSONResolver, LocalDateResolver } from 'graphql-scalars';

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

export const scalars = {
  DateTime: DateTimeResolver,
  LocalDate: LocalDateResolver,
  JSON: JSONResolver,
  EmailAddress: EmailAddressResolver,
  Decimal,
};
