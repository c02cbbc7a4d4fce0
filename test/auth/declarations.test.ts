import { isObjectType, Kind, type ConstDirectiveNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { accessRules, ruleOf, type CacheClass } from '../../src/auth/rules.js';
import { fieldCacheClass } from '../../src/cacheControl.js';
import { loadConfig } from '../../src/config.js';
import { buildSchema } from '../../src/schema.js';

// The SDL declares the access rules for routers; src/auth/rules.ts is what the subgraph enforces.
// They must agree on every field: @authenticated ⇔ owner-or-scope, @requiresScopes ⇔ scope only.

function declared(directives: readonly ConstDirectiveNode[] | undefined): string {
  const names = (directives ?? []).map((directive) => {
    if (directive.name.value !== 'requiresScopes') return `@${directive.name.value}`;
    const scopes = directive.arguments?.find((argument) => argument.name.value === 'scopes')?.value;
    const groups =
      scopes?.kind === Kind.LIST
        ? scopes.values.map((group) =>
            group.kind === Kind.LIST
              ? group.values.map((value) => (value.kind === Kind.STRING ? value.value : '?'))
              : [],
          )
        : [];
    return `@requiresScopes(${JSON.stringify(groups)})`;
  });
  return names.filter((name) => name === '@authenticated' || name.startsWith('@requiresScopes')).join(' ');
}

function enforced(typeName: string, fieldName: string): string {
  const rule = ruleOf(typeName, fieldName);
  if (!rule) return '';
  return rule.kind === 'ownerOrScope' ? '@authenticated' : `@requiresScopes(${JSON.stringify([[rule.scope]])})`;
}

describe('declared and enforced access rules', () => {
  const schema = buildSchema();
  const fields = Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .flatMap((type) => Object.values(type.getFields()).map((field) => ({ type: type.name, field })));

  it('agree on every field of the schema', () => {
    const disagreements = fields
      .map(({ type, field }) => ({
        coordinate: `${type}.${field.name}`,
        declared: declared(field.astNode?.directives),
        enforced: enforced(type, field.name),
      }))
      .filter((row) => row.declared !== row.enforced);
    expect(disagreements).toEqual([]);
  });

  it('name only fields that exist', () => {
    const coordinates = new Set(fields.map(({ type, field }) => `${type}.${field.name}`));
    const ruled = Object.entries(accessRules).flatMap(([type, { fields: ruledFields }]) =>
      Object.keys(ruledFields).map((field) => `${type}.${field}`),
    );
    expect(ruled.length).toBeGreaterThan(10);
    expect(ruled.filter((coordinate) => !coordinates.has(coordinate))).toEqual([]);
  });
});

// The same for caching: @cacheControl in the SDL says what src/cacheControl.ts derives from the
// rules and sends as Cache-Control. A field's own directive gives its class (`scope: PRIVATE`
// private, `maxAge: 0` no-store, none public); a type's may only pass its parent field's on.

function cacheControlOf(directives: readonly ConstDirectiveNode[] | undefined): Record<string, unknown> | null {
  const directive = directives?.find(({ name }) => name.value === 'cacheControl');
  if (!directive) return null;
  return Object.fromEntries(
    (directive.arguments ?? []).map(({ name, value }) => [
      name.value,
      value.kind === Kind.INT
        ? Number(value.value)
        : value.kind === Kind.ENUM || value.kind === Kind.BOOLEAN
          ? value.value
          : '?',
    ]),
  );
}

function declaredClass(directives: readonly ConstDirectiveNode[] | undefined): CacheClass {
  const declared = cacheControlOf(directives);
  if (declared?.['maxAge'] === 0) return 'no-store';
  return declared?.['scope'] === 'PRIVATE' ? 'private' : 'public';
}

describe('declared and derived cache policies', () => {
  const schema = buildSchema();
  const ownTypes = Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .filter((type) => !type.name.startsWith('_'));
  const fields = ownTypes.flatMap((type) =>
    Object.values(type.getFields()).map((field) => ({ type: type.name, field })),
  );
  const defaultTtl = loadConfig({}).cache?.ttlSeconds;

  it('agree on every field of the schema', () => {
    const disagreements = fields
      .map(({ type, field }) => ({
        coordinate: `${type}.${field.name}`,
        declared: declaredClass(field.astNode?.directives),
        derived: fieldCacheClass(type, field.name),
      }))
      .filter((row) => row.declared !== row.derived);
    expect(fields.filter(({ field }) => cacheControlOf(field.astNode?.directives)).length).toBeGreaterThan(15);
    expect(disagreements).toEqual([]);
  });

  it("give every type but the entity its parent field's max-age, and the entity the default TTL", () => {
    const declared = ownTypes
      .filter((type) => type.name !== 'Query' && type.name !== 'Mutation')
      .map((type) => [type.name, cacheControlOf(type.astNode?.directives)] as const);
    const expected = declared.map(([name]) => [
      name,
      name === 'Customer' ? { maxAge: defaultTtl } : { inheritMaxAge: true },
    ]);
    expect(declared).toEqual(expected);
  });

  it('declare no max-age other than 0 and the default TTL', () => {
    const maxAges = [...ownTypes, ...fields.map(({ field }) => field)]
      .map((element) => cacheControlOf(element.astNode?.directives)?.['maxAge'])
      .filter((maxAge) => maxAge !== undefined);
    expect(defaultTtl).toBeGreaterThan(0);
    expect(new Set(maxAges)).toEqual(new Set([0, defaultTtl]));
  });
});
