import { isEnumType, isInputObjectType, isIntrospectionType, isObjectType, isSpecifiedScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema.js';

// Federation adds its own types and fields (_Entity, _Service, _entities, _service); only what
// this subgraph declares must be documented.
const federationNames = new Set([
  '_Any',
  '_Entity',
  '_Service',
  'FieldSet',
  'link__Import',
  'link__Purpose',
  'federation__Scope',
  'federation__Policy',
  'federation__FieldSet',
]);

describe('schema', () => {
  const schema = buildSchema();
  const ownTypes = Object.values(schema.getTypeMap()).filter(
    (type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type) && !federationNames.has(type.name),
  );

  it('declares the domain types', () => {
    const names = ownTypes.map((type) => type.name);
    expect(names).toEqual(
      expect.arrayContaining(['Customer', 'Coupon', 'Referral', 'ReceivedReferral', 'Money', 'Query', 'Mutation']),
    );
  });

  it('describes every type, field, argument and enum value (GraphiQL shows them)', () => {
    const undocumented: string[] = [];
    for (const type of ownTypes) {
      if (type.name !== 'Query' && type.name !== 'Mutation' && !type.description) undocumented.push(type.name);
      if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (field.name.startsWith('_')) continue;
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
          for (const arg of field.args) {
            if (!arg.description) undocumented.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) undocumented.push(`${type.name}.${value.name}`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});
