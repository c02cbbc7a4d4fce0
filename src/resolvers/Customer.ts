import type { CardProgram, CardProgramStatus, CustomerResolvers, PostalAddress } from '../generated/graphql.js';
import type { ImprintCustomer } from '../vendors/imprint/payloads.js';
import type { GameballCoupon } from './models.js';
import { isPresent, localDate, vendorDateTime, vendorLocalDate } from './conversions.js';
import { isCouponAvailable } from './Coupon.js';
import { fromSources } from './fromSources.js';
import { parseId } from './inputs.js';

const cardProgramStatuses = new Set<string>(['OPEN', 'CLOSED'] satisfies CardProgramStatus[]);
// Each field reads the sources src/customers/fields.ts declares for it, in that order.
const read = fromSources('Customer');

export const Customer: CustomerResolvers = {
  __resolveReference: (reference, { customers }, info) =>
    'id' in reference
      ? customers.find(parseId(reference.id, ['representations', 'id']), info)
      : customers.findByImprintId(parseId(reference.imprintId ?? '', ['representations', 'imprintId']), info),

  id: (ref) => ref.id,
  // Known without a call when the customer was reached through Imprint.
  imprintId: async (ref, args, context) =>
    ref.imprintId ??
    (await read('imprintId', { 'imprint.customer': (holder): string => holder.id })(ref, args, context)),

  // Loyalty profile (Gameball).
  gameballId: async (ref, args, context) =>
    ref.gameballId === undefined
      ? read('gameballId', { 'gameball.profile': (profile): string | undefined => profile.gameballId?.toString() })(
          ref,
          args,
          context,
        )
      : String(ref.gameballId),
  gender: read('gender', { 'gameball.profile': (profile) => profile.customerAttributes?.gender }),
  location: read('location', { 'gameball.profile': (profile) => profile.customerAttributes }),
  tags: read('tags', { 'gameball.profile': (profile) => profile.customerAttributes?.tags ?? [] }),
  registrationSource: read('registrationSource', {
    'gameball.profile': (profile) => profile.customerAttributes?.source,
  }),
  customAttributes: read('customAttributes', { 'gameball.profile': (profile) => profile.customerAttributes?.custom }),
  // Its fields resolve from the customer: the average comes from another endpoint than the totals.
  purchaseHistory: read('purchaseHistory', {
    'gameball.profile': (profile, ref) => (profile.customerAttributes ? ref : null),
  }),
  joinDate: read('joinDate', {
    'gameball.details': (details) => vendorLocalDate(details.customerAttributes?.joinDate),
  }),
  joinedAt: read('joinedAt', {
    'gameball.details': (details) => {
      const day = vendorLocalDate(details.customerAttributes?.joinDate);
      return day === null ? null : new Date(`${day}T00:00:00Z`);
    },
  }),
  channel: read('channel', { 'gameball.details': (details) => details.customerAttributes?.channel }),

  displayName: read('displayName', {
    'gameball.details': (details) => details.customerAttributes?.displayName,
    'voucherify.customer': (promotions) => promotions.name,
    'imprint.customer': (holder) => [holder.first_name, holder.last_name].filter(Boolean).join(' '),
  }),
  firstName: read('firstName', {
    'gameball.details': (details) => details.customerAttributes?.firstName,
    'imprint.customer': (holder) => holder.first_name,
  }),
  lastName: read('lastName', {
    'gameball.details': (details) => details.customerAttributes?.lastName,
    'imprint.customer': (holder) => holder.last_name,
  }),
  email: read('email', {
    'gameball.details': (details) => details.customerAttributes?.email,
    'voucherify.customer': (promotions) => promotions.email,
    'imprint.customer': (holder) => holder.email,
  }),
  phone: read('phone', {
    'gameball.details': (details) => details.customerAttributes?.mobile,
    'voucherify.customer': (promotions) => promotions.phone,
    'imprint.customer': (holder) => holder.phone,
  }),
  dateOfBirth: read('dateOfBirth', {
    'gameball.details': (details) => vendorLocalDate(details.customerAttributes?.dateOfBirth),
    'voucherify.customer': (promotions) => vendorLocalDate(promotions.birthdate ?? promotions.birthday),
    'imprint.customer': ({ date_of_birth: born }) => localDate(born?.year, born?.month, born?.day),
  }),
  preferredLanguage: read('preferredLanguage', {
    'gameball.details': (details) => details.customerAttributes?.preferredLanguage,
    'imprint.customer': (holder) => holder.preferred_language,
  }),
  address: read('address', {
    'voucherify.customer': ({ address }) => address && postalAddress(address.line_1, address.line_2, address),
    'imprint.customer': ({ address }) => address && postalAddress(address.street_line1, address.street_line2, address),
  }),
  ssnLast4: read('ssnLast4', { 'imprint.customer': (holder) => holder.ssn4 }),

  // Promotion engine (Voucherify).
  customerSince: read('customerSince', { 'voucherify.summary': (summary) => vendorDateTime(summary.created_at) }),
  // Since cockpits were removed, the old link leads to the preference center too (seed 001).
  preferenceCenterUrl: read('preferenceCenterUrl', {
    'voucherify.customer': ({ assets }) => assets?.cockpit_preference_center_url || assets?.cockpit_url,
  }),
  orderSummary: read('orderSummary', { 'voucherify.summary': (summary) => summary.summary?.orders }),
  redemptionSummary: read('redemptionSummary', { 'voucherify.summary': (summary) => summary.summary?.redemptions }),
  loyaltyPoints: read('loyaltyPoints', { 'voucherify.summary': (summary) => summary.loyalty }),

  // Referral fields resolve per vendor from the same customer reference.
  referral: (ref) => ref,

  coupons: (ref, { availableOnly }, context) => {
    const now = new Date();
    return read('coupons', {
      'gameball.coupons': (coupons): GameballCoupon[] =>
        availableOnly ? coupons.filter((coupon) => isCouponAvailable(coupon, now)) : coupons,
    })(ref, undefined, context);
  },
  redemptionHash: read('redemptionHash', { 'gameball.hash': (hash) => hash }),

  // Card issuer (Imprint).
  cardPrograms: read('cardPrograms', { 'imprint.customer': cardProgramsOf }),
  cardHolderSince: read('cardHolderSince', { 'imprint.customer': (holder) => vendorDateTime(holder.created_at) }),
  cardHolderUpdatedAt: read('cardHolderUpdatedAt', {
    'imprint.customer': (holder) => vendorDateTime(holder.updated_at),
  }),
};

/** A status this API does not know yet is null rather than failing the customer. */
export function cardProgramsOf(holder: ImprintCustomer): CardProgram[] {
  return Object.entries(holder.statuses ?? {}).map(([name, status]) => ({
    name,
    status: cardProgramStatuses.has(status) ? (status as CardProgramStatus) : null,
  }));
}

type Line = string | null | undefined;

/**
 * Voucherify and Imprint name all but the street lines alike; an address with every line empty is
 * none. Missing lines are null, as GraphQL answers them (bench/baseline.ts serialises this itself).
 */
export function postalAddress(
  line1: Line,
  line2: Line,
  { city, state, postal_code, country }: Partial<Record<'city' | 'state' | 'postal_code' | 'country', Line>>,
): PostalAddress | null {
  const address = {
    line1: line1 ?? null,
    line2: line2 ?? null,
    city: city ?? null,
    region: state ?? null,
    postalCode: postal_code ?? null,
    country: country ?? null,
  };
  return Object.values(address).some(isPresent) ? address : null;
}
