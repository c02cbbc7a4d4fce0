// The benchmark's reference, "plain Apollo Server + DataLoaders": what the stack alone costs. An
// Apollo Server 5 subgraph (buildSubgraphSchema) on node:http with idiomatic field resolvers over
// per-request DataLoaders, one per vendor endpoint, and a schema of just the fields the scenarios
// select. No auth, no payload validation, no resilience policies, no query limits, no logs, no
// metrics. The vendor calls and the mapping are bench/vendorAccess.ts's, shared with the baseline.
//
//   POST /graphql {"query": …, "variables": …}
//
// Configured and run like bench/baseline.ts: the subgraph's variable names, HOST:PORT, prints
// `{"url": "http://…"}` once listening, exits on SIGTERM/SIGINT or when stdin closes.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import DataLoader from 'dataloader';
import { collectSubFields } from '@graphql-tools/utils';
import { isObjectType, parse, type FieldNode, type GraphQLResolveInfo } from 'graphql';
import { collectionVariables, fieldsOf } from '../src/fieldCollection.js';
import { serveChild } from './processes.js';
import {
  customerFields,
  customerRecords,
  settingsFromEnv,
  vendorEndpoints,
  type CustomerRecords,
  type Endpoints,
  type Fields,
  type PersonalRecords,
} from './vendorAccess.js';

const settings = settingsFromEnv('bench/plainApollo.ts');
const vendors = vendorEndpoints(settings);
const { profileFields, promotionFields, personalFields, cardFields, couponFields } = customerFields(
  settings.currencyCode,
);

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

  type Query {
    customer(id: ID!): Customer
    customers(ids: [ID!]!): [Customer]!
  }

  type Customer @key(fields: "id") {
    id: ID!
    gameballId: String
    gender: String
    location: Location
    tags: [String!]
    purchaseHistory: PurchaseHistory
    referral: Referral
    orderSummary: OrderSummary
    redemptionSummary: RedemptionSummary
    loyaltyPoints: LoyaltyPoints
    cardPrograms: [CardProgram!]
    displayName: String
    email: String
    phone: String
    dateOfBirth: String
    address: Address
    coupons: [Coupon!]
  }

  type Money { amount: String! currencyCode: String! }
  type Location { country: String city: String }
  type PurchaseHistory { totalSpent: Money orderCount: Int lastOrderAt: String }
  type Referral { code: String link: String }
  type OrderSummary { count: Int! totalAmount: Money! lastOrderAt: String }
  type RedemptionSummary { total: Int! succeeded: Int! }
  type LoyaltyPoints { balance: Int! campaigns: [LoyaltyCampaignBalance!]! }
  type LoyaltyCampaignBalance { campaignName: String! balance: Int! }
  type CardProgram { name: String! status: String }
  type Address { line1: String line2: String city: String region: String postalCode: String country: String }
  type Coupon { code: String! name: String type: String value: Float currency: String expiresAt: String }
`);

interface Context {
  records: CustomerRecords;
}

/** What a Customer's field resolvers start from. */
interface CustomerRef {
  id: string;
}

/** Per request: one DataLoader per endpoint, so that each record is fetched once however many fields read it. */
function dataLoaders(endpoints: Endpoints): Endpoints {
  const loader = <T>(fetch: (key: string) => Promise<T>) => {
    const dataLoader = new DataLoader<string, T>((keys) =>
      Promise.all(
        keys.map((key) =>
          fetch(key).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
        ),
      ),
    );
    return (key: string) => dataLoader.load(key);
  };
  return {
    gameballProfile: loader(endpoints.gameballProfile),
    gameballDetails: loader(endpoints.gameballDetails),
    gameballCoupons: loader(endpoints.gameballCoupons),
    voucherifyCustomer: loader(endpoints.voucherifyCustomer),
    imprintCustomer: loader(endpoints.imprintCustomer),
  };
}

// ---------------------------------------------------------------------------------------------
// Resolvers

/** The id-keyed lookups; a customer exists when one of those its selected fields read knows it. */
const lookups = {
  profile: (records: CustomerRecords, id: string) => records.profileOf(id),
  details: (records: CustomerRecords, id: string) => records.detailsOf(id),
  coupons: (records: CustomerRecords, id: string) => records.couponsOf(id),
  promotions: (records: CustomerRecords, id: string) => records.promotionsOf(id),
};
type Lookup = keyof typeof lookups;

type FieldResolver = (ref: CustomerRef, args: unknown, context: Context) => Promise<unknown>;

/** Customer field resolvers for one source record's fields, and the lookups those fields read. */
function section<Source>(
  reads: readonly Lookup[],
  load: (records: CustomerRecords, id: string) => Promise<Source>,
  fields: Fields<Source>,
): { reads: readonly Lookup[]; resolvers: Record<string, FieldResolver> } {
  const resolverOf =
    (field: (source: Source) => unknown): FieldResolver =>
    async ({ id }, _args, { records }) =>
      field(await load(records, id));
  return {
    reads,
    resolvers: Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, resolverOf(field)])),
  };
}

const sections = [
  section(['profile'], lookups.profile, profileFields),
  section(['promotions'], lookups.promotions, promotionFields),
  section(
    ['details', 'promotions'],
    async (records, id): Promise<PersonalRecords> => {
      const [details, { promotions, holder }] = await Promise.all([
        records.detailsOf(id),
        records.promotionsAndCardHolder(id),
      ]);
      return { details, promotions, holder };
    },
    personalFields,
  ),
  section(['promotions'], async (records, id) => (await records.promotionsAndCardHolder(id)).holder, cardFields),
  section(['coupons'], lookups.coupons, couponFields),
];
const readsOfField = new Map(
  sections.flatMap(({ reads, resolvers }) => Object.keys(resolvers).map((name) => [name, reads] as const)),
);
// A selection of no vendor-backed field (only `id`): the customer exists if Gameball or Voucherify knows it.
const anyVendor: readonly Lookup[] = ['profile', 'promotions'];

const readsOfSelection = new WeakMap<readonly FieldNode[], WeakMap<object, Lookup[]>>();

/**
 * The lookups the Customer fields under this root field (`customer`, `customers`, `_entities`)
 * read, collected by graphql's rules as the subgraph collects them (src/fieldCollection.ts).
 */
function readsOf(info: GraphQLResolveInfo): readonly Lookup[] {
  const byVariables = readsOfSelection.get(info.fieldNodes) ?? new WeakMap<object, Lookup[]>();
  readsOfSelection.set(info.fieldNodes, byVariables);
  let reads = byVariables.get(info.variableValues);
  if (!reads) {
    const customerType = info.schema.getType('Customer');
    if (!isObjectType(customerType)) throw new Error('the schema has no Customer type');
    const variables = collectionVariables(info.variableValues);
    const collected = collectSubFields(info.schema, info.fragments, variables, customerType, [...info.fieldNodes]);
    const found = new Set<Lookup>();
    for (const [node] of fieldsOf(collected))
      for (const read of readsOfField.get(node?.name.value ?? '') ?? []) found.add(read);
    reads = [...found];
    byVariables.set(info.variableValues, reads);
  }
  return reads.length > 0 ? reads : anyVendor;
}

/** The customer, or null when none of the vendors the query reads knows it (as the subgraph and the baseline). */
async function find(records: CustomerRecords, id: string, info: GraphQLResolveInfo): Promise<CustomerRef | null> {
  const found = await Promise.all(readsOf(info).map((read) => lookups[read](records, id)));
  return found.some((record) => record != null) ? { id } : null;
}

const resolvers = {
  Query: {
    customer: (_root: unknown, { id }: { id: string }, { records }: Context, info: GraphQLResolveInfo) =>
      find(records, id, info),
    customers: (_root: unknown, { ids }: { ids: string[] }, { records }: Context, info: GraphQLResolveInfo) =>
      Promise.all(ids.map((id) => find(records, id, info))),
  },
  Customer: {
    __resolveReference: ({ id }: CustomerRef, { records }: Context, info: GraphQLResolveInfo) =>
      find(records, id, info),
    ...Object.fromEntries(sections.flatMap(({ resolvers }) => Object.entries(resolvers))),
  },
};

// ---------------------------------------------------------------------------------------------
// Server

const quiet = () => undefined;
const apollo = new ApolloServer<Context>({
  schema: buildSubgraphSchema([{ typeDefs, resolvers }]),
  // Silent: stdout carries the `{"url"}` line the benchmark reads (Apollo would announce inline tracing there).
  logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  // serveChild owns shutdown.
  stopOnTerminationSignals: false,
});
await apollo.start();

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'POST' || request.url !== '/graphql') {
    request.resume();
    response.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: 'POST',
      headers,
      search: '',
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
    },
    context: () => Promise.resolve({ records: customerRecords(dataLoaders(vendors), settings.imprintLinkKey) }),
  });
  response.statusCode = result.status ?? 200;
  for (const [name, value] of result.headers) response.setHeader(name, value);
  if (result.body.kind === 'complete') {
    response.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    if (response.headersSent) return response.destroy();
    response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
  });
});

await serveChild(server, settings.host, settings.port, () => vendors.close());
