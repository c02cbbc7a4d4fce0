import { GraphQLError } from 'graphql';
import type { CustomerRef } from '../customers/customers.js';
import type { Caller } from './caller.js';

/**
 * Field-level access rules: the one table the subgraph enforces. The SDL declares the same rules
 * with the directives a router enforces (`@authenticated` where the owner check needs the
 * subgraph, `@requiresScopes` where a scope alone decides); test/auth/declarations.test.ts proves
 * the two agree field by field. A field not listed here is public.
 */
export type Rule =
  /** The customer the data belongs to (token `sub`), or a caller holding the scope. */
  | { readonly kind: 'ownerOrScope'; readonly scope: string }
  /** Only a caller holding the scope. */
  | { readonly kind: 'scope'; readonly scope: string };

const ownerOr = (scope: string): Rule => ({ kind: 'ownerOrScope', scope });
const scope = (name: string): Rule => ({ kind: 'scope', scope: name });

const personal = ownerOr('pii:read');
const money = ownerOr('coupons:read');

interface TypeRules<Parent> {
  /** Whose data a field of this type is, for the owner check. */
  owner(parent: Parent): string | null;
  fields: Readonly<Record<string, Rule>>;
}

const customerOwner = (ref: CustomerRef) => ref.id;

export const accessRules = {
  Customer: {
    owner: customerOwner,
    fields: {
      // Names a card account at another company: as personal as the card data itself.
      imprintId: personal,
      joinDate: personal,
      joinedAt: personal,
      // Served only by Gameball's secret-key details, with the PII: reading it means fetching those.
      channel: personal,
      displayName: personal,
      firstName: personal,
      lastName: personal,
      email: personal,
      phone: personal,
      dateOfBirth: personal,
      preferredLanguage: personal,
      address: personal,
      cardPrograms: personal,
      // Dates of the card-holder record tell that the customer has a card account.
      cardHolderSince: personal,
      cardHolderUpdatedAt: personal,
      // Opens the customer's own preferences page: whoever holds the link can use it.
      preferenceCenterUrl: personal,
      ssnLast4: scope('pii:sensitive'),
      // A coupon code or a redemption hash is worth money.
      coupons: money,
      redemptionHash: money,
    },
  } satisfies TypeRules<CustomerRef>,
  Referral: {
    owner: customerOwner,
    // Who referred the customer is personal; the counts are not.
    fields: { received: personal },
  } satisfies TypeRules<CustomerRef>,
  PurchaseHistory: {
    owner: customerOwner,
    // The totals come from the public profile; the average only from the details, with the PII.
    fields: { averageOrderAmount: personal },
  } satisfies TypeRules<CustomerRef>,
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
export const imprintKeyRule: Rule = personal;

/**
 * Who may keep a copy of a field's value (src/cacheControl.ts): anyone for a public field, only the
 * caller for a guarded one, and no one for what is worth money (a coupon code; a redemption hash,
 * which also changes with each transaction).
 */
export type CacheClass = 'public' | 'private' | 'no-store';

export function cacheClassOf(rule: Rule | undefined): CacheClass {
  if (rule === undefined) return 'public';
  return rule.scope === money.scope ? 'no-store' : 'private';
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
