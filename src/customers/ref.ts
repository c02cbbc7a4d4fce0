/**
 * What every Customer resolver starts from: the merchant's id, the Imprint id when the customer
 * was reached through Imprint, and which endpoint serves its public data in this request. A leaf
 * module, so that the access rules and the customer manager can both name it.
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
