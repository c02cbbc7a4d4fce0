import type { CardProgramStatus, CustomerResolvers, PostalAddress } from '../generated/graphql.js';
import { firstPresent, localDate, vendorDateTime, vendorLocalDate } from './conversions.js';
import { isCouponAvailable } from './Coupon.js';
import { parseId } from './inputs.js';

const cardProgramStatuses = new Set<string>(['OPEN', 'CLOSED'] satisfies CardProgramStatus[]);

export const Customer: CustomerResolvers = {
  __resolveReference: (reference, { customers }, info) =>
    'id' in reference
      ? customers.find(parseId(reference.id, ['representations', 'id']), info)
      : customers.findByImprintId(parseId(reference.imprintId ?? '', ['representations', 'imprintId']), info),

  id: (ref) => ref.id,
  imprintId: (ref, _, { customers }) => customers.imprintId(ref),

  // Loyalty profile (Gameball), public.
  gameballId: async (ref, _, { customers }) => {
    const gameballId = ref.gameballId ?? (await customers.profile(ref))?.gameballId;
    return gameballId === undefined ? null : String(gameballId);
  },
  gender: async (ref, _, { customers }) => (await customers.profile(ref))?.customerAttributes?.gender ?? null,
  location: async (ref, _, { customers }) => (await customers.profile(ref))?.customerAttributes ?? null,
  tags: async (ref, _, { customers }) => {
    const profile = await customers.profile(ref);
    return profile ? (profile.customerAttributes?.tags ?? []) : null;
  },
  registrationSource: async (ref, _, { customers }) =>
    (await customers.profile(ref))?.customerAttributes?.source ?? null,
  customAttributes: async (ref, _, { customers }) => (await customers.profile(ref))?.customerAttributes?.custom ?? null,
  // Its fields resolve from the customer: the average comes from another endpoint than the totals.
  purchaseHistory: async (ref, _, { customers }) => ((await customers.profile(ref))?.customerAttributes ? ref : null),
  joinDate: async (ref, _, { customers }) =>
    vendorLocalDate((await customers.details(ref))?.customerAttributes?.joinDate),
  joinedAt: async (ref, _, { customers }) => {
    const day = vendorLocalDate((await customers.details(ref))?.customerAttributes?.joinDate);
    return day === null ? null : new Date(`${day}T00:00:00Z`);
  },
  channel: async (ref, _, { customers }) => (await customers.details(ref))?.customerAttributes?.channel ?? null,

  // Personal data: the loyalty profile first, then the promotion engine, then the card issuer.
  displayName: (ref, _, { customers }) =>
    firstPresent(
      async () => (await customers.details(ref))?.customerAttributes?.displayName,
      async () => (await customers.promotions(ref))?.name,
      async () => {
        const holder = await customers.cardHolder(ref);
        return [holder?.first_name, holder?.last_name].filter(Boolean).join(' ');
      },
    ),
  firstName: (ref, _, { customers }) =>
    firstPresent(
      async () => (await customers.details(ref))?.customerAttributes?.firstName,
      async () => (await customers.cardHolder(ref))?.first_name,
    ),
  lastName: (ref, _, { customers }) =>
    firstPresent(
      async () => (await customers.details(ref))?.customerAttributes?.lastName,
      async () => (await customers.cardHolder(ref))?.last_name,
    ),
  email: (ref, _, { customers }) =>
    firstPresent(
      async () => (await customers.details(ref))?.customerAttributes?.email,
      async () => (await customers.promotions(ref))?.email,
      async () => (await customers.cardHolder(ref))?.email,
    ),
  phone: (ref, _, { customers }) =>
    firstPresent(
      async () => (await customers.details(ref))?.customerAttributes?.mobile,
      async () => (await customers.promotions(ref))?.phone,
      async () => (await customers.cardHolder(ref))?.phone,
    ),
  dateOfBirth: (ref, _, { customers }) =>
    firstPresent(
      async () => vendorLocalDate((await customers.details(ref))?.customerAttributes?.dateOfBirth),
      async () => {
        const promotions = await customers.promotions(ref);
        return vendorLocalDate(promotions?.birthdate ?? promotions?.birthday);
      },
      async () => {
        const born = (await customers.cardHolder(ref))?.date_of_birth;
        return localDate(born?.year, born?.month, born?.day);
      },
    ),
  preferredLanguage: (ref, _, { customers }) =>
    firstPresent(
      async () => (await customers.details(ref))?.customerAttributes?.preferredLanguage,
      async () => (await customers.cardHolder(ref))?.preferred_language,
    ),
  address: (ref, _, { customers }) =>
    firstPresent<PostalAddress>(
      async () => {
        const address = (await customers.promotions(ref))?.address;
        return address
          ? withAnyValue({
              line1: address.line_1,
              line2: address.line_2,
              city: address.city,
              region: address.state,
              postalCode: address.postal_code,
              country: address.country,
            })
          : null;
      },
      async () => {
        const address = (await customers.cardHolder(ref))?.address;
        return address
          ? withAnyValue({
              line1: address.street_line1,
              line2: address.street_line2,
              city: address.city,
              region: address.state,
              postalCode: address.postal_code,
              country: address.country,
            })
          : null;
      },
    ),
  ssnLast4: async (ref, _, { customers }) => (await customers.cardHolder(ref))?.ssn4 ?? null,

  // Promotion engine (Voucherify).
  customerSince: async (ref, _, { customers }) => vendorDateTime((await customers.promotionSummary(ref))?.created_at),
  preferenceCenterUrl: async (ref, _, { customers }) => {
    const assets = (await customers.promotions(ref))?.assets;
    // Since cockpits were removed, the old link leads to the preference center too (seed 001).
    return assets?.cockpit_preference_center_url || assets?.cockpit_url || null;
  },
  orderSummary: async (ref, _, { customers }) => (await customers.promotionSummary(ref))?.summary?.orders ?? null,
  redemptionSummary: async (ref, _, { customers }) =>
    (await customers.promotionSummary(ref))?.summary?.redemptions ?? null,
  loyaltyPoints: async (ref, _, { customers }) => (await customers.promotionSummary(ref))?.loyalty ?? null,

  // Referral fields resolve per vendor from the same customer reference.
  referral: (ref) => ref,

  coupons: async (ref, { availableOnly }, { customers }) => {
    const coupons = await customers.coupons(ref);
    if (!coupons || !availableOnly) return coupons;
    const now = new Date();
    return coupons.filter((coupon) => isCouponAvailable(coupon, now));
  },
  redemptionHash: (ref, _, { customers }) => customers.redemptionHash(ref),

  // Card issuer (Imprint).
  cardPrograms: async (ref, _, { customers }) => {
    const holder = await customers.cardHolder(ref);
    if (!holder) return null;
    return Object.entries(holder.statuses ?? {}).map(([name, status]) => ({
      name,
      status: cardProgramStatuses.has(status) ? (status as CardProgramStatus) : null,
    }));
  },
  cardHolderSince: async (ref, _, { customers }) => vendorDateTime((await customers.cardHolder(ref))?.created_at),
  cardHolderUpdatedAt: async (ref, _, { customers }) => vendorDateTime((await customers.cardHolder(ref))?.updated_at),
};

/** An address with every line empty is no address. */
function withAnyValue(address: Omit<PostalAddress, '__typename'>): PostalAddress | null {
  const values = Object.values(address);
  return values.some((value) => value != null && value !== '') ? address : null;
}
