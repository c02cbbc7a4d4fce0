import type { components as GameballComponents } from '../generated/gameball.js';
import type { components as ImprintComponents } from '../generated/imprint.js';
import type { components as VoucherifyComponents } from '../generated/voucherify.js';
import { createCoupon, randomCouponSpecs, type CouponSpec, type GameballCouponRecord } from './coupons.js';
import { SeededRandom, UniqueStrings, alphanumerics, hexDigits } from './random.js';

// The records are typed with the types generated from openapi/*.yaml, so the compiler checks the
// fakes' payloads against the contract the clients are written to.
type GameballSchemas = GameballComponents['schemas'];
type VoucherifySchemas = VoucherifyComponents['schemas'];

export type { GameballCouponRecord };
export type GameballAttributesRecord = GameballSchemas['DetailedCustomerAttributes'];
export type GameballDetailsRecord = GameballSchemas['CustomerDetailsResponse'] & {
  gameballId: number;
  customerAttributes: GameballAttributesRecord;
  /** Kept with the details, served by the public profile only (seed 002's details have none). */
  isReferred: boolean;
};

export interface GameballRecord {
  /** Served by `/details` without `isReferred`; the public profile is an allowlisted projection of it. */
  details: GameballDetailsRecord;
  coupons: GameballCouponRecord[];
  /** The last redemption hash issued: the fake issues a new one on every request, as it rotates. */
  hash: string;
  /** Upsert's `guest` flag; Gameball does not echo it in any payload. */
  guest: boolean;
  /** Upsert's `deviceToken` and `osType`, for push notifications; not echoed either. */
  device?: { token: string; osType?: string };
}

export type VoucherifyRecord = VoucherifySchemas['Customer'] & { id: string };
export type ImprintRecord = ImprintComponents['schemas']['Customer'];

export interface SandboxDataset {
  /** By the merchant's customer id. */
  gameball: Map<string, GameballRecord>;
  /** By Voucherify's own id (`cust_` and 24 alphanumerics); `source_id` is the merchant's id. */
  voucherify: Map<string, VoucherifyRecord>;
  /** By Imprint's own id, an upper-case UUID. */
  imprint: Map<string, ImprintRecord>;
}

/** The Voucherify metadata key where the merchant keeps the customer's Imprint id (the default of IMPRINT_LINK_METADATA_KEY). */
export const imprintLinkMetadataKey = 'imprint_customer_id';
export const referralCampaignName = 'Refer a Friend';

/**
 * The deliberate oddities in the data, at fixed ids whatever the seed (they exist when `customers`
 * is at least 33):
 * - rich: all three vendors, full PII, coupons both usable and not, points in two loyalty
 *   campaigns, two card programs (one OPEN, one CLOSED), referred by `richReferrer`.
 * - gameballOnly / voucherifyOnly: known to that vendor alone; unknown: a merchant id in the range
 *   that no vendor knows. (The random part of the data has a few more of each.)
 * - unresolvableReferrer: referred, per Voucherify, by a Voucherify id that Voucherify does not know.
 * - danglingImprintLink: the Voucherify link names an Imprint id that Imprint does not know.
 * - partnerMismatch: the link resolves, but the Imprint record's partner_customer_id is another
 *   merchant id (one no vendor knows).
 * - unlinkedImprint: an Imprint record whose merchant customer exists, with no Voucherify link to it.
 * - couponSampleSpelling: coupons carry `isAvlaibleToUse`, the spelling of seed 002's sample,
 *   instead of the prose's `isAvaliableToUse` that every other coupon uses.
 */
export const sandboxEdgeCases = {
  rich: 'cust_0001',
  richReferrer: 'cust_0002',
  gameballOnly: 'cust_0025',
  voucherifyOnly: 'cust_0026',
  unknown: 'cust_0027',
  unresolvableReferrer: { customerId: 'cust_0028', referrerId: 'cust_Zq8RtLm3Wx5Vn7Kp2Yb4Hd9J' },
  danglingImprintLink: { customerId: 'cust_0030', imprintId: '6F1C2B7E-93D4-4A0B-8E15-2C7D9A04F030' },
  partnerMismatch: {
    customerId: 'cust_0031',
    imprintId: '3B8E5D21-7C4A-4F96-B0D2-91E6A5C8F031',
    partnerCustomerId: 'cust_9031',
  },
  unlinkedImprint: { imprintId: 'A74C0E9B-25F8-4D13-9C6A-E0B3F7D2C032', partnerCustomerId: 'cust_0032' },
  couponSampleSpelling: 'cust_0033',
} as const;

const edge = sandboxEdgeCases;
/** The merchant ids the edge cases use: tests that need ordinary customers leave these out. */
export const edgeCaseCustomers: ReadonlySet<string> = new Set<string>([
  edge.rich,
  edge.richReferrer,
  edge.gameballOnly,
  edge.voucherifyOnly,
  edge.unknown,
  edge.unresolvableReferrer.customerId,
  edge.danglingImprintLink.customerId,
  edge.partnerMismatch.customerId,
  edge.unlinkedImprint.partnerCustomerId,
  edge.couponSampleSpelling,
]);

const defaultSeed = 20_240_915;
/** "Today" for the generated history, fixed so the data does not depend on when it is made. */
const datasetNow = Date.UTC(2025, 5, 30);
const digits = '0123456789';
const day = 86_400_000;

const maleNames = ['James', 'Omar', 'Lucas', 'Daniel', 'Mateo', 'Ethan', 'Noah', 'Samuel', 'Karim', 'Leo'];
const femaleNames = ['Alice', 'Maya', 'Sofia', 'Nora', 'Layla', 'Emma', 'Chloe', 'Hana', 'Grace', 'Zara'];
const lastNames = [
  'Morgan',
  'Hassan',
  'Garcia',
  'Nguyen',
  'Smith',
  'Okafor',
  'Rossi',
  'Kim',
  'Novak',
  'Silva',
  'Patel',
  'Weber',
];
const streets = ['Main St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Pine St', 'Elm St', 'Lakeview Rd', 'Sunset Blvd'];
const cities: readonly (readonly [city: string, state: string, zipPrefix: string])[] = [
  ['Los Angeles', 'CA', '900'],
  ['San Francisco', 'CA', '941'],
  ['Seattle', 'WA', '981'],
  ['Austin', 'TX', '787'],
  ['Chicago', 'IL', '606'],
  ['New York', 'NY', '100'],
  ['Denver', 'CO', '802'],
  ['Miami', 'FL', '331'],
  ['Boston', 'MA', '021'],
  ['Portland', 'OR', '972'],
];
const languages = ['en', 'en', 'en', 'es', 'fr'];
const tags = ['loyal', 'VIP', 'High Spender', 'Frequent Shopper', 'newsletter'];
const sources = ['website', 'mobile app', 'pos'];
const channels = ['web', 'mobile', 'pos', 'callcenter'] as const;
const paymentMethods = ['Credit Card', 'PayPal', 'Apple Pay'];
const membershipLevels = ['Bronze', 'Silver', 'Gold'];
const loyaltyCampaignNames = ['Acme Loyalty Club', 'Summer Campaign', 'Holiday Points'];
const cardPrograms = {
  visa: 'Acme Rewards Visa',
  signature: 'Acme Rewards Visa Signature',
  business: 'Acme Business Card',
};

const richCoupons: readonly CouponSpec[] = [
  { type: 'percentage', target: 'Reward', state: 'available' },
  { type: 'fixed', target: 'Online', state: 'available' },
  { type: 'shipping', target: 'Permanent', state: 'available' },
  { type: 'product', target: 'POS', state: 'customerLimitReached' },
  { type: 'custom', target: 'Automation', state: 'notStarted' },
  { type: 'fixed', target: 'Online', state: 'expired' },
];
const sampleSpellingCoupons: readonly CouponSpec[] = [
  { type: 'fixed', target: 'Reward', state: 'available' },
  { type: 'percentage', target: 'Online', state: 'usedUp' },
];

/** The person behind a merchant id: the PII every vendor that knows them agrees on. */
interface Person {
  merchantId: string;
  number: number;
  firstName: string;
  lastName: string;
  gender: 'Male' | 'Female';
  email: string;
  phone: string;
  birth: { year: number; month: number; day: number };
  address: { line1: string; line2: string | null; city: string; state: string; postalCode: string };
  language: string;
  ssn4: string;
  joinedAt: number;
}

/** Paid orders, reported alike to Gameball (in units) and Voucherify (in cents). */
interface Orders {
  count: number;
  totalCents: number;
  lastCents: number;
  lastAt: number | null;
}

/** A Voucherify record as generated, with the parts the later passes fill in known to be set. */
type GeneratedVoucherify = VoucherifyRecord & {
  metadata: Record<string, unknown>;
  loyalty: VoucherifySchemas['Loyalty'];
  referrals: VoucherifySchemas['Referrals'];
};

interface Member {
  person: Person;
  gameball: GameballRecord | null;
  voucherify: GeneratedVoucherify | null;
}

interface Plan {
  gameball: boolean;
  voucherify: boolean;
  imprint: boolean;
  rich: boolean;
}

/** Ids and tiers shared by every customer of the dataset. */
interface Catalog {
  referralCampaignId: string;
  loyaltyTiers: string[];
}

function merchantIdOf(number: number): string {
  return `cust_${String(number).padStart(4, '0')}`;
}

export function referralLinkOf(referralCode: string): string {
  return `https://shop.example.com/register?ReferralCode=${referralCode}`;
}

/**
 * Since cockpits were removed, both of Voucherify's links lead to the preference center; every
 * fifth customer has only the old one, as in seed 001's sample.
 */
function preferenceCenterLinks(person: Person, rich: boolean): VoucherifySchemas['Customer']['assets'] {
  const link = `https://preferences.example.com/${person.merchantId}`;
  return rich || person.number % 5 !== 0
    ? { cockpit_url: link, cockpit_preference_center_url: link }
    : { cockpit_url: link };
}

/** Gameball's date-time form in the seeds: no zone, no fraction, e.g. `2024-09-15T00:00:00`. */
export function gameballDate(isoDay: string): string {
  return `${isoDay}T00:00:00`;
}

/** Gameball's redemption hash: six digits (seed 002's sample is "039684"). */
export function redemptionHash(random: SeededRandom): string {
  return random.chars(digits, 6);
}

/** A deterministic dataset: the same options give the same data. */
export function createDataset(options: { customers?: number; seed?: number } = {}): SandboxDataset {
  const random = new SeededRandom(options.seed ?? defaultSeed);
  const unique = new UniqueStrings([
    edge.unresolvableReferrer.referrerId,
    edge.danglingImprintLink.imprintId,
    edge.partnerMismatch.imprintId,
    edge.unlinkedImprint.imprintId,
  ]);
  const catalog: Catalog = {
    referralCampaignId: `camp_${random.chars(alphanumerics, 24)}`,
    loyaltyTiers: Array.from({ length: 3 }, () => `ltr_${random.chars(alphanumerics, 24)}`),
  };
  const dataset: SandboxDataset = { gameball: new Map(), voucherify: new Map(), imprint: new Map() };
  const members = new Map<string, Member>();

  for (let number = 1; number <= (options.customers ?? 300); number += 1) {
    const merchantId = merchantIdOf(number);
    const plan = planFor(merchantId, random);
    if (!plan.gameball && !plan.voucherify) continue;
    const person = createPerson(merchantId, number, plan.rich, random);
    const orders = createOrders(person, plan.rich, random);
    const member: Member = {
      person,
      gameball: plan.gameball ? createGameballRecord(person, orders, plan.rich, random, unique) : null,
      voucherify: plan.voucherify ? createVoucherifyRecord(person, orders, plan.rich, random, unique, catalog) : null,
    };
    if (member.voucherify && plan.imprint) {
      const card = createImprintRecord(
        person,
        unique.next(() => random.uuid()),
        plan.rich,
        random,
      );
      member.voucherify.metadata[imprintLinkMetadataKey] = card.id;
      dataset.imprint.set(card.id, card);
    }
    members.set(merchantId, member);
  }

  addLinkEdgeCases(members, dataset, random);
  const spelling = members.get(edge.couponSampleSpelling)?.gameball;
  if (spelling) {
    spelling.coupons = sampleSpellingCoupons.map((spec) => {
      const { isAvaliableToUse, ...coupon } = createCoupon(spec, random, unique, datasetNow);
      return { ...coupon, isAvlaibleToUse: isAvaliableToUse };
    });
  }
  addReferrals(members, catalog, random);

  for (const member of members.values()) {
    if (member.gameball) dataset.gameball.set(member.person.merchantId, member.gameball);
    if (member.voucherify) dataset.voucherify.set(member.voucherify.id, member.voucherify);
  }
  return dataset;
}

function planFor(merchantId: string, random: SeededRandom): Plan {
  const roll = random.next();
  const wantsCard = random.chance(0.36);
  const both = { gameball: true, voucherify: true, imprint: false, rich: false };
  switch (merchantId) {
    case edge.rich:
      return { ...both, imprint: true, rich: true };
    case edge.gameballOnly:
      return { ...both, voucherify: false };
    case edge.voucherifyOnly:
      return { ...both, gameball: false };
    case edge.unknown:
      return { ...both, gameball: false, voucherify: false };
    case edge.danglingImprintLink.customerId:
    case edge.partnerMismatch.customerId:
    case edge.unlinkedImprint.partnerCustomerId:
      // Their Imprint side is set up by addLinkEdgeCases.
      return both;
    case edge.richReferrer:
    case edge.unresolvableReferrer.customerId:
    case edge.couponSampleSpelling:
      return { ...both, imprint: wantsCard };
    default: {
      // 3% Gameball only, 3% Voucherify only, 2% neither, the rest both.
      const gameball = roll < 0.03 || roll >= 0.08;
      const voucherify = roll >= 0.03 && (roll < 0.06 || roll >= 0.08);
      return { gameball, voucherify, imprint: voucherify && wantsCard, rich: false };
    }
  }
}

function createPerson(merchantId: string, number: number, rich: boolean, random: SeededRandom): Person {
  const gender = random.pick(['Male', 'Female'] as const);
  const firstName = random.pick(gender === 'Male' ? maleNames : femaleNames);
  const lastName = random.pick(lastNames);
  const [city, state, zipPrefix] = random.pick(cities);
  return {
    merchantId,
    number,
    firstName,
    lastName,
    gender,
    email: `${firstName}.${lastName}${number}@example.com`.toLowerCase(),
    // 555 numbers are reserved for fiction.
    phone: `+1555${random.chars(digits, 7)}`,
    birth: { year: random.int(1950, 2004), month: random.int(1, 12), day: random.int(1, 28) },
    address: {
      line1: `${random.int(1, 9999)} ${random.pick(streets)}`,
      line2: rich || random.chance(0.3) ? `Apt ${random.int(1, 30)}${random.pick(['A', 'B', 'C'])}` : null,
      city,
      state,
      postalCode: zipPrefix + random.chars(digits, 2),
    },
    language: random.pick(languages),
    ssn4: random.chars(digits, 4),
    joinedAt: random.int(Date.UTC(2019, 0, 1), Date.UTC(2025, 0, 1)),
  };
}

function createOrders(person: Person, rich: boolean, random: SeededRandom): Orders {
  const count = rich ? random.int(8, 20) : random.chance(0.15) ? 0 : random.int(1, 40);
  let totalCents = 0;
  let lastCents = 0;
  for (let order = 0; order < count; order += 1) {
    lastCents = random.int(1_500, 25_000);
    totalCents += lastCents;
  }
  return { count, totalCents, lastCents, lastAt: count === 0 ? null : random.int(person.joinedAt, datasetNow) };
}

function createGameballRecord(
  person: Person,
  orders: Orders,
  rich: boolean,
  random: SeededRandom,
  unique: UniqueStrings,
): GameballRecord {
  const referralCode = unique.next(() => random.chars(alphanumerics, 14));
  const customerAttributes: GameballAttributesRecord = {
    displayName: `${person.firstName} ${person.lastName}`,
    firstName: person.firstName,
    lastName: person.lastName,
    email: person.email,
    mobile: person.phone,
    gender: person.gender,
    dateOfBirth: gameballDate(birthDay(person)),
    joinDate: gameballDate(isoDay(person.joinedAt)),
    country: 'USA',
    city: person.address.city,
    zip: person.address.postalCode,
    preferredLanguage: person.language,
    custom: { membershipLevel: random.pick(membershipLevels) },
    tags: rich ? ['loyal', 'VIP'] : random.subset(tags, 3),
    source: random.pick(sources),
    utMs: [],
    devices: [],
    paymentMethods: rich ? ['Credit Card', 'Apple Pay'] : random.subset(paymentMethods),
    totalSpent: orders.totalCents / 100,
    totalOrders: orders.count,
    lastOrderDate: orders.lastAt === null ? null : gameballDate(isoDay(orders.lastAt)),
    avgOrderAmount: orders.count === 0 ? 0 : Math.round(orders.totalCents / orders.count) / 100,
    channel: random.pick(channels),
    manualDate: null,
  };
  const coupons = rich ? richCoupons : randomCouponSpecs(random, random.int(0, 3));
  return {
    details: {
      customerId: person.merchantId,
      gameballId: 410_000 + person.number * 16 + random.int(0, 15),
      customerAttributes,
      referralCode,
      referralLink: referralLinkOf(referralCode),
      isReferred: false,
      dynamicReferralLink:
        rich || random.chance(0.7) ? `https://link.example.com/r/${random.chars(alphanumerics, 8)}?d=1` : null,
    },
    coupons: coupons.map((spec) => createCoupon(spec, random, unique, datasetNow)),
    hash: redemptionHash(random),
    guest: !rich && random.chance(0.05),
  };
}

function createVoucherifyRecord(
  person: Person,
  orders: Orders,
  rich: boolean,
  random: SeededRandom,
  unique: UniqueStrings,
  catalog: Catalog,
): GeneratedVoucherify {
  const campaignNames = rich ? loyaltyCampaignNames.slice(0, 2) : random.subset(loyaltyCampaignNames, 2);
  const campaigns: VoucherifySchemas['Loyalty']['campaigns'] = {};
  for (const name of campaignNames) {
    campaigns[name] = {
      points: random.int(0, 50) * 100,
      loyalty_tier: random.chance(0.7) ? random.pick(catalog.loyaltyTiers) : null,
      referred_customers: 0,
    };
  }
  const points = Object.values(campaigns).reduce((sum, campaign) => sum + (campaign.points ?? 0), 0);
  const succeeded = random.int(0, Math.min(orders.count, 12));
  const failed = random.int(0, 2);
  const rollbackSucceeded = succeeded > 0 && random.chance(0.2) ? 1 : 0;
  const rollbackFailed = random.chance(0.05) ? 1 : 0;
  const hasAddress = rich || random.chance(0.9);
  return {
    id: unique.next(() => `cust_${random.chars(alphanumerics, 24)}`),
    source_id: person.merchantId,
    name: `${person.firstName} ${person.lastName}`,
    email: person.email,
    phone: person.phone,
    birthdate: birthDay(person),
    address: hasAddress
      ? {
          line_1: person.address.line1,
          line_2: person.address.line2,
          city: person.address.city,
          state: person.address.state,
          postal_code: person.address.postalCode,
          country: 'US',
        }
      : null,
    metadata: {},
    summary: {
      redemptions: {
        // Totals count attempts: succeeded plus failed.
        total_redeemed: succeeded + failed,
        total_failed: failed,
        total_succeeded: succeeded,
        total_rolled_back: rollbackSucceeded + rollbackFailed,
        total_rollback_failed: rollbackFailed,
        total_rollback_succeeded: rollbackSucceeded,
        gift: { redeemed_amount: random.int(0, 4) * 500, amount_to_go: random.int(0, 4) * 2_500 },
        loyalty_card: { redeemed_points: random.int(0, 30) * 100, points_to_go: points },
      },
      orders: {
        total_amount: orders.totalCents,
        total_count: orders.count,
        average_amount: orders.count === 0 ? 0 : Math.round(orders.totalCents / orders.count),
        last_order_amount: orders.lastCents,
        last_order_date: orders.lastAt === null ? null : new Date(orders.lastAt).toISOString(),
      },
    },
    loyalty: { points, referred_customers: 0, campaigns },
    referrals: { total: 0, campaigns: [] },
    system_metadata: {},
    created_at: new Date(person.joinedAt).toISOString(),
    updated_at: new Date(orders.lastAt ?? person.joinedAt).toISOString(),
    // Seed 001's sample has only the old cockpit link; its schema documents both. No random draw,
    // so adding the links left every other value of the dataset as it was.
    assets: preferenceCenterLinks(person, rich),
    object: 'customer',
  };
}

function createImprintRecord(person: Person, id: string, rich: boolean, random: SeededRandom): ImprintRecord {
  const statuses: NonNullable<ImprintRecord['statuses']> = rich
    ? { [cardPrograms.visa]: 'CLOSED', [cardPrograms.signature]: 'OPEN' }
    : {
        [random.pick([cardPrograms.visa, cardPrograms.visa, cardPrograms.business])]: random.chance(0.8)
          ? 'OPEN'
          : 'CLOSED',
      };
  const createdAt = Math.min(person.joinedAt + random.int(1, 365) * day, datasetNow);
  return {
    id,
    email: person.email,
    phone: person.phone,
    statuses,
    first_name: person.firstName,
    last_name: person.lastName,
    preferred_language: person.language,
    ssn4: person.ssn4,
    date_of_birth: { ...person.birth },
    address: {
      street_line1: person.address.line1,
      ...(person.address.line2 === null ? {} : { street_line2: person.address.line2 }),
      city: person.address.city,
      state: person.address.state,
      postal_code: person.address.postalCode,
      country: 'USA',
    },
    partner_customer_id: person.merchantId,
    metadata: {},
    created_at: new Date(createdAt).toISOString(),
    updated_at: new Date(Math.min(createdAt + random.int(0, 90) * day, datasetNow)).toISOString(),
  };
}

/** The link edge cases, each only when its customer is part of the dataset. */
function addLinkEdgeCases(members: Map<string, Member>, dataset: SandboxDataset, random: SeededRandom): void {
  const dangling = members.get(edge.danglingImprintLink.customerId)?.voucherify;
  if (dangling) dangling.metadata[imprintLinkMetadataKey] = edge.danglingImprintLink.imprintId;

  const mismatch = members.get(edge.partnerMismatch.customerId);
  if (mismatch?.voucherify) {
    const card = createImprintRecord(mismatch.person, edge.partnerMismatch.imprintId, false, random);
    card.partner_customer_id = edge.partnerMismatch.partnerCustomerId;
    dataset.imprint.set(card.id, card);
    mismatch.voucherify.metadata[imprintLinkMetadataKey] = card.id;
  }

  const unlinked = members.get(edge.unlinkedImprint.partnerCustomerId);
  if (unlinked) {
    const card = createImprintRecord(unlinked.person, edge.unlinkedImprint.imprintId, false, random);
    dataset.imprint.set(card.id, card);
  }
}

/**
 * Referrals live in Voucherify (the referee's `referrals`, the referrer's `referred_customers`) and
 * show in Gameball as the referee's `isReferred`; both sides are written together to stay consistent.
 * Referrers are customers known to both vendors.
 */
function addReferrals(members: Map<string, Member>, catalog: Catalog, random: SeededRandom): void {
  const referrers: GeneratedVoucherify[] = [];
  for (const member of members.values()) {
    const merchantId = member.person.merchantId;
    if (member.voucherify && !edgeCaseCustomers.has(merchantId) && referrers.length > 0 && random.chance(0.12)) {
      refer(member, random.pick(referrers), catalog, random);
    }
    if (member.gameball && member.voucherify) referrers.push(member.voucherify);
  }

  const rich = members.get(edge.rich);
  const richReferrer = members.get(edge.richReferrer)?.voucherify;
  if (rich && richReferrer) refer(rich, richReferrer, catalog, random);
  const unresolvable = members.get(edge.unresolvableReferrer.customerId);
  if (unresolvable) refer(unresolvable, edge.unresolvableReferrer.referrerId, catalog, random);
}

function refer(referee: Member, referrer: GeneratedVoucherify | string, catalog: Catalog, random: SeededRandom): void {
  const referrals = referee.voucherify?.referrals;
  if (!referrals) return;
  referrals.campaigns.push({
    campaign_id: catalog.referralCampaignId,
    referrer_id: typeof referrer === 'string' ? referrer : referrer.id,
    related_object_id: `r_${random.chars(hexDigits, 18)}`,
    related_object_type: 'redemption',
    date: new Date(referee.person.joinedAt + random.int(1, 59) * 60_000).toISOString(),
  });
  referrals.total = referrals.campaigns.length;
  if (referee.gameball) referee.gameball.details.isReferred = true;
  if (typeof referrer === 'string') return;
  const loyalty = referrer.loyalty;
  loyalty.referred_customers += 1;
  const campaign = (loyalty.campaigns[referralCampaignName] ??= { referred_customers: 0 });
  campaign.referred_customers = (campaign.referred_customers ?? 0) + 1;
}

function isoDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

function birthDay(person: Person): string {
  const { year, month, day: dayOfMonth } = person.birth;
  return `${year}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}
