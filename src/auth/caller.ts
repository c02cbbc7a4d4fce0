import type { QuotaCaller } from '../vendors/quota.js';

/** Who is asking: the token's subject (a customer id for a customer's own token) and its scopes. */
export interface Caller {
  readonly subject: string | null;
  readonly scopes: ReadonlySet<string>;
}

export const anonymous: Caller = { subject: null, scopes: new Set() };

/**
 * The caller's share of the vendor quotas. Behind a gateway every request comes from the
 * gateway's address, so the token tells callers apart: one share per token subject, within one of
 * three groups that take turns, so that a crowd of one kind cannot starve the others. Tokens with
 * scopes (support tools, services), customers' own tokens (a subject, no scope), and everyone
 * without a token, who share one share: a flood of anonymous requests only competes with itself.
 */
export function quotaKeyOf(caller: Caller): QuotaCaller {
  if (caller.scopes.size > 0) return { group: 'scoped', id: caller.subject ?? '' };
  if (caller.subject !== null) return { group: 'customers', id: caller.subject };
  return { group: 'anonymous', id: '' };
}
