import type { UpsertCustomerPayloadResolvers } from '../generated/graphql.js';

export const UpsertCustomerPayload: UpsertCustomerPayloadResolvers = {
  // Looked up here, not in the mutation, so the selection decides which vendors are read.
  customer: ({ customerId, gameballId }, _, { customers }, info) =>
    customerId ? customers.known(customerId, info, gameballId) : null,
  userErrors: ({ userErrors }) => userErrors,
};
