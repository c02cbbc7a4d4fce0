// The benchmark's reference, "plain Apollo Server + DataLoaders": what the stack alone costs. Apollo
// Server 5 on node:http with the subgraph's own SDL and resolvers, over per-request DataLoaders on
// plain vendor reads (bench/plainVendors.ts). None of the subgraph's auth, payload validation,
// resilience policies, query limits, lookup budgets, cache, logs or metrics. POST /graphql.
import { ApolloServer, HeaderMap } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import DataLoader from 'dataloader';
import type { Context } from '../src/context.js';
import type { Customers, SourcePayloads } from '../src/customers/customers.js';
import type { CustomerRef } from '../src/customers/ref.js';
import { customerFieldsOf } from '../src/customers/selection.js';
import { firstPresent } from '../src/resolvers/conversions.js';
import { resolvers } from '../src/resolvers/index.js';
import { loadTypeDefs } from '../src/schema.js';
import type { CustomerSource } from '../src/vendors/endpoints.js';
import { cardHolderOf, config, promotionsOf, read, serve, type Payloads } from './plainVendors.js';

/** What the resolvers of the scenarios' fields read from their context. */
interface ReferenceContext {
  customers: Pick<Customers, 'find' | 'first' | 'read'>;
  settings: Pick<Context['settings'], 'currencyCode'>;
}

/** Per request: one DataLoader per endpoint, so that each record is fetched once however many fields read it. */
function dataSource(): ReferenceContext['customers'] {
  const loader = <E extends keyof Payloads>(endpoint: E) =>
    new DataLoader<string, Payloads[E] | null>((ids) =>
      Promise.all(ids.map((id) => read(endpoint, id).catch((error: unknown) => error as Error))),
    );
  const gameball = {
    profile: loader('gameball.profile'),
    details: loader('gameball.details'),
    coupons: loader('gameball.coupons'),
    hash: loader('gameball.hash'),
  };
  const voucherify = loader('voucherify.customer');
  const imprint = loader('imprint.customer');
  const promotions = (ref: CustomerRef) => promotionsOf(ref.id, (id) => voucherify.load(id));
  const readers: { [S in CustomerSource]: (ref: CustomerRef) => Promise<SourcePayloads[S] | null> } = {
    'gameball.profile': (ref) => gameball.profile.load(ref.id),
    'gameball.details': (ref) => gameball.details.load(ref.id),
    'gameball.coupons': async (ref) => (await gameball.coupons.load(ref.id))?.coupons ?? null,
    'gameball.hash': async (ref) => (await gameball.hash.load(ref.id))?.hash ?? null,
    'voucherify.summary': promotions,
    'voucherify.customer': promotions,
    'imprint.customer': async (ref) => cardHolderOf(ref.id, await promotions(ref), (id) => imprint.load(id)),
  };
  return {
    read: (ref, source) => readers[source](ref),
    /** The customer when a vendor the selected fields read knows it (Gameball's profile or Voucherify for `id` alone). */
    async find(id, selection) {
      const ref: CustomerRef = { id, imprintId: null, profileVia: 'public', promotionsVia: 'full' };
      // Imprint is reached through Voucherify's record, which answers for it.
      const probes = new Set(
        customerFieldsOf(selection).map(({ source }): CustomerSource =>
          source.startsWith('gameball.') ? source : 'voucherify.customer',
        ),
      );
      if (probes.size === 0) probes.add('gameball.profile').add('voucherify.customer');
      const found = await Promise.all([...probes].map((source) => readers[source](ref)));
      return found.some((record) => record !== null) ? ref : null;
    },
    /** The field's first non-empty value over its declared sources, in order (src/customers/fields.ts). */
    first: (ref, spec, picks) =>
      firstPresent(
        ...spec.from.map((source) => async () => {
          const payload = await readers[source](ref);
          return payload === null ? null : picks[source](payload, ref);
        }),
      ),
  };
}

const apollo = new ApolloServer<ReferenceContext>({
  // @apollo/subgraph types resolvers loosely; src/resolvers' generated types check them.
  schema: buildSubgraphSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never }),
  // bench/processes.ts's serveChild owns shutdown.
  stopOnTerminationSignals: false,
});
await apollo.start();

await serve(async (request, body, response) => {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method ?? 'POST', headers, search: '', body },
    context: () => Promise.resolve({ customers: dataSource(), settings: { currencyCode: config.currencyCode } }),
  });
  response.statusCode = result.status ?? 200;
  for (const [name, value] of result.headers) response.setHeader(name, value);
  if (result.body.kind === 'complete') return void response.end(result.body.string);
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
});
