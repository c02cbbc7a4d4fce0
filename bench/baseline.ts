// The benchmark's baseline, "the practical limit": a plain node:http handler per scenario that
// makes exactly the vendor calls the scenario's query needs, in parallel where the data allows,
// over keep-alive pools, and answers the same JSON the subgraph does. No GraphQL, no auth, no
// payload validation, no resilience policies, no logs: only the vendor calls and the mapping.
//
//   POST /scenario1 {"id": "cust_0001"}
//   POST /scenario2 {"representations": [{"__typename": "Customer", "id": "cust_0001"}, …]}
//   POST /scenario3 {"ids": ["cust_0001", …]}
//
// Configured with the subgraph's variable names (GAMEBALL_BASE_URL, …, VENDOR_MAX_CONCURRENCY),
// listens on HOST:PORT (127.0.0.1, any free port by default), prints `{"url": "http://…"}` once
// listening, and exits on SIGTERM/SIGINT or when stdin closes (the parent went away). The vendor
// calls and the mapping are bench/vendorAccess.ts's, shared with the plain Apollo reference.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { serveChild } from './processes.js';
import { customerFields, customerRecords, settingsFromEnv, vendorEndpoints, VendorFailure } from './vendorAccess.js';

const settings = settingsFromEnv('bench/baseline.ts');
const vendors = vendorEndpoints(settings);
const records = customerRecords(vendors, settings.imprintLinkKey);
const { profileFields, promotionFields, personalFields, cardFields, couponFields, purchaseTotals, orderTotals } =
  customerFields(settings.currencyCode);

/** Scenario 1: profile and Voucherify at once, Imprint after Voucherify's link. */
async function scenario1(body: { id: string }) {
  const { id } = body;
  const [profile, { promotions, holder }] = await Promise.all([
    records.profileOf(id),
    records.promotionsAndCardHolder(id),
  ]);
  if (!profile && !promotions) return { customer: null };
  return {
    customer: {
      id,
      gameballId: profileFields.gameballId(profile),
      gender: profileFields.gender(profile),
      location: profileFields.location(profile),
      tags: profileFields.tags(profile),
      purchaseHistory: profileFields.purchaseHistory(profile),
      referral: profileFields.referral(profile),
      orderSummary: promotionFields.orderSummary(promotions),
      redemptionSummary: promotionFields.redemptionSummary(promotions),
      loyaltyPoints: promotionFields.loyaltyPoints(promotions),
      cardPrograms: cardFields.cardPrograms(holder),
    },
  };
}

/** Scenario 2: per distinct customer, the public profile and Voucherify, all at once. */
async function scenario2(body: { representations: { id: string }[] }) {
  const distinct = [...new Set(body.representations.map((representation) => representation.id))];
  const entities = new Map(
    await Promise.all(
      distinct.map(async (id) => {
        const [profile, promotions] = await Promise.all([records.profileOf(id), records.promotionsOf(id)]);
        if (!profile && !promotions) return [id, null] as const;
        const attributes = profile?.customerAttributes;
        const orders = promotions?.summary?.orders;
        const entity = {
          __typename: 'Customer',
          id,
          gameballId: profileFields.gameballId(profile),
          gender: profileFields.gender(profile),
          location: profileFields.location(profile),
          // Of the summaries, the query selects the totals only: no dates, link or campaigns.
          purchaseHistory: attributes ? purchaseTotals(attributes) : null,
          referral: { code: profile?.referralCode ?? null },
          orderSummary: orders ? orderTotals(orders) : null,
          loyaltyPoints: promotions?.loyalty ? { balance: promotions.loyalty.points } : null,
        };
        return [id, entity] as const;
      }),
    ),
  );
  return { _entities: body.representations.map((representation) => entities.get(representation.id) ?? null) };
}

/** Scenario 3: per distinct customer, details, coupons and Voucherify at once, Imprint after the link. */
async function scenario3(body: { ids: string[] }) {
  const customers = new Map(
    await Promise.all(
      [...new Set(body.ids)].map(async (id) => {
        const [details, coupons, { promotions, holder }] = await Promise.all([
          records.detailsOf(id),
          records.couponsOf(id),
          records.promotionsAndCardHolder(id),
        ]);
        if (!details && !coupons && !promotions) return [id, null] as const;
        const personal = { details, promotions, holder };
        const customer = {
          id,
          displayName: personalFields.displayName(personal),
          email: personalFields.email(personal),
          phone: personalFields.phone(personal),
          dateOfBirth: personalFields.dateOfBirth(personal),
          address: personalFields.address(personal),
          coupons: couponFields.coupons(coupons),
          cardPrograms: cardFields.cardPrograms(holder),
        };
        return [id, customer] as const;
      }),
    ),
  );
  return { customers: body.ids.map((id) => customers.get(id) ?? null) };
}

const handlers: Record<string, (body: never) => Promise<unknown>> = {
  '/scenario1': scenario1,
  '/scenario2': scenario2,
  '/scenario3': scenario3,
};

function send(response: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

const server = createServer((request, response) => {
  const handler = request.method === 'POST' ? handlers[request.url ?? ''] : undefined;
  if (!handler) {
    request.resume();
    return send(response, 404, { error: 'POST /scenario1, /scenario2 or /scenario3' });
  }
  readJson(request)
    .then((body) => handler(body as never))
    .then(
      (data) => send(response, 200, { data }),
      (error: unknown) => send(response, error instanceof VendorFailure ? 502 : 500, { error: String(error) }),
    );
});

await serveChild(server, settings.host, settings.port, () => vendors.close());
