import { type GraphQLError, parseValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SafeInputError } from '../../src/errorMasking.js';
import { jsonInputBounds, scalars } from '../../src/resolvers/scalars.js';
import { buildSchema } from '../../src/schema.js';

// The JSON scalar's input bounds, at and just past each one, for variable values (parseValue) and
// literals (parseLiteral). test/resilience/hostile.test.ts sends the same over HTTP.

const { JSON: json } = scalars;

function nestedObject(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level += 1) value = { a: value };
  return value;
}

function nestedListLiteral(levels: number): string {
  return `${'['.repeat(levels)}1${']'.repeat(levels)}`;
}

const keys = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, index]));

/** The message of the error `parse` throws: a SafeInputError, shown as it is in production. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(SafeInputError);
    return (error as GraphQLError).message;
  }
  throw new Error('expected the value to be refused');
}

describe('JSON input bounds', () => {
  it('are 10 levels, 500 keys and elements, 64 KiB', () => {
    expect(jsonInputBounds).toEqual({ maxDepth: 10, maxEntries: 500, maxKiB: 64 });
  });

  const accepted: [string, unknown][] = [
    ['an object nested 10 levels deep', nestedObject(10)],
    ['500 keys', keys(500)],
    ['250 keys with a 250-element list', { ...keys(249), list: Array.from({ length: 250 }, () => null) }],
    ['a string of 60,000 characters', { text: 'x'.repeat(60_000) }],
    ['a scalar value', 'gold'],
  ];

  it.each(accepted)('accept %s, unchanged', (_, value) => {
    expect(json.parseValue(value)).toBe(value);
  });

  const refused: [string, unknown, RegExp][] = [
    ['an object nested 11 levels deep', nestedObject(11), /nested more than 10 levels deep/],
    ['an object nested 10,000 levels deep', nestedObject(10_000), /nested more than 10 levels deep/],
    ['a list nested 100,000 levels deep', JSON.parse(nestedListLiteral(100_000)), /nested more than 10 levels deep/],
    ['501 keys', keys(501), /more than 500 keys and elements/],
    ['a list of 1,000,000 elements', { list: new Array<number>(1_000_000).fill(0) }, /more than 500 keys and elements/],
    ['502 keys and elements over several levels', { a: keys(300), b: [keys(199)] }, /more than 500 keys/],
    ['a string of 70,000 characters', { text: 'x'.repeat(70_000) }, /larger than 64 KiB serialised/],
    ['keys that add up to 64 KiB', { [`${'k'.repeat(40_000)}1`]: 1, [`${'k'.repeat(40_000)}2`]: 2 }, /64 KiB/],
    // 15,000 characters that serialise to six each (`\u0001`): 90 KB, however short the string.
    ['a string of 15,000 control characters', { text: '\u0001'.repeat(15_000) }, /larger than 64 KiB serialised/],
    ['a string of 35,000 quotes', { text: '"'.repeat(35_000) }, /larger than 64 KiB serialised/],
  ];

  it.each(refused)('refuse %s as a variable value, saying which bound', (_, value, message) => {
    expect(refusal(() => json.parseValue(value))).toMatch(message);
  });

  const refusedLiterals: [string, string, RegExp][] = [
    ['nested 11 levels deep', nestedListLiteral(11), /nested more than 10 levels deep/],
    ['nested 1,000 levels deep', nestedListLiteral(1_000), /nested more than 10 levels deep/],
    ['with 501 elements', `[${'1 '.repeat(501)}]`, /more than 500 keys and elements/],
    ['with a string of 70,000 characters', `{ text: "${'x'.repeat(70_000)}" }`, /larger than 64 KiB serialised/],
    ['with a string of 15,000 escaped control characters', `{ text: "${'\\u0001'.repeat(15_000)}" }`, /64 KiB/],
    // Known only at execution, and a variable of another type (a long list) would get around them.
    ['with a variable inside', '{ level: $level }', /must not contain variables/],
  ];

  it.each(refusedLiterals)('refuse a literal %s, saying which bound', (_, literal, message) => {
    expect(refusal(() => json.parseLiteral(parseValue(literal), undefined))).toMatch(message);
  });

  it('parse literals within the bounds as before', () => {
    expect(json.parseLiteral(parseValue('{ a: [1, 2.5, "x", true, null], b: { c: "d" } }'), undefined)).toEqual({
      a: [1, 2.5, 'x', true, null],
      b: { c: 'd' },
    });
    expect(json.parseLiteral(parseValue(nestedListLiteral(10)), undefined)).toEqual(
      JSON.parse(nestedListLiteral(10)) as unknown,
    );
  });

  it('leave output as it is, however large', () => {
    const large = { list: new Array<number>(10_000).fill(0), deep: nestedObject(50) };
    expect(json.serialize(large)).toBe(large);
  });

  it('are stated in the description the schema shows', () => {
    const description = buildSchema().getType('JSON')?.description ?? '';
    expect(description).toContain(`${jsonInputBounds.maxDepth} levels deep`);
    expect(description).toContain(`${jsonInputBounds.maxEntries} keys and list elements`);
    expect(description).toContain(`${jsonInputBounds.maxKiB} KiB serialised`);
  });
});
