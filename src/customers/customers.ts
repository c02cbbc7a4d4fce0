import type {
  GameballCoupon,
  GameballDetails,
  GameballSharedProfile,
  UpsertCustomerRequest,
} from '../vendors/gameball/payloads.js';
import type { ImprintCustomer } from '../vendors/imprint/payloads.js';
import type { VoucherifyCustomer, VoucherifyCustomerSummary } from '../vendors/voucherify/payloads.js';
import type { VendorCache } from '../cache/vendorCache.js';
import type { Loaders, VendorClients } from '../vendors/clients.js';
import type { CustomerSource } from '../vendors/endpoints.js';
import type { RequestScope } from '../vendors/http.js';
import { allows, forbidden, imprintKeyRule, mayEverPass, mayRead } from '../auth/rules.js';
import type { Caller } from '../auth/caller.js';
import { firstPresent } from '../resolvers/conversions.js';
import { budgetKeys, type CustomerBudget } from './budget.js';
import type { CustomerRef } from './ref.js';
import { customerFieldsOf, type Selection } from './selection.js';

export type { CustomerRef };

/** What each source gives for a customer. */
export interface SourcePayloads {
  'gameball.profile': GameballSharedProfile;
  'gameball.details': GameballDetails;
  'gameball.coupons': GameballCoupon[];
  'gameball.hash': string;
  'voucherify.summary': VoucherifyCustomerSummary;
  'voucherify.customer': VoucherifyCustomer;
  'imprint.customer': ImprintCustomer;
}

/** For each declared source of a field, how its payload gives the field's value. */
export type Picks<S extends CustomerSource, T> = {
  readonly [K in S]: (payload: SourcePayloads[K], ref: CustomerRef) => T | null | undefined;
};

/**
 * Per-request access to customers across the three vendors, over the request's loaders. Resolvers
 * ask it for a customer's data; it knows which vendor holds what and how the records are linked,
 * and asks a vendor only for data the caller may see.
 */
export class Customers {
  constructor(
    private readonly caller: Caller,
    private readonly loaders: Loaders,
    private readonly vendors: { readonly clients: VendorClients; readonly cache: VendorCache | null },
    private readonly scope: RequestScope,
    private readonly budget: CustomerBudget,
    private readonly imprintLinkKey: string,
  ) {}

  /**
   * The customer with this merchant id, or null when no vendor knows it. The vendors the
   * selection needs are asked first; the others only when none of those knows the customer.
   */
  async find(id: string, selection: Selection): Promise<CustomerRef | null> {
    this.budget.touch(budgetKeys.merchant(id));
    const needs = this.sourcesFor(id, selection);
    const ref = this.refTo(id, needs);
    const asked = this.existenceProbes(ref, needs);
    if (await firstFound(asked.map((probe) => probe.load()))) return ref;
    const rest = this.existenceProbes(ref, ALL_SOURCES).filter((probe) => !asked.some((a) => a.name === probe.name));
    const all = [...asked, ...rest];
    if (await firstFound(rest.map((probe) => probe.load()))) return ref;
    // Nobody said yes. If somebody failed, saying "unknown" could hide an outage: report it.
    await Promise.all(all.map((probe) => probe.load()));
    return null;
  }

  /**
   * The customer linked to this Imprint id, or null when Imprint does not know it. Only for callers
   * the Imprint key rule lets through: a caller who could never pass is refused before Imprint is
   * asked, and one who is not the card holder is refused whether or not the record exists, so the
   * answer tells them nothing about it.
   */
  async findByImprintId(imprintId: string, selection: Selection): Promise<CustomerRef | null> {
    if (!mayEverPass(imprintKeyRule, this.caller)) throw forbidden('a Customer by imprintId');
    this.budget.touch(budgetKeys.imprint(imprintId));
    const cardHolder = await this.loaders.imprint.customer.load(imprintId);
    const id = cardHolder?.partner_customer_id ?? null;
    if (!allows(imprintKeyRule, this.caller, id)) throw forbidden('a Customer by imprintId');
    if (!id) return null;
    return { ...this.known(id, selection), imprintId };
  }

  /**
   * A customer already known to exist (e.g. just upserted, or a referrer Voucherify knows), with
   * Gameball's id when the write returned it.
   */
  known(id: string, selection: Selection, gameballId?: number): CustomerRef {
    const ref = this.refTo(id, this.sourcesFor(id, selection));
    return gameballId === undefined ? ref : { ...ref, gameballId };
  }

  private refTo(id: string, needs: ReadonlySet<CustomerSource>): CustomerRef {
    return {
      id,
      imprintId: null,
      profileVia: needs.has('gameball.details') ? 'details' : 'public',
      // Imprint is found through the link in Voucherify's metadata, which only the full record has.
      promotionsVia: needs.has('voucherify.customer') || needs.has('imprint.customer') ? 'full' : 'public',
    };
  }

  /** The sources behind the selected fields this caller may read for this customer. */
  private sourcesFor(id: string, selection: Selection): ReadonlySet<CustomerSource> {
    const needs = new Set<CustomerSource>();
    for (const use of customerFieldsOf(selection)) {
      if (mayRead(this.caller, use.type, use.field, id)) needs.add(use.source);
    }
    return needs;
  }

  /**
   * A field's value from the sources its declaration lists (src/customers/fields.ts), in order: the
   * first that knows the customer and has a value for it; later sources are not read.
   */
  first<S extends CustomerSource, T>(
    ref: CustomerRef,
    spec: { readonly from: readonly S[] },
    picks: Picks<S, T>,
  ): Promise<T | null> {
    return firstPresent(
      ...spec.from.map((source) => async () => {
        const payload = await this.read(ref, source);
        return payload === null ? null : picks[source](payload, ref);
      }),
    );
  }

  /** What a source gives for the customer, or null when it does not know the customer. */
  read<S extends CustomerSource>(ref: CustomerRef, source: S): Promise<SourcePayloads[S] | null> {
    return this.readers[source](ref);
  }

  private readonly readers: { [S in CustomerSource]: (ref: CustomerRef) => Promise<SourcePayloads[S] | null> } = {
    'gameball.profile': (ref) => this.profile(ref),
    'gameball.details': (ref) => this.loaders.gameball.details.load(ref.id),
    'gameball.coupons': (ref) => this.loaders.gameball.coupons.load(ref.id),
    'gameball.hash': (ref) => this.loaders.gameball.hash.load(ref.id),
    'voucherify.summary': (ref) => this.promotionSummary(ref),
    'voucherify.customer': (ref) => this.promotions(ref),
    'imprint.customer': (ref) => this.cardHolder(ref),
  };

  /** Gameball's profile fields: from the public profile, or the details when the request reads those anyway. */
  private profile(ref: CustomerRef): Promise<GameballSharedProfile | null> {
    return ref.profileVia === 'details' ? this.read(ref, 'gameball.details') : this.publicProfile(ref);
  }

  /** Gameball's public profile itself, for what only it serves (`isReferred`, which the details lack). */
  publicProfile(ref: CustomerRef) {
    return this.loaders.gameball.profile.load(ref.id);
  }

  // Voucherify's endpoint answers to its own ids and to merchant (source) ids alike, so each
  // lookup checks which one matched: a Voucherify id passed as a merchant id must not return
  // another person's record. (A merchant id equal to some other customer's Voucherify id would
  // hide its own record behind that one; Voucherify ids are random 24-character strings.)

  /** The public part of the customer's Voucherify record (cached), or the whole when the request reads it anyway. */
  private async promotionSummary(ref: CustomerRef): Promise<VoucherifyCustomerSummary | null> {
    if (ref.promotionsVia === 'full') return this.promotions(ref);
    return ownPromotions(await this.loaders.voucherify.summary.load(ref.id), ref.id);
  }

  /** The customer's whole Voucherify record, personal data included, by merchant id. */
  private async promotions(ref: CustomerRef): Promise<VoucherifyCustomer | null> {
    return ownPromotions(await this.loaders.voucherify.customer.load(ref.id), ref.id);
  }

  /** A Voucherify customer by Voucherify's own id (referrers are named that way). */
  async promotionsByVoucherifyId(voucherifyId: string): Promise<VoucherifyCustomer | null> {
    this.budget.touch(budgetKeys.voucherify(voucherifyId));
    const record = await this.loaders.voucherify.customer.load(voucherifyId);
    return record?.id === voucherifyId ? record : null;
  }

  /** The Imprint id, when the customer has an Imprint record of its own. */
  async imprintId(ref: CustomerRef): Promise<string | null> {
    return ref.imprintId ?? (await this.cardHolder(ref))?.id ?? null;
  }

  /**
   * The customer's Imprint record, through the lookup that found the customer or the merchant's
   * link. A linked record that belongs to another merchant id is ignored: following it would show
   * one person's card data on another's profile.
   */
  private async cardHolder(ref: CustomerRef): Promise<ImprintCustomer | null> {
    const imprintId = ref.imprintId ?? imprintLinkOf(await this.promotions(ref), this.imprintLinkKey);
    return imprintId ? ownCardHolder(await this.loaders.imprint.customer.load(imprintId), ref.id) : null;
  }

  /**
   * Creates or updates the customer in Gameball. Its cached profile is dropped everywhere before
   * this returns (a failed write may have landed too), and so are this request's reads of it.
   */
  async upsert(customer: UpsertCustomerRequest): Promise<number | null> {
    try {
      return await this.vendors.clients.gameball.upsert(customer, this.scope);
    } finally {
      await this.forget(customer.customerId);
    }
  }

  /** Deletes the customer's Gameball profile; false when Gameball does not know it. */
  async delete(id: string): Promise<boolean> {
    try {
      return await this.vendors.clients.gameball.delete(id, this.scope);
    } finally {
      await this.forget(id);
    }
  }

  private async forget(id: string): Promise<void> {
    const { gameball } = this.loaders;
    for (const loader of [gameball.profile, gameball.details, gameball.coupons, gameball.hash]) {
      loader.clear(id);
    }
    await this.vendors.cache?.evict('gameball.profile', id);
  }

  /**
   * The lookups that can tell whether a vendor knows the customer: one per source needed. Imprint
   * is not keyed by merchant id; it is reached through Voucherify's record, which answers for it.
   * Both Voucherify sources are the one call: one probe, named by the vendor.
   */
  private existenceProbes(ref: CustomerRef, needs: Iterable<CustomerSource>) {
    const probes = new Map<string, () => Promise<unknown>>();
    for (const need of needs) {
      const source = need === 'imprint.customer' ? 'voucherify.customer' : need;
      const name = source.startsWith('voucherify.') ? 'voucherify' : source;
      if (!probes.has(name)) probes.set(name, () => this.read(ref, source));
    }
    return [...probes].map(([name, load]) => ({ name, load }));
  }
}

// The merchant's own records, as Customers checks them (bench/plainVendors.ts too).

/** A Voucherify record looked up by merchant id, if it is that id's (see Customers on Voucherify's ids). */
export const ownPromotions = <T extends { readonly source_id?: string | null }>(
  record: T | null,
  id: string,
): T | null => (record?.source_id === id ? record : null);

/** The Imprint id the merchant linked in its Voucherify record's metadata, under `key`. */
export function imprintLinkOf(promotions: Pick<VoucherifyCustomer, 'metadata'> | null, key: string): string | null {
  const link = promotions?.metadata?.[key];
  return typeof link === 'string' && link !== '' ? link : null;
}

/** An Imprint record, unless it belongs to another merchant id than `id`. */
export const ownCardHolder = (record: ImprintCustomer | null, id: string): ImprintCustomer | null =>
  record && (record.partner_customer_id === undefined || record.partner_customer_id === id) ? record : null;

/** When no field needs a vendor, these decide whether the customer exists. */
const ALL_SOURCES: readonly CustomerSource[] = ['gameball.profile', 'voucherify.summary'];

/**
 * Resolves true as soon as one lookup finds something, false once all found nothing. Failures
 * count as "not found" here; the caller decides what to do with them.
 */
function firstFound(lookups: Promise<unknown>[]): Promise<boolean> {
  if (lookups.length === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    let pending = lookups.length;
    const settle = (found: boolean) => {
      if (found) resolve(true);
      else if (--pending === 0) resolve(false);
    };
    for (const lookup of lookups)
      lookup.then(
        (value) => settle(value != null),
        () => settle(false),
      );
  });
}
