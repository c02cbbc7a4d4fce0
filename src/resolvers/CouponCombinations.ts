import type { CouponCombinationsResolvers } from '../generated/graphql.js';

// Gameball leaves out a combination it does not allow.
export const CouponCombinations: CouponCombinationsResolvers = {
  orderDiscounts: (combinations) => combinations.orderDiscounts ?? false,
  productDiscounts: (combinations) => combinations.productDiscounts ?? false,
  shippingDiscounts: (combinations) => combinations.shippingDiscounts ?? false,
};
