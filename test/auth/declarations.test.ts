import { isObjectType, Kind, type ConstDirectiveNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { accessRules, ruleOf } from '../../src/auth/rules.js';
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
