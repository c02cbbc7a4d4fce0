import type { CouponCombinationsResolvers } from '../generated/graphql.js';

// Gameball leaves out a combination it does not allow.
export const CouponCombinations: CouponCombinationsResolvers = {
  // Gameball documents no defaults: a missing flag is unknown, not false.
  orderDiscounts: (combinations) => combinations.orderDiscounts ?? null,
  productDiscounts: (combinations) => combinations.productDiscounts ?? null,
  shippingDiscounts: (combinations) => combinations.shippingDiscounts ?? null,
};
