import type { CustomerLocationResolvers } from '../generated/graphql.js';

export const CustomerLocation: CustomerLocationResolvers = {
  country: (attributes) => attributes.country ?? null,
  city: (attributes) => attributes.city ?? null,
  postalCode: (attributes) => attributes.zip ?? null,
};
