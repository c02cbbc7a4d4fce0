import { GraphQLError } from 'graphql';

/**
 * How many distinct customers one request may touch (MAX_CUSTOMERS_PER_REQUEST): each costs vendor
 * calls, and the vendors' quotas are shared by every caller. The document's own lookups (ids,
 * `_entities` representations) are counted before execution (src/lookupLimits.ts); what only
 * execution finds (referrers) is counted as it is reached, before its vendor call.
 */
export class CustomerBudget {
  private readonly touched = new Set<string>();

  constructor(private readonly limit: number) {}

  /** Counts the customer; throws `overBudget` if it is one more than the request may touch. */
  touch(key: string): void {
    if (this.touched.has(key)) return;
    // Found during execution: this customer's fields fail, the rest of the answer stands.
    if (this.touched.size >= this.limit) throw overBudget(this.limit, this.touched.size + 1);
    this.touched.add(key);
  }

  /** Counts the customers a document names, all or none: throws when together they are over the limit. */
  reserve(keys: ReadonlySet<string>): void {
    const total = new Set([...this.touched, ...keys]).size;
    // Found before execution: the whole request is refused, as any other invalid request.
    if (total > this.limit) throw overBudget(this.limit, total, { status: 400 });
    for (const key of keys) this.touched.add(key);
  }
}

function overBudget(limit: number, requested: number, http?: { status: number }): GraphQLError {
  return new GraphQLError(
    `This request would look up more customers than MAX_CUSTOMERS_PER_REQUEST allows (${limit})`,
    {
      extensions: {
        code: 'BAD_USER_INPUT',
        budget: { name: 'MAX_CUSTOMERS_PER_REQUEST', limit, requested },
        ...(http ? { http } : {}),
      },
    },
  );
}

// One key space for the three kinds of customer id. Ids never contain `/` (src/resolvers/inputs.ts),
// so the prefixes cannot collide with a merchant id.
export const budgetKeys = {
  merchant: (id: string) => id,
  imprint: (id: string) => `imprint/${id}`,
  voucherify: (id: string) => `voucherify/${id}`,
};
