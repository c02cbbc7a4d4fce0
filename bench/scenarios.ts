import { imprintLinkOf } from '../src/customers/customers.js';
import { createDataset, imprintLinkMetadataKey } from '../src/sandbox/dataset.js';

// The three benchmark scenarios: the GraphQL operation the subgraph and the reference are sent,
// the JSON body the baseline is sent for the same data, and the fewest vendor calls that can answer
// it, computed from the sandbox's deterministic dataset.

export type ScenarioId = 1 | 2 | 3;

export interface Scenario {
  id: ScenarioId;
  name: string;
  /** `sub` and scopes of the bearer token sent with every request of the scenario. */
  asker: { sub: string; scope?: string };
  graphql: { query: string; variables: Record<string, unknown> };
  /** POSTed as JSON to the baseline's `/scenario<id>`. */
  baseline: Record<string, unknown>;
  /** The fewest vendor calls that can answer one request. */
  minimumCalls: number;
}

const idOf = (n: number) => `cust_${String(n).padStart(4, '0')}`;
/** cust_<from> … in the sandbox's spelling. */
export const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => idOf(from + index));

// Scenario 1: one customer, as a customer's own app asks for its profile page.

/** The rich sandbox customer: known to all three vendors, linked to Imprint. */
export const scenario1CustomerId = 'cust_0001';

const scenario1Query = `query CustomerProfile($id: ID!) { customer(id: $id) {
  id gameballId gender location { country city } tags
  purchaseHistory { totalSpent { amount currencyCode } orderCount lastOrderAt } referral { code link }
  orderSummary { count totalAmount { amount currencyCode } lastOrderAt } redemptionSummary { total succeeded }
  loyaltyPoints { balance campaigns { campaignName balance } } cardPrograms { name status }
} }`;

// Scenario 2: a gateway's entity fetch, 100 representations of 80 customers, public fields from
// Gameball's profile and Voucherify's summaries.

/** cust_0001 … cust_0080, edge cases included (customers only one vendor knows, or none). */
const scenario2DistinctIds = range(1, 80);
/** In the order a gateway would send them for a list of 100 parents: every fifth one repeats. */
const scenario2Representations = Array.from({ length: 20 }, (_, block) => [
  ...scenario2DistinctIds.slice(block * 4, block * 4 + 4),
  scenario2DistinctIds[block] ?? '',
])
  .flat()
  .map((id) => ({ __typename: 'Customer', id }));

// What a router sends a subgraph: one operation, representations as a variable.
const scenario2Query = `query($representations:[_Any!]!){_entities(representations:$representations){...on Customer{__typename id gameballId gender location{country city} purchaseHistory{totalSpent{amount currencyCode} orderCount} referral{code} orderSummary{count totalAmount{amount currencyCode}} loyaltyPoints{balance}}}}`;

// Scenario 3: a support tool looks up 50 customers with personal data, coupons and card programs.

/** cust_0001 … cust_0050: includes the fallbacks (PII from Voucherify or Imprint) and broken links. */
const scenario3Ids = range(1, 50);

const scenario3Query = `query SupportLookup($ids: [ID!]!) { customers(ids: $ids) {
  id displayName email phone dateOfBirth address { line1 line2 city region postalCode country }
  coupons { code name type value currency expiresAt } cardPrograms { name status }
} }`;

const dataset = createDataset();
/** Whether the customer's Voucherify record links to Imprint: then Imprint must be asked too. */
const linked = (id: string) =>
  [...dataset.voucherify.values()].some(
    (record) => record.source_id === id && imprintLinkOf(record, imprintLinkMetadataKey) !== null,
  );

export const scenarios: readonly Scenario[] = [
  {
    id: 1,
    name: 'one customer',
    asker: { sub: scenario1CustomerId },
    graphql: { query: scenario1Query, variables: { id: scenario1CustomerId } },
    baseline: { id: scenario1CustomerId },
    // Gameball's public profile and Voucherify, then Imprint through Voucherify's link.
    minimumCalls: 2 + Number(linked(scenario1CustomerId)),
  },
  {
    id: 2,
    name: '_entities ×100',
    // A signed-in shopper's token, forwarded by the gateway; every field asked is public.
    asker: { sub: 'cust_0299' },
    graphql: { query: scenario2Query, variables: { representations: scenario2Representations } },
    baseline: { representations: scenario2Representations },
    // Each vendor must be asked about each distinct customer once: only the answer tells who knows it.
    minimumCalls: 2 * scenario2DistinctIds.length,
  },
  {
    id: 3,
    name: 'customers ×50',
    asker: { sub: 'support-agent-7', scope: 'pii:read coupons:read' },
    graphql: { query: scenario3Query, variables: { ids: scenario3Ids } },
    baseline: { ids: scenario3Ids },
    // Details and coupons from Gameball, Voucherify (address, fallbacks, the Imprint link), and
    // Imprint for every customer whose Voucherify record links to it.
    minimumCalls: scenario3Ids.reduce((calls, id) => calls + 3 + Number(linked(id)), 0),
  },
];
