import { GraphQLError } from 'graphql';
import { customerFields, fieldSpecOf, type Access, type CustomerType, type FieldSpec } from '../customers/fields.js';
import type { CustomerRef } from '../customers/ref.js';
import type { Caller } from './caller.js';

/**
 * Field-level access rules: what the subgraph enforces. Each customer field's access is declared
 * with the field (src/customers/fields.ts); what each access means is said here, once, with the
 * rules of the root fields. The SDL declares the same rules with the directives a router enforces
 * (`@authenticated` where the owner check needs the subgraph, `@requiresScopes` where a scope alone
 * decides); test/auth/declarations.test.ts proves the two agree field by field. A field not listed
 * is public.
 */
export type Rule =
  /** The customer the data belongs to (token `sub`), or a caller holding the scope. */
  | { readonly kind: 'ownerOrScope'; readonly scope: string }
  /** Only a caller holding the scope. */
  | { readonly kind: 'scope'; readonly scope: string };

const ownerOr = (scope: string): Rule => ({ kind: 'ownerOrScope', scope });
const scope = (name: string): Rule => ({ kind: 'scope', scope: name });

const accessRule: Record<Access, Rule> = {
  personal: ownerOr('pii:read'),
  money: ownerOr('coupons:read'),
  sensitive: scope('pii:sensitive'),
};

interface TypeRules<Parent> {
  /** Whose data a field of this type is, for the owner check. */
  readonly owner: (parent: Parent) => string | null;
  fields: Readonly<Record<string, Rule>>;
}

/** The rules of a customer type's guarded fields; the parent of each is the customer itself. */
function customerRules(type: CustomerType): TypeRules<CustomerRef> {
  const fields: Record<string, Rule> = {};
  for (const [name, spec] of Object.entries(customerFields[type] as Record<string, FieldSpec>)) {
    if (spec.access) fields[name] = accessRule[spec.access];
  }
  return { owner: (ref) => ref.id, fields };
}

export const accessRules = {
  Customer: customerRules('Customer'),
  Referral: customerRules('Referral'),
  PurchaseHistory: customerRules('PurchaseHistory'),
  Query: {
    owner: () => null,
    // Maps a card account to the merchant's customer: for support tools, not the public.
    fields: { customerByImprintId: scope('pii:read') },
  } satisfies TypeRules<unknown>,
  Mutation: {
    owner: () => null,
    fields: { upsertCustomer: scope('customers:write'), deleteCustomer: scope('customers:write') },
  } satisfies TypeRules<unknown>,
} as const;

export type GuardedType = keyof typeof accessRules;

/**
 * Resolving a Customer entity by its Imprint key maps a card account to a merchant customer, as
 * `customerByImprintId` does: the same scope, or the card holder themself (the Imprint record's
 * merchant id is the token's subject).
 */
export const imprintKeyRule: Rule = accessRule.personal;

/**
 * Who may keep a copy of a field's value (src/cacheControl.ts): anyone for a public field, only the
 * caller for a guarded one, and no one where its declaration says so (a coupon code, a redemption
 * hash).
 */
export type CacheClass = 'public' | 'private' | 'no-store';

export function cacheClassOf(typeName: string, fieldName: string): CacheClass {
  const spec = fieldSpecOf(typeName, fieldName);
  return spec?.cache ?? ruleCacheClass(ruleOf(typeName, fieldName));
}

/** The class a rule implies: private for whatever is guarded. */
export function ruleCacheClass(rule: Rule | undefined): CacheClass {
  return rule === undefined ? 'public' : 'private';
}

/** Whether some owner could pass the rule for this caller: if not, it is refused before any lookup. */
export function mayEverPass(rule: Rule, caller: Caller): boolean {
  return caller.scopes.has(rule.scope) || (rule.kind === 'ownerOrScope' && caller.subject !== null);
}

/** What a caller gets for data the rules do not let it read. */
export function forbidden(what: string): GraphQLError {
  return new GraphQLError(`Not authorized to read ${what}`, { extensions: { code: 'FORBIDDEN' } });
}

export function ruleOf(typeName: string, fieldName: string): Rule | undefined {
  const rules = (accessRules as Record<string, TypeRules<never> | undefined>)[typeName];
  return rules?.fields[fieldName];
}

export function allows(rule: Rule, caller: Caller, owner: string | null): boolean {
  if (caller.scopes.has(rule.scope)) return true;
  return rule.kind === 'ownerOrScope' && caller.subject !== null && owner !== null && caller.subject === owner;
}

/** Whether the caller may read `typeName.fieldName` of the customer `owner`; public fields always. */
export function mayRead(caller: Caller, typeName: string, fieldName: string, owner: string | null): boolean {
  const rule = ruleOf(typeName, fieldName);
  return rule === undefined || allows(rule, caller, owner);
}
