import {
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import type { Customer, PurchaseHistory, Referral } from '../generated/graphql.js';

/**
 * The vendor endpoints a customer's data comes from. `voucherify.public` is the public part of
 * Voucherify's customer, which may be cached; `voucherify` the whole record. Imprint is reached
 * through the merchant's link in Voucherify's record unless the customer was looked up by its
 * Imprint id.
 */
export type Source =
  | 'gameball.profile'
  | 'gameball.details'
  | 'gameball.coupons'
  | 'gameball.redemptionHash'
  | 'voucherify.public'
  | 'voucherify'
  | 'imprint';

type Fields<T> = Record<Exclude<keyof T, '__typename'>, Source | null>;

const purchaseHistorySources = {
  totalSpent: 'gameball.profile',
  orderCount: 'gameball.profile',
  lastOrderAt: 'gameball.profile',
  paymentMethods: 'gameball.profile',
  // Only the details have it (seed 002).
  averageOrderAmount: 'gameball.details',
} satisfies Fields<PurchaseHistory>;

// Where each field's data comes from first (fallbacks, e.g. an e-mail Gameball lacks, are loaded
// only when needed). Typed against the generated schema types, so a field added to the SDL
// without an entry here does not compile.
const referralSources = {
  code: 'gameball.profile',
  link: 'gameball.profile',
  dynamicLink: 'gameball.profile',
  isReferred: 'gameball.profile',
  referredCustomersCount: 'voucherify.public',
  receivedCount: 'voucherify.public',
  received: 'voucherify',
} satisfies Fields<Referral>;

const customerSources = {
  id: null,
  imprintId: 'imprint',
  gameballId: 'gameball.profile',
  gender: 'gameball.profile',
  location: 'gameball.profile',
  tags: 'gameball.profile',
  registrationSource: 'gameball.profile',
  customAttributes: 'gameball.profile',
  purchaseHistory: 'gameball.profile',
  joinDate: 'gameball.details',
  joinedAt: 'gameball.details',
  channel: 'gameball.details',
  displayName: 'gameball.details',
  firstName: 'gameball.details',
  lastName: 'gameball.details',
  email: 'gameball.details',
  phone: 'gameball.details',
  dateOfBirth: 'gameball.details',
  preferredLanguage: 'gameball.details',
  address: 'voucherify',
  ssnLast4: 'imprint',
  customerSince: 'voucherify.public',
  preferenceCenterUrl: 'voucherify',
  orderSummary: 'voucherify.public',
  redemptionSummary: 'voucherify.public',
  loyaltyPoints: 'voucherify.public',
  referral: null, // per sub-field, below
  coupons: 'gameball.coupons',
  redemptionHash: 'gameball.redemptionHash',
  cardPrograms: 'imprint',
  cardHolderSince: 'imprint',
  cardHolderUpdatedAt: 'imprint',
} satisfies Fields<Customer>;

// Types whose parent is the customer itself, so that each of their fields names its own source.
const nestedSources: Partial<
  Record<
    keyof typeof customerSources,
    { type: Exclude<FieldUse['type'], 'Customer'>; sources: Record<string, Source | null> }
  >
> = {
  referral: { type: 'Referral', sources: referralSources },
  purchaseHistory: { type: 'PurchaseHistory', sources: purchaseHistorySources },
};

/** A field of a customer that a selection reads, and the vendor endpoint its data comes from. */
export interface FieldUse {
  readonly type: 'Customer' | 'Referral' | 'PurchaseHistory';
  readonly field: string;
  readonly source: Source;
}

const cache = new WeakMap<readonly FieldNode[], readonly FieldUse[]>();

/**
 * The vendor-backed fields a resolver's selection of a Customer reads, through fragments and
 * `_entities` inline fragments. Shared by every customer of a list or of `_entities`, so computed
 * once per field of the operation; which of them a caller may read is decided per customer.
 */
export function customerFieldsOf(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): readonly FieldUse[] {
  const cached = cache.get(info.fieldNodes);
  if (cached) return cached;
  const uses = new Map<string, FieldUse>();
  const use = (type: FieldUse['type'], field: string, source: Source | null | undefined) => {
    if (source) uses.set(`${type}.${field}`, { type, field, source });
  };
  for (const node of info.fieldNodes) {
    forEachField(node.selectionSet, 'Customer', info.fragments, (field) => {
      const name = field.name.value as keyof typeof customerSources;
      use('Customer', name, customerSources[name]);
      const nested = nestedSources[name];
      if (nested) {
        forEachField(field.selectionSet, nested.type, info.fragments, (sub) => {
          use(nested.type, sub.name.value, nested.sources[sub.name.value]);
        });
      }
    });
  }
  const result = [...uses.values()];
  cache.set(info.fieldNodes, result);
  return result;
}
function forEachField(
  selectionSet: SelectionSetNode | undefined,
  typeName: string,
  fragments: Record<string, FragmentDefinitionNode>,
  visit: (field: FieldNode) => void,
): void {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      visit(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition?.name.value;
      if (condition === undefined || condition === typeName)
        forEachField(selection.selectionSet, typeName, fragments, visit);
    } else {
      const fragment = fragments[selection.name.value];
      if (fragment && fragment.typeCondition.name.value === typeName) {
        forEachField(fragment.selectionSet, typeName, fragments, visit);
      }
    }
  }
}
