/** Who is asking: the token's subject (a customer id for a customer's own token) and its scopes. */
export interface Caller {
  readonly subject: string | null;
  readonly scopes: ReadonlySet<string>;
}

export const anonymous: Caller = { subject: null, scopes: new Set() };
