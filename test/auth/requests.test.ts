import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { composeServices } from '@apollo/composition';
import { Kind, parse, type ConstDirectiveNode, type DocumentNode } from 'graphql';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_JWT_SECRET } from '../../src/config.js';
import { sandboxEdgeCases } from '../../src/sandbox/dataset.js';
import { startTestSubgraph, type GraphQLResponse, type TestSubgraph } from '../support/subgraph.js';
import { signToken } from '../support/tokens.js';

// Request-level auth through the real server on 127.0.0.1: which requests are refused as a whole
// (401 UNAUTHENTICATED, nothing fetched), who `me` is, and what `_service { sdl }` publishes.
// Tokens and personal data are never printed: failures compare booleans or ids.

const customer = sandboxEdgeCases.rich;
const unknownCustomer = sandboxEdgeCases.unknown;
const audience = 'customer-subgraph';
/** Reads personal data, so an accepted request calls the vendors. */
const customerQuery = `{ customer(id: "${customer}") { id email } }`;

const bearer = async (claims: Parameters<typeof signToken>[0] = {}) => `Bearer ${await signToken(claims)}`;

/**
 * A sandbox-key bearer token with `iat` chosen (seconds from now; null leaves it out), which
 * `signToken` always sets to now. `exp` is seconds from now, an hour unless told.
 */
async function bearerIssuedAt(iat: number | null, exp = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: 'pii:read' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now + exp);
  if (iat !== null) jwt.setIssuedAt(now + iat);
  return `Bearer ${await jwt.sign(new TextEncoder().encode(SANDBOX_JWT_SECRET))}`;
}

/** The message of every refused token: it never says which check failed. */
const invalidToken = 'The bearer token is invalid or expired';

interface RawResponse {
  status: number;
  headers: Headers;
  body: Omit<GraphQLResponse, 'status'>;
}

/** POSTs to /graphql with exactly these headers (no token unless given), keeping the response headers. */
async function post(subgraph: TestSubgraph, query: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const response = await fetch(`${subgraph.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Omit<GraphQLResponse, 'status'>,
  };
}

/**
 * POSTs to /graphql with node:http, the headers given as raw name/value pairs: fetch merges a
 * repeated header into one line, this sends one line per pair (and, given pairs, no Host of its own).
 */
function postRaw(subgraph: TestSubgraph, query: string, rawHeaders: string[]): Promise<RawResponse> {
  const url = new URL('/graphql', subgraph.url);
  const body = JSON.stringify({ query });
  const framing = [
    'host',
    url.host,
    'content-type',
    'application/json',
    'content-length',
    `${Buffer.byteLength(body)}`,
  ];
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: [...framing, ...rawHeaders], agent: false, signal: AbortSignal.timeout(10_000) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, values = []] of Object.entries(res.headersDistinct)) {
            for (const value of values) headers.append(name, value);
          }
          try {
            const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<GraphQLResponse, 'status'>;
            resolve({ status: res.statusCode ?? 0, headers, body: json });
          } catch {
            reject(new Error(`a ${res.statusCode} response that is not JSON`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Refused as a whole: 401, one UNAUTHENTICATED error, no data, and no vendor was asked anything. */
function expectRefused(subgraph: TestSubgraph, response: RawResponse): void {
  expect(response.status).toBe(401);
  expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  expect(response.body).not.toHaveProperty('data');
  expect(subgraph.sandbox.calls.map((call) => call.endpoint)).toEqual([]);
}

/** Served: 200, the customer's id, and the vendors were asked. */
function expectServed(subgraph: TestSubgraph, response: RawResponse): void {
  expect(response.status).toBe(200);
  expect(response.body.errors).toBeUndefined();
  expect(response.body.data).toMatchObject({ customer: { id: customer } });
  expect(subgraph.sandbox.calls.length).toBeGreaterThan(0);
}

/** Whether a log line or response quotes the token (checked as a boolean, never printed). */
const quotes = (texts: string[], token: string) => texts.some((text) => text.includes(token));

describe('a bad bearer token', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph();
  });
  afterAll(() => subgraph.close());

  it('serves a valid token (the control for the refusals below)', async () => {
    subgraph.sandbox.resetCalls();
    expectServed(subgraph, await post(subgraph, customerQuery, { authorization: await bearer({ scope: 'pii:read' }) }));
  });

  it.each<[string, () => Promise<string>]>([
    ['an expired token', () => bearer({ sub: customer, scope: 'pii:read', expiresIn: -60 })],
    ['a token issued a minute in the future', () => bearerIssuedAt(60)],
    ['a forged token (another secret)', () => bearer({ sub: customer, scope: 'pii:read', secret: 'x'.repeat(48) })],
    [
      'a token whose payload was swapped',
      async () => {
        const [header, , signature] = (await signToken({ sub: unknownCustomer })).split('.');
        const [, payload] = (await signToken({ sub: customer, scope: 'pii:read', secret: 'y'.repeat(40) })).split('.');
        return `Bearer ${header}.${payload}.${signature}`;
      },
    ],
    ['a token that is not a JWT', () => Promise.resolve('Bearer not-a-jwt')],
    ['"Bearer" alone', () => Promise.resolve('Bearer')],
    ['another scheme (Basic)', () => Promise.resolve('Basic abc')],
    ['two tokens separated by a space', async () => `${await bearer({ scope: 'pii:read' })} ${await signToken()}`],
    [
      'two Bearer credentials',
      async () => `${await bearer({ scope: 'pii:read' })}, ${await bearer({ scope: 'pii:read' })}`,
    ],
    ['a token without the scheme', () => signToken({ scope: 'pii:read' })],
    ['the scheme glued to the token', async () => `Bearer${await signToken({ scope: 'pii:read' })}`],
    ['a token after Bearer and a colon', async () => `Bearer: ${await signToken({ scope: 'pii:read' })}`],
  ])('refuses the whole request for %s with 401 UNAUTHENTICATED', async (_, authorization) => {
    subgraph.sandbox.resetCalls();
    const header = await authorization();
    const response = await post(subgraph, customerQuery, { authorization: header });
    expectRefused(subgraph, response);
    // Any JWT-looking part of the header (a scheme or a short word says nothing).
    const secrets = header.split(/[\s,]+/).filter((part) => part.length >= 20);
    const texts = [JSON.stringify(response.body), ...subgraph.logs];
    expect(
      secrets.some((part) => quotes(texts, part)),
      'the token was echoed or logged',
    ).toBe(false);
  });

  it('refuses a token issued in the future with the message of any invalid token', async () => {
    subgraph.sandbox.resetCalls();
    const expired = await post(subgraph, customerQuery, { authorization: await bearerIssuedAt(-7200, -3600) });
    const future = await post(subgraph, customerQuery, { authorization: await bearerIssuedAt(600) });
    expectRefused(subgraph, future);
    expect(future.body.errors?.map((error) => error.message)).toEqual([invalidToken]);
    expect(future.body).toEqual(expired.body);
  });

  it('serves a token without iat and one issued a year ago that has not expired', async () => {
    for (const authorization of [await bearerIssuedAt(null), await bearerIssuedAt(-365 * 86_400)]) {
      subgraph.sandbox.resetCalls();
      expectServed(subgraph, await post(subgraph, customerQuery, { authorization }));
    }
  });

  it.each([
    ['a lower-case scheme', (token: string) => `bearer ${token}`],
    ['several spaces after the scheme', (token: string) => `Bearer    ${token}`],
  ])('accepts %s', async (_, header) => {
    subgraph.sandbox.resetCalls();
    const response = await post(subgraph, customerQuery, {
      authorization: header(await signToken({ scope: 'pii:read' })),
    });
    expectServed(subgraph, response);
  });

  it('marks a refused request no-store, and a public answer public whoever asks', async () => {
    // Public answers may be kept by routers only while the subgraph caches them too.
    const cached = await startTestSubgraph({ env: { CACHE: 'on' } });
    const served = await post(cached, '{ __typename }', { authorization: await bearer() });
    const anonymous = await post(cached, '{ __typename }');
    const refused = await post(cached, '{ __typename }', { authorization: 'Bearer not-a-jwt' });
    await cached.close();
    expect([served.status, anonymous.status, refused.status]).toEqual([200, 200, 401]);
    expect([served, anonymous, refused].map((response) => response.headers.get('cache-control'))).toEqual([
      'public, max-age=15',
      'public, max-age=15',
      'no-store',
    ]);
  });
});

describe('AUTH_AUDIENCE', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph({ env: { AUTH_AUDIENCE: audience, AUTH_ISSUER: 'https://id.example.com/' } });
  });
  afterAll(() => subgraph.close());

  const issuer = 'https://id.example.com/';

  it('serves a token for the audience from the issuer', async () => {
    subgraph.sandbox.resetCalls();
    expectServed(
      subgraph,
      await post(subgraph, customerQuery, { authorization: await bearer({ scope: 'pii:read', audience, issuer }) }),
    );
  });

  it.each<[string, Parameters<typeof signToken>[0]]>([
    ['another audience', { audience: 'orders-subgraph', issuer }],
    ['no audience', { issuer }],
    ['another issuer', { audience, issuer: 'https://evil.example.com/' }],
  ])('refuses a token for %s with 401', async (_, claims) => {
    subgraph.sandbox.resetCalls();
    const response = await post(subgraph, customerQuery, {
      authorization: await bearer({ scope: 'pii:read', ...claims }),
    });
    expectRefused(subgraph, response);
  });
});

describe('AUTH_MAX_TOKEN_AGE_SECONDS', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph({ env: { AUTH_MAX_TOKEN_AGE_SECONDS: '600' } });
  });
  afterAll(() => subgraph.close());

  const century = 100 * 365 * 86_400;

  it('serves a token issued within the max age', async () => {
    subgraph.sandbox.resetCalls();
    expectServed(subgraph, await post(subgraph, customerQuery, { authorization: await bearerIssuedAt(-60, century) }));
  });

  it.each<[string, () => Promise<string>]>([
    ['issued an hour ago, though it expires in a century', () => bearerIssuedAt(-3600, century)],
    ['without iat', () => bearerIssuedAt(null)],
    ['issued a minute in the future', () => bearerIssuedAt(60)],
  ])('refuses a token %s with 401 and the message of any invalid token', async (_, authorization) => {
    subgraph.sandbox.resetCalls();
    const response = await post(subgraph, customerQuery, { authorization: await authorization() });
    expectRefused(subgraph, response);
    expect(response.body.errors?.map((error) => error.message)).toEqual([invalidToken]);
  });
});

describe('AUTH_REQUIRED=true', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph({ env: { AUTH_REQUIRED: 'true' } });
  });
  afterAll(() => subgraph.close());

  it('refuses an anonymous caller with 401', async () => {
    subgraph.sandbox.resetCalls();
    expectRefused(subgraph, await post(subgraph, customerQuery));
  });

  it('serves a caller with a valid token', async () => {
    subgraph.sandbox.resetCalls();
    expectServed(subgraph, await post(subgraph, customerQuery, { authorization: await bearer({ scope: 'pii:read' }) }));
  });

  it('still refuses a bad token with 401', async () => {
    subgraph.sandbox.resetCalls();
    expectRefused(subgraph, await post(subgraph, customerQuery, { authorization: 'Bearer not-a-jwt' }));
  });
});

describe('AUTH_REQUIRED=false (the default)', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph();
  });
  afterAll(() => subgraph.close());

  it('serves an anonymous caller, with personal data forbidden', async () => {
    const response = await post(subgraph, customerQuery);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ customer: { id: customer, email: null } });
    expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
  });
});

describe('ROUTER_SECRET', () => {
  const routerSecret = 'router-secret-for-the-gateway-only';
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph({ env: { ROUTER_SECRET: routerSecret } });
  });
  afterAll(() => subgraph.close());

  it.each<[string, Record<string, string>]>([
    ['no router header', {}],
    ['a wrong router header', { 'router-authorization': 'not-the-router-secret' }],
    ['the secret with a suffix', { 'router-authorization': `${routerSecret}x` }],
    ['the secret as a prefix', { 'router-authorization': routerSecret.slice(0, -1) }],
    ['the secret in the authorization header', { authorization: routerSecret }],
  ])('refuses a request with a valid token but %s with 401', async (_, headers) => {
    subgraph.sandbox.resetCalls();
    const response = await post(subgraph, customerQuery, {
      authorization: await bearer({ scope: 'pii:read' }),
      ...headers,
    });
    expectRefused(subgraph, response);
  });

  it('refuses an anonymous request without the router header', async () => {
    subgraph.sandbox.resetCalls();
    expectRefused(subgraph, await post(subgraph, customerQuery));
  });

  it('serves a request with the router header and a valid token', async () => {
    subgraph.sandbox.resetCalls();
    const response = await post(subgraph, customerQuery, {
      authorization: await bearer({ scope: 'pii:read' }),
      'router-authorization': routerSecret,
    });
    expectServed(subgraph, response);
    expect(response.body.data).toMatchObject({ customer: { email: expect.any(String) as unknown } });
  });

  it('serves an anonymous client call with the router header (as anonymous)', async () => {
    const response = await post(subgraph, customerQuery, { 'router-authorization': routerSecret });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ customer: { id: customer, email: null } });
    expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('still refuses a bad token with the router header', async () => {
    subgraph.sandbox.resetCalls();
    const response = await post(subgraph, customerQuery, {
      authorization: 'Bearer not-a-jwt',
      'router-authorization': routerSecret,
    });
    expectRefused(subgraph, response);
  });

  describe('a repeated Authorization or router-authorization header', () => {
    it('serves one of each, sent the same way (the control for the refusals below)', async () => {
      subgraph.sandbox.resetCalls();
      const headers = ['Authorization', await bearer({ scope: 'pii:read' }), 'router-authorization', routerSecret];
      expectServed(subgraph, await postRaw(subgraph, customerQuery, headers));
    });

    it.each<[string, string, () => Promise<string[]>]>([
      [
        'two Authorization lines with the same valid token',
        'authorization',
        async () => {
          const authorization = await bearer({ scope: 'pii:read' });
          return ['Authorization', authorization, 'Authorization', authorization];
        },
      ],
      [
        'a valid token, then a bad one, in differently cased names',
        'authorization',
        async () => ['Authorization', await bearer({ scope: 'pii:read' }), 'authorization', 'Bearer not-a-jwt'],
      ],
      [
        'an empty Authorization line after a valid one',
        'authorization',
        async () => ['Authorization', await bearer({ scope: 'pii:read' }), 'Authorization', ''],
      ],
      [
        'two router-authorization lines with the secret',
        'router-authorization',
        async () => [
          'Authorization',
          await bearer({ scope: 'pii:read' }),
          'router-authorization',
          routerSecret,
          'Router-Authorization',
          routerSecret,
        ],
      ],
    ])('refuses %s with 400 BAD_REQUEST, before any vendor call', async (_, name, makeHeaders) => {
      subgraph.sandbox.resetCalls();
      const headers = await makeHeaders();
      const response = await postRaw(subgraph, customerQuery, [
        ...headers,
        ...(name === 'authorization' ? ['router-authorization', routerSecret] : []),
      ]);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        errors: [{ message: `Only one ${name} header may be sent`, extensions: { code: 'BAD_REQUEST' } }],
      });
      expect(subgraph.sandbox.calls.map((call) => call.endpoint)).toEqual([]);
      // The header values (every other entry), split from their scheme: a token or the router secret.
      const values = headers.filter((_, index) => index % 2 === 1).flatMap((value) => value.split(/\s+/));
      const texts = [JSON.stringify(response.body), ...subgraph.logs];
      expect(
        values.filter((part) => part.length >= 20).some((part) => quotes(texts, part)),
        'a credential was echoed or logged',
      ).toBe(false);
    });
  });
});

describe('Query.me', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph();
  });
  afterAll(() => subgraph.close());

  it("is the token's customer", async () => {
    const response = await subgraph.query('{ me { id } }', {}, { authorization: await bearer({ sub: customer }) });
    expect(response).toEqual({ status: 200, data: { me: { id: customer } } });
  });

  it('is another customer for another sub', async () => {
    const other = sandboxEdgeCases.richReferrer;
    const response = await subgraph.query('{ me { id } }', {}, { authorization: await bearer({ sub: other }) });
    expect(response).toEqual({ status: 200, data: { me: { id: other } } });
  });

  it.each<[string, () => Promise<string>]>([
    ['anonymous', () => Promise.resolve('')],
    ['for a token without sub', () => bearer({ scope: 'pii:read' })],
    ['for a sub that no vendor knows', () => bearer({ sub: unknownCustomer })],
  ])('is null %s', async (_, authorization) => {
    const response = await subgraph.query('{ me { id } }', {}, { authorization: await authorization() });
    expect(response).toEqual({ status: 200, data: { me: null } });
  });
});

/** The `import:` list of the federation @link in an SDL. */
function federationImports(sdl: DocumentNode): string[] {
  const links: ConstDirectiveNode[] = sdl.definitions.flatMap((definition) =>
    definition.kind === Kind.SCHEMA_EXTENSION || definition.kind === Kind.SCHEMA_DEFINITION
      ? (definition.directives ?? []).filter((directive) => directive.name.value === 'link')
      : [],
  );
  const federation = links.find((link) =>
    link.arguments?.some(
      (arg) =>
        arg.name.value === 'url' &&
        arg.value.kind === Kind.STRING &&
        arg.value.value.startsWith('https://specs.apollo.dev/federation/'),
    ),
  );
  const imports = federation?.arguments?.find((arg) => arg.name.value === 'import')?.value;
  if (imports?.kind !== Kind.LIST) return [];
  return imports.values.flatMap((value) => (value.kind === Kind.STRING ? [value.value] : []));
}

/** Every directive name applied anywhere in an SDL document. */
function appliedDirectives(sdl: DocumentNode): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.kind === Kind.DIRECTIVE) names.add(`@${(record.name as { value: string }).value}`);
    for (const [key, value] of Object.entries(record)) if (key !== 'loc') walk(value);
  };
  walk(sdl);
  return names;
}

const ordersSdl = readFileSync(new URL('../../examples/orders/schema.graphql', import.meta.url), 'utf8');

describe.each<{ env: Record<string, string>; name: string; inSdl: boolean }>([
  { env: {}, name: 'by default', inSdl: true },
  { env: { AUTH_DIRECTIVES_IN_SDL: 'true' }, name: 'with AUTH_DIRECTIVES_IN_SDL=true', inSdl: true },
  { env: { AUTH_DIRECTIVES_IN_SDL: 'false' }, name: 'with AUTH_DIRECTIVES_IN_SDL=false', inSdl: false },
])('_service { sdl } $name', ({ env, inSdl }) => {
  let subgraph: TestSubgraph;
  let sdl: string;
  beforeAll(async () => {
    subgraph = await startTestSubgraph({ env });
    const response = await subgraph.query<{ _service: { sdl: string } }>('{ _service { sdl } }');
    sdl = response.data?._service.sdl ?? '';
  });
  afterAll(() => subgraph.close());

  if (inSdl) {
    it('applies @authenticated and @requiresScopes and imports them in the @link', () => {
      const document = parse(sdl);
      expect([...appliedDirectives(document)]).toEqual(expect.arrayContaining(['@authenticated', '@requiresScopes']));
      expect(federationImports(document)).toEqual(
        expect.arrayContaining(['@key', '@authenticated', '@requiresScopes']),
      );
    });
  } else {
    it('neither applies nor imports @authenticated or @requiresScopes', () => {
      const document = parse(sdl);
      expect(federationImports(document)).toContain('@key');
      const auth = (name: string) => /authenticated|requiresScopes/.test(name);
      expect(federationImports(document).filter(auth)).toEqual([]);
      expect([...appliedDirectives(document)].filter(auth)).toEqual([]);
    });

    it('mentions neither @authenticated nor @requiresScopes anywhere, definitions included', () => {
      expect(sdl).toContain('type Customer');
      // The lines that mention them, not the whole SDL, in a failure.
      expect(sdl.split('\n').filter((line) => /authenticated|requiresScopes/.test(line))).toEqual([]);
    });
  }

  it('enforces the rules all the same: anonymous email is null with FORBIDDEN', async () => {
    const response = await subgraph.query(
      `{ customer(id: "${customer}") { id email ssnLast4 } }`,
      {},
      { authorization: '' },
    );
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ customer: { id: customer, email: null, ssnLast4: null } });
    expect(response.errors?.map((error) => [error.extensions?.code, error.path])).toEqual(
      expect.arrayContaining([
        ['FORBIDDEN', ['customer', 'email']],
        ['FORBIDDEN', ['customer', 'ssnLast4']],
      ]),
    );
  });

  it('enforces the rules all the same: a scope-only mutation is FORBIDDEN to the customer themself', async () => {
    const response = await subgraph.query(
      `mutation { deleteCustomer(id: "${customer}") { __typename } }`,
      {},
      { authorization: await bearer({ sub: customer, scope: 'pii:read coupons:read' }) },
    );
    expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(subgraph.sandbox.dataset.gameball.has(customer)).toBe(true);
  });

  it('composes with the orders subgraph', () => {
    const result = composeServices([
      { name: 'customers', url: `${subgraph.url}/graphql`, typeDefs: parse(sdl) },
      { name: 'orders', url: 'http://127.0.0.1:4002/graphql', typeDefs: parse(ordersSdl) },
    ]);
    expect(result.errors?.map((error) => error.message)).toBeUndefined();
    const supergraph = result.supergraphSdl ?? '';
    expect(supergraph).toContain('type Customer');
    expect(supergraph.includes('@authenticated')).toBe(inSdl);
    expect(supergraph.includes('@requiresScopes')).toBe(inSdl);
  });
});
