import type { CouponEntitlementsResolvers } from '../generated/graphql.js';

export const CouponEntitlements: CouponEntitlementsResolvers = {
  productIds: (coupon) => coupon.entitledProductIds ?? [],
  variantIds: (coupon) => coupon.entitledVariantIds ?? [],
  collectionIds: (coupon) => coupon.entitledCollectionIds ?? [],
  merchantIds: (coupon) => coupon.entitledMerchantIds ?? [],
  platforms: (coupon) => coupon.entitledPlatforms ?? [],
};
