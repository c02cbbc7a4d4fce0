/** Who is asking: the token's subject (a customer id for a customer's own token) and its scopes. */
export interface Caller {
  readonly subject: string | null;
  readonly scopes: ReadonlySet<string>;
}

export const anonymous: Caller = { subject: null, scopes: new Set() };

/**
 * The caller's share of the vendor quotas: one per token subject, and one for every caller without
 * one together. Behind a gateway every request comes from the gateway's address, so the token is
 * what tells callers apart; a flood of anonymous requests only ever competes with itself.
 */
export function quotaKeyOf(caller: Caller): string {
  return caller.subject === null ? 'anonymous' : `sub:${caller.subject}`;
}
