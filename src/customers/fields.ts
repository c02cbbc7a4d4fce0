import type { Customer, PurchaseHistory, Referral } from '../generated/graphql.js';
import type { CustomerSource } from '../vendors/endpoints.js';

/**
 * Who may read a field; src/auth/rules.ts says what each means. A field without one is public.
 * - personal: the customer themself or scope `pii:read`;
 * - money: the customer themself or scope `coupons:read`;
 * - sensitive: scope `pii:sensitive` only.
 */
export type Access = 'personal' | 'money' | 'sensitive';

/** One field of a customer: where its value comes from, who may read it, how it may be cached. */
export interface FieldSpec {
  /**
   * The sources of its value, in the order tried: the first is read when the field is selected,
   * each next one only when those before it have no value. Empty when no vendor call is made for
   * the field itself (the id, or a type whose fields name their own sources).
   */
  readonly from: readonly CustomerSource[];
  readonly access?: Access;
  /** `no-store` where no cache may keep it; otherwise public fields are shared, guarded ones private. */
  readonly cache?: 'no-store';
  /** A type whose parent is the customer itself, so that each of its fields names its own source. */
  readonly nested?: NestedType;
}

export type NestedType = 'Referral' | 'PurchaseHistory';

type Fields<T> = Record<Exclude<keyof T, '__typename'>, FieldSpec>;

/**
 * Every field of a customer, once. Selection analysis (src/customers/selection.ts), the access
 * rules (src/auth/rules.ts), the cache policy (src/cacheControl.ts) and the resolvers (which read
 * exactly the sources listed, in order) derive from this table; test/auth/declarations.test.ts
 * proves the SDL's directives agree with it. Typed against the generated schema types, so a field
 * added to the SDL without an entry here does not compile.
 */
export const customerFields = {
  Customer: {
    id: { from: [] },
    // Names a card account at another company: as personal as the card data itself.
    imprintId: { from: ['imprint.customer'], access: 'personal' },
    gameballId: { from: ['gameball.profile'] },
    gender: { from: ['gameball.profile'] },
    location: { from: ['gameball.profile'] },
    tags: { from: ['gameball.profile'] },
    registrationSource: { from: ['gameball.profile'] },
    customAttributes: { from: ['gameball.profile'] },
    purchaseHistory: { from: ['gameball.profile'], nested: 'PurchaseHistory' },
    joinDate: { from: ['gameball.details'], access: 'personal' },
    joinedAt: { from: ['gameball.details'], access: 'personal' },
    // Served only by Gameball's secret-key details, with the PII: reading it means fetching those.
    channel: { from: ['gameball.details'], access: 'personal' },
    // Personal data: the loyalty profile first, then the promotion engine, then the card issuer.
    displayName: { from: ['gameball.details', 'voucherify.customer', 'imprint.customer'], access: 'personal' },
    firstName: { from: ['gameball.details', 'imprint.customer'], access: 'personal' },
    lastName: { from: ['gameball.details', 'imprint.customer'], access: 'personal' },
    email: { from: ['gameball.details', 'voucherify.customer', 'imprint.customer'], access: 'personal' },
    phone: { from: ['gameball.details', 'voucherify.customer', 'imprint.customer'], access: 'personal' },
    dateOfBirth: { from: ['gameball.details', 'voucherify.customer', 'imprint.customer'], access: 'personal' },
    preferredLanguage: { from: ['gameball.details', 'imprint.customer'], access: 'personal' },
    address: { from: ['voucherify.customer', 'imprint.customer'], access: 'personal' },
    ssnLast4: { from: ['imprint.customer'], access: 'sensitive' },
    customerSince: { from: ['voucherify.summary'] },
    // Opens the customer's own preferences page: whoever holds the link can use it.
    preferenceCenterUrl: { from: ['voucherify.customer'], access: 'personal' },
    orderSummary: { from: ['voucherify.summary'] },
    redemptionSummary: { from: ['voucherify.summary'] },
    loyaltyPoints: { from: ['voucherify.summary'] },
    referral: { from: [], nested: 'Referral' },
    // A coupon code is worth money; a redemption hash too, and it changes with each transaction.
    coupons: { from: ['gameball.coupons'], access: 'money', cache: 'no-store' },
    redemptionHash: { from: ['gameball.hash'], access: 'money', cache: 'no-store' },
    cardPrograms: { from: ['imprint.customer'], access: 'personal' },
    // Dates of the card-holder record tell that the customer has a card account.
    cardHolderSince: { from: ['imprint.customer'], access: 'personal' },
    cardHolderUpdatedAt: { from: ['imprint.customer'], access: 'personal' },
  },
  Referral: {
    // Only the public profile has it (seed 000), not the details (seed 002).
    isReferred: { from: ['gameball.profile'] },
    code: { from: ['gameball.profile'] },
    link: { from: ['gameball.profile'] },
    dynamicLink: { from: ['gameball.profile'] },
    referredCustomersCount: { from: ['voucherify.summary'] },
    receivedCount: { from: ['voucherify.summary'] },
    // Who referred the customer is personal; the counts are not.
    received: { from: ['voucherify.customer'], access: 'personal' },
  },
  PurchaseHistory: {
    totalSpent: { from: ['gameball.profile'] },
    orderCount: { from: ['gameball.profile'] },
    lastOrderAt: { from: ['gameball.profile'] },
    paymentMethods: { from: ['gameball.profile'] },
    // Only the details have it (seed 002), with the PII.
    averageOrderAmount: { from: ['gameball.details'], access: 'personal' },
  },
} as const satisfies {
  Customer: Fields<Customer>;
  Referral: Fields<Referral>;
  PurchaseHistory: Fields<PurchaseHistory>;
};

export type CustomerType = keyof typeof customerFields;

/** The declaration of `typeName.fieldName`, if it is a customer field. */
export function fieldSpecOf(typeName: string, fieldName: string): FieldSpec | undefined {
  const fields = (customerFields as Record<string, Record<string, FieldSpec> | undefined>)[typeName];
  return fields?.[fieldName];
}
