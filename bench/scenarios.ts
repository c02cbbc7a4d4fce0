import type { VendorEndpoint } from '../src/vendors/endpoints.js';
import type { SandboxDataset } from '../src/sandbox/dataset.js';
import { SeededRandom } from '../src/sandbox/random.js';

// The three benchmark scenarios: the GraphQL operation the subgraph is sent, the JSON body the
// baseline is sent for the same data, and the fewest vendor calls that can answer it, computed
// from the sandbox's deterministic dataset. Then the capacity set's workload.

export type ScenarioId = 1 | 2 | 3;

/** A vendor endpoint as the sandbox fakes name them. */
export type Endpoint = VendorEndpoint;

export interface Minimum {
  /** Vendor calls per request. */
  total: number;
  byEndpoint: Partial<Record<Endpoint, number>>;
}

/** Who is asking: `sub` and scopes of the bearer token sent with every request of the scenario. */
export interface Asker {
  sub: string;
  scope?: string;
}

export interface Scenario {
  id: ScenarioId;
  name: string;
  /** One line for the report. */
  description: string;
  asker: Asker;
  graphql: { query: string; variables: Record<string, unknown> };
  /** POSTed as JSON to the baseline's `/scenario<id>`. */
  baseline: Record<string, unknown>;
  minimum(dataset: SandboxDataset, imprintLinkKey: string): Minimum;
}

const idOf = (n: number) => `cust_${String(n).padStart(4, '0')}`;
const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => idOf(from + index));

// ---------------------------------------------------------------------------------------------
// Scenario 1: one customer, as a customer's own app asks for its profile page.

/** The rich sandbox customer: known to all three vendors, linked to Imprint. */
export const scenario1CustomerId = 'cust_0001';

const scenario1Query = `query CustomerProfile($id: ID!) {
  customer(id: $id) {
    id
    gameballId
    gender
    location { country city }
    tags
    purchaseHistory { totalSpent { amount currencyCode } orderCount lastOrderAt }
    referral { code link }
    orderSummary { count totalAmount { amount currencyCode } lastOrderAt }
    redemptionSummary { total succeeded }
    loyaltyPoints { balance campaigns { campaignName balance } }
    cardPrograms { name status }
  }
}`;

// ---------------------------------------------------------------------------------------------
// Scenario 2: a gateway's entity fetch, 100 representations of 80 customers, public fields from
// Gameball's profile and Voucherify's summaries.

/** cust_0001 … cust_0080, edge cases included (customers only one vendor knows, or none). */
export const scenario2DistinctIds = range(1, 80);
/** In the order a gateway would send them for a list of 100 parents: every fifth one repeats. */
export const scenario2Representations = Array.from({ length: 20 }, (_, block) => [
  ...scenario2DistinctIds.slice(block * 4, block * 4 + 4),
  scenario2DistinctIds[block] ?? '',
])
  .flat()
  .map((id) => ({ __typename: 'Customer', id }));

// What a router sends a subgraph: one operation, representations as a variable.
const scenario2Query = `query($representations:[_Any!]!){_entities(representations:$representations){...on Customer{__typename id gameballId gender location{country city} purchaseHistory{totalSpent{amount currencyCode} orderCount} referral{code} orderSummary{count totalAmount{amount currencyCode}} loyaltyPoints{balance}}}}`;

// ---------------------------------------------------------------------------------------------
// Scenario 3: a support tool looks up 50 customers with personal data, coupons and card programs.

/** cust_0001 … cust_0050: includes the fallbacks (PII from Voucherify or Imprint) and broken links. */
export const scenario3Ids = range(1, 50);

const scenario3Query = `query SupportLookup($ids: [ID!]!) {
  customers(ids: $ids) {
    id
    displayName
    email
    phone
    dateOfBirth
    address { line1 line2 city region postalCode country }
    coupons { code name type value currency expiresAt }
    cardPrograms { name status }
  }
}`;

// ---------------------------------------------------------------------------------------------

/** The Voucherify record whose merchant id (`source_id`) is `id`. */
function voucherifyOf(dataset: SandboxDataset, id: string) {
  for (const record of dataset.voucherify.values()) if (record.source_id === id) return record;
  return undefined;
}

/** Whether the customer's Voucherify record names an Imprint id: then Imprint must be asked. */
function hasImprintLink(dataset: SandboxDataset, id: string, linkKey: string): boolean {
  const link = voucherifyOf(dataset, id)?.metadata?.[linkKey];
  return typeof link === 'string' && link !== '';
}

function tally(perCustomer: Endpoint[][]): Minimum {
  const byEndpoint: Partial<Record<Endpoint, number>> = {};
  let total = 0;
  for (const endpoints of perCustomer) {
    for (const endpoint of endpoints) {
      byEndpoint[endpoint] = (byEndpoint[endpoint] ?? 0) + 1;
      total += 1;
    }
  }
  return { total, byEndpoint };
}

export const scenarios: readonly Scenario[] = [
  {
    id: 1,
    name: 'one customer',
    description: `customer(id:) as the customer: public profile, Voucherify summaries and loyalty, Imprint card programs`,
    asker: { sub: scenario1CustomerId },
    graphql: { query: scenario1Query, variables: { id: scenario1CustomerId } },
    baseline: { id: scenario1CustomerId },
    // Gameball's public profile and Voucherify, then Imprint through Voucherify's link.
    minimum: (dataset, linkKey) =>
      tally([
        [
          'gameball.profile',
          'voucherify.customer',
          ...(hasImprintLink(dataset, scenario1CustomerId, linkKey) ? (['imprint.customer'] as const) : []),
        ],
      ]),
  },
  {
    id: 2,
    name: '_entities ×100',
    description: '_entities with 100 representations of 80 customers, public Gameball and Voucherify fields',
    // A signed-in shopper's token, forwarded by the gateway; every field asked is public.
    asker: { sub: 'cust_0299' },
    graphql: { query: scenario2Query, variables: { representations: scenario2Representations } },
    baseline: { representations: scenario2Representations },
    // Each vendor must be asked about each distinct customer once: only the answer tells who knows it.
    minimum: () => tally(scenario2DistinctIds.map(() => ['gameball.profile', 'voucherify.customer'])),
  },
  {
    id: 3,
    name: 'customers ×50',
    description: 'customers(ids:) with 50 ids: personal data, coupons and card programs, scope pii:read coupons:read',
    asker: { sub: 'support-agent-7', scope: 'pii:read coupons:read' },
    graphql: { query: scenario3Query, variables: { ids: scenario3Ids } },
    baseline: { ids: scenario3Ids },
    // Details and coupons from Gameball, Voucherify (address, fallbacks, the Imprint link), and
    // Imprint for every customer whose Voucherify record links to it.
    minimum: (dataset, linkKey) =>
      tally(
        [...new Set(scenario3Ids)].map((id) => [
          'gameball.details',
          'gameball.coupons',
          'voucherify.customer',
          ...(hasImprintLink(dataset, id, linkKey) ? (['imprint.customer'] as const) : []),
        ]),
      ),
  },
];

// ---------------------------------------------------------------------------------------------
// The capacity set (issue 11): anonymous callers asking for public fields, of every sandbox
// customer, the popular ones far more often, partly as a router's entity batches.

export const capacityMix = {
  /** cust_0001 … cust_0300, whether a vendor knows them or not, as callers would ask. */
  customers: range(1, 300),
  /** Popularity: the customer of rank r is asked for in proportion to 1 / r^s. */
  zipfExponent: 1,
  /** The share of requests that are `_entities` batches rather than one `customer(id:)`. */
  entitiesShare: 0.2,
  /** Representations per batch, each drawn by popularity (a batch may repeat a customer). */
  batchSize: 10,
} as const;

/** What a public lookup of one customer costs when nothing is cached. */
export const capacityEndpointsPerCustomer: readonly Endpoint[] = ['gameball.profile', 'voucherify.customer'];

// Public fields only (what any caller may see, so what a shared cache may hold): Gameball's profile
// and Voucherify's summaries, no Imprint.
const publicFields =
  'id gameballId gender location{country city} purchaseHistory{totalSpent{amount currencyCode} orderCount} ' +
  'referral{code link} orderSummary{count totalAmount{amount currencyCode}} redemptionSummary{total succeeded} loyaltyPoints{balance}';
const capacityLookupQuery = `query PublicProfile($id:ID!){customer(id:$id){${publicFields}}}`;
const capacityEntitiesQuery = `query($representations:[_Any!]!){_entities(representations:$representations){...on Customer{${publicFields}}}}`;

export interface CapacityWorkload {
  /** A request body (JSON), drawn at random: one lookup, or an `_entities` batch. */
  next: () => string;
  /** The body of one lookup of `id`. */
  lookup: (id: string) => string;
  /** Vendor calls per request expected over the mix with nothing cached, per endpoint (exact, from the weights). */
  uncachedCallsPerRequest: Partial<Record<Endpoint, number>>;
}

export function capacityWorkload(seed = 11): CapacityWorkload {
  const { customers, zipfExponent, entitiesShare, batchSize } = capacityMix;
  const random = new SeededRandom(seed);
  // Ranks over a seeded shuffle, so the most asked-for are not simply the edge cases at cust_0001….
  const ranked = [...customers];
  for (let index = ranked.length - 1; index > 0; index -= 1) {
    const other = random.int(0, index);
    [ranked[index], ranked[other]] = [ranked[other] ?? '', ranked[index] ?? ''];
  }
  const weights = ranked.map((_, rank) => 1 / (rank + 1) ** zipfExponent);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const probabilities = weights.map((weight) => weight / total);
  const cumulative: number[] = [];
  probabilities.reduce((sum, probability) => (cumulative.push(sum + probability), sum + probability), 0);
  const draw = (): string => {
    const point = random.next();
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((cumulative[middle] ?? 1) < point) low = middle + 1;
      else high = middle;
    }
    return ranked[low] ?? '';
  };
  const lookups = new Map(
    customers.map((id) => [id, JSON.stringify({ query: capacityLookupQuery, variables: { id } })]),
  );
  const lookup = (id: string) => lookups.get(id) ?? JSON.stringify({ query: capacityLookupQuery, variables: { id } });
  const batch = () =>
    JSON.stringify({
      query: capacityEntitiesQuery,
      variables: { representations: Array.from({ length: batchSize }, () => ({ __typename: 'Customer', id: draw() })) },
    });
  // A batch asks each vendor once per distinct customer: E[distinct of k draws] = Σ 1 − (1 − p)^k.
  const distinctPerBatch = probabilities.reduce((sum, probability) => sum + 1 - (1 - probability) ** batchSize, 0);
  const customersPerRequest = 1 - entitiesShare + entitiesShare * distinctPerBatch;
  return {
    next: () => (random.chance(entitiesShare) ? batch() : lookup(draw())),
    lookup,
    uncachedCallsPerRequest: Object.fromEntries(
      capacityEndpointsPerCustomer.map((endpoint) => [endpoint, customersPerRequest]),
    ),
  };
}
