import type { GraphQLResolveInfo } from 'graphql';
import type { GameballProfile, GameballSharedProfile, UpsertCustomerRequest } from '../vendors/gameball/payloads.js';
import type { ImprintCustomer } from '../vendors/imprint/payloads.js';
import type { VoucherifyCustomer, VoucherifyCustomerSummary } from '../vendors/voucherify/payloads.js';
import type { VendorCache } from '../cache/vendorCache.js';
import type { Loaders, VendorClients } from '../vendors/clients.js';
import type { RequestScope } from '../vendors/http.js';
import { allows, forbidden, imprintKeyRule, mayEverPass, mayRead } from '../auth/rules.js';
import type { Caller } from '../auth/caller.js';
import { budgetKeys, type CustomerBudget } from './budget.js';
import { customerFieldsOf, type Source } from './selection.js';

/**
 * What every Customer resolver starts from: the merchant's id, the Imprint id when the customer
 * was reached through Imprint, and which Gameball endpoint serves its profile in this request.
 */
export interface CustomerRef {
  readonly id: string;
  readonly imprintId: string | null;
  /** `details` when the caller reads personal data anyway: one call then serves both. */
  readonly profileVia: 'public' | 'details';
  /** `full` when the caller reads personal data of Voucherify's record anyway: one call serves both. */
  readonly promotionsVia: 'public' | 'full';
  /** Gameball's id when a write just returned it: no profile read for it then. */
  readonly gameballId?: number;
}

type Selection = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>;

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

  private refTo(id: string, needs: ReadonlySet<Source>): CustomerRef {
    return {
      id,
      imprintId: null,
      profileVia: needs.has('gameball.details') ? 'details' : 'public',
      // Imprint is found through the link in Voucherify's metadata, which only the full record has.
      promotionsVia: needs.has('voucherify') || needs.has('imprint') ? 'full' : 'public',
    };
  }

  /** The endpoints behind the selected fields this caller may read for this customer. */
  private sourcesFor(id: string, selection: Selection): ReadonlySet<Source> {
    const needs = new Set<Source>();
    for (const use of customerFieldsOf(selection)) {
      if (mayRead(this.caller, use.type, use.field, id)) needs.add(use.source);
    }
    return needs;
  }

  /** Gameball's profile fields: from the public profile, or the details when the request reads those anyway. */
  profile(ref: CustomerRef): Promise<GameballSharedProfile | null> {
    return ref.profileVia === 'details' ? this.details(ref) : this.publicProfile(ref);
  }

  /** Gameball's public profile itself, for what only it serves (`isReferred`, which the details lack). */
  publicProfile(ref: CustomerRef): Promise<GameballProfile | null> {
    return this.loaders.gameball.profile.load(ref.id);
  }

  details(ref: CustomerRef) {
    return this.loaders.gameball.details.load(ref.id);
  }

  coupons(ref: CustomerRef) {
    return this.loaders.gameball.coupons.load(ref.id);
  }

  redemptionHash(ref: CustomerRef) {
    return this.loaders.gameball.redemptionHash.load(ref.id);
  }

  // Voucherify's endpoint answers to its own ids and to merchant (source) ids alike, so each
  // lookup checks which one matched: a Voucherify id passed as a merchant id must not return
  // another person's record. (A merchant id equal to some other customer's Voucherify id would
  // hide its own record behind that one; Voucherify ids are random 24-character strings.)

  /** The public part of the customer's Voucherify record (cached), or the whole when the request reads it anyway. */
  async promotionSummary(ref: CustomerRef): Promise<VoucherifyCustomerSummary | null> {
    if (ref.promotionsVia === 'full') return this.promotions(ref);
    const summary = await this.loaders.voucherify.summary.load(ref.id);
    return summary?.source_id === ref.id ? summary : null;
  }

  /** The customer's whole Voucherify record, personal data included, by merchant id. */
  async promotions(ref: CustomerRef): Promise<VoucherifyCustomer | null> {
    const record = await this.loaders.voucherify.customer.load(ref.id);
    return record?.source_id === ref.id ? record : null;
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
  async cardHolder(ref: CustomerRef): Promise<ImprintCustomer | null> {
    const imprintId = ref.imprintId ?? (await this.imprintLink(ref));
    if (!imprintId) return null;
    const record = await this.loaders.imprint.customer.load(imprintId);
    if (!record || (record.partner_customer_id !== undefined && record.partner_customer_id !== ref.id)) return null;
    return record;
  }

  private async imprintLink(ref: CustomerRef): Promise<string | null> {
    const link = (await this.promotions(ref))?.metadata?.[this.imprintLinkKey];
    return typeof link === 'string' && link !== '' ? link : null;
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
    for (const loader of [gameball.profile, gameball.details, gameball.coupons, gameball.redemptionHash]) {
      loader.clear(id);
    }
    await this.vendors.cache?.evict('gameball.profile', id);
  }

  /** The id-keyed lookups that can tell whether a vendor knows the customer. */
  private existenceProbes(ref: CustomerRef, needs: ReadonlySet<Source>) {
    const probes: { name: string; load: () => Promise<unknown> }[] = [];
    const gameball = (source: Source, load: () => Promise<unknown>) => {
      if (needs.has(source)) probes.push({ name: source, load });
    };
    gameball('gameball.profile', () => this.profile(ref));
    gameball('gameball.details', () => this.details(ref));
    gameball('gameball.coupons', () => this.coupons(ref));
    gameball('gameball.redemptionHash', () => this.redemptionHash(ref));
    if (needs.has('voucherify') || needs.has('imprint'))
      probes.push({ name: 'voucherify', load: () => this.promotions(ref) });
    else if (needs.has('voucherify.public'))
      probes.push({ name: 'voucherify', load: () => this.promotionSummary(ref) });
    return probes;
  }
}

/** When no field needs a vendor, these decide whether the customer exists. */
const ALL_SOURCES: ReadonlySet<Source> = new Set<Source>(['gameball.profile', 'voucherify.public']);

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
