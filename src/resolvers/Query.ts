import type { QueryResolvers } from '../generated/graphql.js';
import { parseId } from './inputs.js';
import type { CustomerRef } from './models.js';

export const Query: QueryResolvers = {
  me: (_, __, { caller, customers }, info) => (caller.subject ? customers.find(caller.subject, info) : null),

  customer: (_, { id }, { customers }, info) => customers.find(parseId(id, ['id']), info),

  // One promise per id, so one failing customer nulls its own entry, not the list. How many ids a
  // call may list is checked before execution (src/lookupLimits.ts).
  customers: (_, { ids }, { customers }, info) => {
    const valid = ids.map((id, index) => parseId(id, ['ids', String(index)]));
    // graphql-js settles each item's promise on its own; the generated type cannot express a
    // list item whose promise may hold null.
    return valid.map((id) => customers.find(id, info)) as Promise<CustomerRef>[];
  },

  customerByImprintId: (_, { imprintId }, { customers }, info) =>
    customers.findByImprintId(parseId(imprintId, ['imprintId']), info),
};
