import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { components } from '../generated/gameball.js';
import type { VendorSettings } from '../vendors/settings.js';
import {
  gameballDate,
  redemptionHash,
  referralLinkOf,
  type GameballAttributesRecord,
  type GameballRecord,
  type SandboxDataset,
} from './dataset.js';
import { headerOf, type FakeRoute, type FakeVendor, type RouteAnswer } from './fake-server.js';
import { alphanumerics, type SeededRandom, UniqueStrings } from './random.js';

type Schemas = components['schemas'];
type Credentials = Pick<VendorSettings['gameball'], 'apiKey' | 'secretKey'>;

// The upsert body as documented (seed 004); keys it does not list are ignored, as zod strips them.
const upsertAttributes = z.object({
  displayName: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  email: z.string().optional(),
  gender: z.string().optional(),
  mobile: z.string().optional(),
  dateOfBirth: z.string().optional(),
  joinDate: z.string().optional(),
  country: z.string().optional(),
  city: z.string().optional(),
  zip: z.string().optional(),
  preferredLanguage: z.string().optional(),
  tags: z.array(z.string()).optional(),
  source: z.string().optional(),
  utms: z.array(z.unknown()).optional(),
  devices: z.array(z.unknown()).optional(),
  paymentMethods: z.array(z.string()).optional(),
  totalSpent: z.number().optional(),
  lastOrderDate: z.string().optional(),
  totalOrders: z.number().int().optional(),
  avgOrderAmount: z.number().optional(),
  channel: z.enum(['mobile', 'pos', 'web', 'callcenter']).optional(),
  custom: z.record(z.string(), z.unknown()).optional(),
}) satisfies z.ZodType<Schemas['UpsertCustomerAttributes']>;

const upsertRequest = z.object({
  customerId: z.string().min(1),
  email: z.string().optional(),
  mobile: z.string().optional(),
  deviceToken: z.string().optional(),
  osType: z.string().optional(),
  customerAttributes: upsertAttributes.optional(),
  referrerCode: z.string().optional(),
  guest: z.boolean().optional(),
}) satisfies z.ZodType<Schemas['UpsertCustomerRequest']>;

type UpsertRequest = z.infer<typeof upsertRequest>;

/**
 * Each route under the prefixes the seeds show it at, and no other: the OpenAPI pages put the
 * profile (seed 000) and the upsert (seed 004) under /api/v4.0; the prose (seed 002) puts every
 * route under /api/v4, and it is the only one that documents details, coupons, hash and delete.
 */
const v4 = '/api/v4/integrations/customers';
const v4and40 = [v4, '/api/v4.0/integrations/customers'];
const plainDate = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Gameball's customer endpoints over `dataset.gameball`. Gameball does not document its error
 * bodies; the fake sends a small `{ code, message }`, which our client never reads anyway.
 */
export function gameballFake(dataset: SandboxDataset, credentials: Credentials, random: SeededRandom): FakeVendor {
  const customers = dataset.gameball;
  const referralCodes = new UniqueStrings(
    [...customers.values()].flatMap((record) => record.details.referralCode ?? []),
  );
  let lastGameballId = Math.max(0, ...[...customers.values()].map((record) => record.details.gameballId));

  const errorBody = (status: number, message: string) => ({ code: status, message });
  const notFound: RouteAnswer = { status: 404, body: errorBody(404, 'Customer not found') };

  const refusePublic = (headers: IncomingHttpHeaders): string | null =>
    headerOf(headers, 'apikey') === credentials.apiKey ? null : 'Missing or invalid apikey header';
  // PII, coupons, the hash and deletion need the secret key as well.
  const refuseSecret = (headers: IncomingHttpHeaders): string | null =>
    refusePublic(headers) ??
    (headerOf(headers, 'secretkey') === credentials.secretKey ? null : 'Missing or invalid secretkey header');

  const serve =
    (payloadOf: (record: GameballRecord) => unknown) =>
    ({ id }: { id: string }): RouteAnswer => {
      const record = customers.get(id);
      return record ? { status: 200, body: payloadOf(record) } : notFound;
    };

  const remove = ({ id }: { id: string }): RouteAnswer => (customers.delete(id) ? { status: 200, body: {} } : notFound);

  function upsert({ body }: { body: string }): RouteAnswer {
    const json = parseJson(body);
    if (json === undefined) return { status: 400, body: errorBody(400, 'Request body is not valid JSON') };
    const parsed = upsertRequest.safeParse(json);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(body)');
      return { status: 400, body: errorBody(400, `Invalid request body: ${[...new Set(fields)].join(', ')}`) };
    }
    const request = parsed.data;
    const attributes = attributesOf(request);
    const existing = customers.get(request.customerId);
    if (existing) {
      const current = existing.details.customerAttributes;
      existing.details.customerAttributes = {
        ...current,
        ...attributes,
        ...(attributes.custom ? { custom: { ...current.custom, ...attributes.custom } } : {}),
      };
      if (request.guest !== undefined) existing.guest = request.guest;
      if (request.deviceToken !== undefined) existing.device = deviceOf(request);
      // A referral is processed on creation only (seed 004), so referrerCode is ignored here.
      return { status: 200, body: { gameballId: existing.details.gameballId } };
    }
    const referralCode = referralCodes.next(() => random.chars(alphanumerics, 14));
    lastGameballId += 1;
    const referrer =
      request.referrerCode === undefined
        ? undefined
        : [...customers.values()].find((record) => record.details.referralCode === request.referrerCode);
    customers.set(request.customerId, {
      details: {
        customerId: request.customerId,
        gameballId: lastGameballId,
        customerAttributes: { joinDate: gameballDate(new Date().toISOString().slice(0, 10)), ...attributes },
        referralCode,
        referralLink: referralLinkOf(referralCode),
        // A code that matches no customer refers nobody (undocumented: the fake ignores it).
        isReferred: referrer !== undefined,
        dynamicReferralLink: null,
      },
      coupons: [],
      hash: redemptionHash(random),
      guest: request.guest ?? false,
      ...(request.deviceToken === undefined ? {} : { device: deviceOf(request) }),
    });
    return { status: 200, body: { gameballId: lastGameballId } };
  }

  const routes: FakeRoute[] = [
    ...v4and40.flatMap((prefix): FakeRoute[] => [
      {
        endpoint: 'gameball.profile',
        method: 'GET',
        path: `${prefix}/:id`,
        refuse: refusePublic,
        answer: serve(publicProfile),
      },
      {
        endpoint: 'gameball.upsert',
        method: 'POST',
        path: prefix,
        refuse: refusePublic,
        keyOf: customerIdOf,
        answer: upsert,
      },
    ]),
    {
      endpoint: 'gameball.details',
      method: 'GET',
      path: `${v4}/:id/details`,
      refuse: refuseSecret,
      // Seed 002: the details answer has no `isReferred` (only the public profile, seed 000, has it).
      answer: serve((record) => detailsOf(record)),
    },
    {
      endpoint: 'gameball.coupons',
      method: 'GET',
      path: `${v4}/:id/coupons`,
      refuse: refuseSecret,
      answer: serve((record) => ({ coupons: record.coupons })),
    },
    {
      endpoint: 'gameball.hash',
      method: 'GET',
      path: `${v4}/:id/hash`,
      refuse: refuseSecret,
      // The hash rotates: a new one for every request.
      answer: serve((record) => {
        record.hash = redemptionHash(random);
        return { hash: record.hash };
      }),
    },
    { endpoint: 'gameball.delete', method: 'DELETE', path: `${v4}/:id`, refuse: refuseSecret, answer: remove },
    // For systems that cannot send DELETE (seed 002).
    { endpoint: 'gameball.delete', method: 'POST', path: `${v4}/:id/delete`, refuse: refuseSecret, answer: remove },
  ];
  // The quota counts customer reads (README: "100 customer GETs a second"), every GET route together.
  return { routes, errorBody, metered: (route) => route.method === 'GET' };
}

/** The details as seed 002 documents them: every field we keep but `isReferred`. */
function detailsOf(record: GameballRecord): Omit<GameballRecord['details'], 'isReferred'> {
  const details: Partial<GameballRecord['details']> = { ...record.details };
  delete details.isReferred;
  return details as Omit<GameballRecord['details'], 'isReferred'>;
}

/**
 * The public profile: the details minus PII. Built from an allowlist, so an attribute added to the
 * details later stays private until it is listed here.
 */
function publicProfile(record: GameballRecord): Schemas['CustomerResponse'] {
  const { details } = record;
  const attributes = details.customerAttributes;
  return {
    gameballId: details.gameballId,
    customerId: details.customerId,
    customerAttributes: {
      gender: attributes.gender,
      country: attributes.country,
      city: attributes.city,
      zip: attributes.zip,
      custom: attributes.custom,
      tags: attributes.tags,
      source: attributes.source,
      utMs: attributes.utMs,
      utms: attributes.utms,
      devices: attributes.devices,
      paymentMethods: attributes.paymentMethods,
      totalSpent: attributes.totalSpent,
      lastOrderDate: attributes.lastOrderDate,
      totalOrders: attributes.totalOrders,
      manualDate: attributes.manualDate,
    },
    referralCode: details.referralCode,
    referralLink: details.referralLink,
    isReferred: details.isReferred,
    dynamicReferralLink: details.dynamicReferralLink,
  };
}

/**
 * The attributes to store: the top-level email and mobile (sent for channel merging) fill in for
 * missing ones, and plain dates get the time Gameball serves them with (seed 002 sends
 * "1985-10-25" and reads back "1985-10-25T00:00:00").
 */
function attributesOf(request: UpsertRequest): GameballAttributesRecord {
  const attributes: GameballAttributesRecord = {
    ...(request.email === undefined ? {} : { email: request.email }),
    ...(request.mobile === undefined ? {} : { mobile: request.mobile }),
    ...request.customerAttributes,
  };
  for (const key of ['dateOfBirth', 'joinDate', 'lastOrderDate'] as const) {
    const value = attributes[key];
    if (value && plainDate.test(value)) attributes[key] = gameballDate(value);
  }
  return attributes;
}

function deviceOf({ deviceToken, osType }: UpsertRequest): GameballRecord['device'] {
  return { token: deviceToken ?? '', ...(osType === undefined ? {} : { osType }) };
}

/** The parsed JSON, or undefined (which JSON cannot express) when the text is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The upsert's key in the call log: its customerId, '' when the body has none. */
function customerIdOf(body: string): string {
  const json = parseJson(body);
  if (typeof json !== 'object' || json === null || !('customerId' in json)) return '';
  return typeof json.customerId === 'string' ? json.customerId : '';
}
