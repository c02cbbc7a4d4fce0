import { Agent, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEdgeCases as edge } from '../../src/sandbox/dataset.js';
import { everyCustomerField } from '../support/queries.js';
import { startTestSubgraph, type GraphQLResponse, type TestSubgraph } from '../support/subgraph.js';
import { fullAccessScope, signToken } from '../support/tokens.js';
import { httpRequest } from '../support/http.js';

// Hostile and malformed requests against the real server on 127.0.0.1, in production mode unless
// said otherwise: each is refused cleanly (an HTTP 4xx, or a GraphQL error with a code; never a 5xx,
// never a stack trace), before any vendor call, and the server answers a normal query right after.
// The limits still let a gateway's `_entities` fetch through.

let production: TestSubgraph;
let development: TestSubgraph;
let productionWithIntrospection: TestSubgraph;
/** Production with small, configured limits: the limits are settings, not constants. */
let tight: TestSubgraph;
let authorization: string;

const tightLimits = { MAX_ENTITIES_PER_REQUEST: '5', MAX_CUSTOMERS_PER_QUERY: '3', MAX_REQUEST_BYTES: '4096' };

beforeAll(async () => {
  [production, development, productionWithIntrospection, tight] = await Promise.all([
    startTestSubgraph({ env: { NODE_ENV: 'production' } }),
    startTestSubgraph({ env: { NODE_ENV: 'development' } }),
    startTestSubgraph({ env: { NODE_ENV: 'production', INTROSPECTION: 'true' } }),
    startTestSubgraph({ env: { NODE_ENV: 'production', ...tightLimits } }),
  ]);
  authorization = `Bearer ${await signToken({ sub: 'support-tool', scope: fullAccessScope })}`;
});

afterAll(async () => {
  await Promise.all([production, development, productionWithIntrospection, tight].map((subgraph) => subgraph?.close()));
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
}

/**
 * A request to /graphql as sent, body and headers untouched (with a full-access token unless told),
 * on a connection of its own: whatever a hostile request does to its connection stays there.
 */
async function send(
  subgraph: TestSubgraph,
  init: { method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string>; search?: string; agent?: Agent },
): Promise<RawResponse> {
  const method = init.method ?? 'POST';
  const response = await httpRequest(`${subgraph.url}/graphql${init.search ?? ''}`, {
    method,
    headers: {
      authorization,
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.body,
    agent: init.agent,
  });
  let body: RawResponse['body'] = null;
  try {
    body = JSON.parse(response.text) as RawResponse['body'];
  } catch {
    body = null;
  }
  return { ...response, body };
}

function post(subgraph: TestSubgraph, query: string, variables?: Record<string, unknown>): Promise<RawResponse> {
  return send(subgraph, { body: JSON.stringify({ query, variables }) });
}

/** No error anywhere carries a stack trace, in its extensions or in its text. */
function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/stacktrace/i);
  expect(text).not.toMatch(/\bat .+:\d+:\d+\)?/); // a stack frame: "at fn (file.js:1:2)"
  expect(text).not.toMatch(/node_modules|\/src\//);
}

/**
 * Refused cleanly: an HTTP 4xx, or a 200 whose errors all carry a code; in both cases a JSON body
 * with errors, each with a message and a code, and no stack trace.
 */
function expectCleanRefusal(response: RawResponse, expected: { status?: number; code?: string } = {}): void {
  expect(response.status).toBeGreaterThanOrEqual(200);
  expect(response.status).toBeLessThan(500);
  if (expected.status !== undefined) expect(response.status).toBe(expected.status);
  expectNoStackTrace(response.text);
  expect(response.body?.errors?.length).toBeGreaterThan(0);
  for (const error of response.body?.errors ?? []) {
    expect(error.message).toEqual(expect.any(String));
    // The server's own refusals before GraphQL (413, unreadable JSON) say why in the message only.
    if (response.status !== 413 && !(response.status === 400 && error.message.includes('not valid JSON'))) {
      expect(error.extensions?.['code']).toEqual(expect.any(String));
    }
  }
  if (expected.code !== undefined) {
    expect(response.body?.errors?.map((error) => error.extensions?.['code'])).toContain(expected.code);
  }
}

/** A normal query answers normally. */
async function expectStillServing(subgraph: TestSubgraph): Promise<void> {
  const response = await subgraph.query<{ customer: { id: string; gender: string | null } | null }>(
    'query Normal($id: ID!) { customer(id: $id) { id gender } }',
    { id: edge.rich },
  );
  expect(response.status).toBe(200);
  expect(response.errors).toBeUndefined();
  expect(response.data?.customer?.id).toBe(edge.rich);
}

/** Sends the hostile request with the vendors' call log emptied, checks no vendor was called. */
async function withoutVendorCalls(subgraph: TestSubgraph, request: () => Promise<RawResponse>): Promise<RawResponse> {
  subgraph.sandbox.resetCalls();
  const response = await request();
  expect(subgraph.sandbox.calls).toEqual([]);
  return response;
}

function nested(levels: number): string {
  let selection = 'id';
  for (let level = 0; level < levels; level += 1) selection = `referral { received { referrer { ${selection} } } }`;
  return selection;
}

const aliases = (count: number, field: string) =>
  Array.from({ length: count }, (_, index) => `a${index}: ${field}`).join(' ');

const representations = (ids: readonly string[]) => ids.map((id) => ({ __typename: 'Customer', id }));

const entitiesQuery = (selection: string) =>
  `query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { ${selection} } } }`;

describe('the bad-input corpus is refused cleanly, and the server answers normally right after', () => {
  const cases: [string, () => Promise<RawResponse>, { status?: number; code?: string; message?: RegExp }][] = [
    [
      'nesting 20 levels deep (beyond MAX_QUERY_DEPTH)',
      () => post(production, `query Deep { customer(id: "${edge.rich}") { ${nested(20)} } }`),
      { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /depth limit of 10/i },
    ],
    [
      '40 aliased fields (beyond MAX_QUERY_ALIASES)',
      () => post(production, `query Aliased { ${aliases(40, `customer(id: "${edge.rich}") { id }`)} }`),
      { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /aliases limit of 30/i },
    ],
    [
      '100 directives (beyond MAX_QUERY_DIRECTIVES)',
      () => post(production, `query Directed { __typename ${'@include(if: true) '.repeat(100)} }`),
      { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /directives limit of 50/i },
    ],
    [
      'a body over MAX_REQUEST_BYTES (2 MB)',
      () =>
        send(production, {
          body: JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(2_000_000) } }),
        }),
      { status: 413 },
    ],
    ['malformed JSON', () => send(production, { body: '{"query": "{ __typename }"' }), { status: 400 }],
    ['a JSON body that is not an operation', () => send(production, { body: '42' }), { status: 400 }],
    ['a query that is not a string', () => send(production, { body: '{"query": {"a": 1}}' }), { status: 400 }],
    [
      '3,000 _entities representations (beyond MAX_ENTITIES_PER_REQUEST)',
      () =>
        post(production, entitiesQuery('id gender'), {
          representations: representations(Array.from({ length: 3_000 }, (_, index) => `cust_${index}`)),
        }),
      { status: 400, code: 'BAD_USER_INPUT', message: /at most 250 representations/ },
    ],
    [
      '5,000 ids in customers(ids:) (beyond MAX_CUSTOMERS_PER_QUERY)',
      () =>
        post(production, 'query Many($ids: [ID!]!) { customers(ids: $ids) { id gender } }', {
          ids: Array.from({ length: 5_000 }, (_, index) => `cust_${index}`),
        }),
      { code: 'BAD_USER_INPUT', message: /at most 100 customers/ },
    ],
    [
      'a batched HTTP request (a JSON array)',
      () => send(production, { body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]) }),
      { status: 400, code: 'BAD_REQUEST', message: /batching/i },
    ],
    [
      'a GET without a CSRF preflight header',
      () => send(production, { method: 'GET', search: `?query=${encodeURIComponent('{ __typename }')}` }),
      { status: 400, code: 'BAD_REQUEST', message: /Cross-Site Request Forgery/ },
    ],
    [
      'a POST as text/plain (a simple cross-site request)',
      () =>
        send(production, {
          body: JSON.stringify({ query: '{ __typename }' }),
          headers: { 'content-type': 'text/plain' },
        }),
      { status: 400, code: 'BAD_REQUEST', message: /Cross-Site Request Forgery/ },
    ],
    [
      'representations without a __typename',
      () => post(production, entitiesQuery('id'), { representations: [{ id: edge.rich }] }),
      {},
    ],
    [
      'a representation of an unknown type',
      () => post(production, entitiesQuery('id'), { representations: [{ __typename: 'Admin', id: edge.rich }] }),
      {},
    ],
  ];

  it.each(cases)('%s', async (_, request, expected) => {
    const response = await withoutVendorCalls(production, request);

    expectCleanRefusal(response, expected);
    if (expected.message) {
      expect(response.body?.errors?.map((error) => error.message).join('\n')).toMatch(expected.message);
    }
    await expectStillServing(production);
  });

  // Over-long documents and syntax errors stop in graphql-js's parser (MAX_QUERY_TOKENS): a 400,
  // not the 500 that Armor's own max-tokens hook caused.
  const tokenLimitCases: [string, () => Promise<RawResponse>][] = [
    [
      '5,000 aliases (beyond MAX_QUERY_TOKENS)',
      () => post(production, `query Aliased { ${aliases(5_000, '__typename')} }`),
    ],
    ['a document of 50,000 tokens', () => post(production, `query Long { ${'__typename '.repeat(50_000)} }`)],
    ['a syntax error', () => post(production, `query Broken { customer(id: "${edge.rich}") { id `)],
  ];

  it.each(tokenLimitCases)('refuses %s with a 400', async (_, request) => {
    const response = await withoutVendorCalls(production, request);

    expectCleanRefusal(response, { status: 400 });
    await expectStillServing(production);
  });

  // A representation that is not a Customer object is the caller's error, refused before
  // @apollo/subgraph's `_entities` resolver would throw on it.
  const badRepresentations: [string, unknown][] = [
    ['without a __typename', [{ id: edge.rich }]],
    ['of an unknown type', [{ __typename: 'Admin', id: edge.rich }]],
    ['given as one string', 'cust_0001'],
  ];

  it.each(badRepresentations)('refuses representations %s with BAD_USER_INPUT', async (_, value) => {
    const response = await withoutVendorCalls(production, () =>
      post(production, entitiesQuery('id'), { representations: value }),
    );

    expectCleanRefusal(response, { code: 'BAD_USER_INPUT' });
  });

  // The 413 is sent before the body is read to the end, so it closes the connection: a client that
  // reuses the socket (fetch's pool, a gateway's) opens a new one instead of waiting on a dead one.
  describe('after a 413 on a keep-alive connection', () => {
    const oversized = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(2_000_000) } });

    it('says connection: close', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const response = await send(production, { body: oversized, agent });

        expect(response.status).toBe(413);
        expect(response.headers.connection).toBe('close');
      } finally {
        agent.destroy();
      }
    });

    it('answers the next request sent on the same pool', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const refused = await send(production, { body: oversized, agent });
        expect(refused.status).toBe(413);
        // A normal request takes milliseconds; 2 s is only an upper bound on the wait.
        const next = await httpRequest(`${production.url}/health`, { agent, timeoutMs: 2_000 });
        expect(next.status).toBe(200);
      } finally {
        agent.destroy();
      }
    });
  });
});

describe('ids are validated before any vendor call', () => {
  const badIds: [string, string][] = [
    ['a slash', 'cust/0001'],
    ['a dot segment', '..'],
    ['a path with dot segments', '../../admin'],
    ['a question mark', 'cust_0001?admin=1'],
    ['a hash', 'cust_0001#x'],
    ['unicode', 'клиент-🙂'],
    ['a control character', 'cust\u00000001'],
    ['a newline', 'cust_0001\r\nx-injected: 1'],
    ['10,000 characters', 'x'.repeat(10_000)],
  ];

  it.each(badIds)('refuses an id with %s in customer, customers, _entities and deleteCustomer', async (_, id) => {
    const requests: [string, () => Promise<RawResponse>][] = [
      ['customer', () => post(production, 'query One($id: ID!) { customer(id: $id) { id gender } }', { id })],
      [
        'customers',
        () =>
          post(production, 'query Many($ids: [ID!]!) { customers(ids: $ids) { id gender } }', { ids: [edge.rich, id] }),
      ],
      ['_entities', () => post(production, entitiesQuery('id gender'), { representations: representations([id]) })],
      [
        'deleteCustomer',
        () => post(production, 'mutation Delete($id: ID!) { deleteCustomer(id: $id) { deletedCustomerId } }', { id }),
      ],
    ];
    for (const [, request] of requests) {
      const response = await withoutVendorCalls(production, request);
      expectCleanRefusal(response, { code: 'BAD_USER_INPUT' });
      // The message says what an id may be, for a developer to act on; it never echoes the id.
      const message = response.body?.errors?.[0]?.message ?? '';
      expect(message).toMatch(/must|may only|at most/);
      if (id.length > 3) expect(message).not.toContain(id);
    }
    await expectStillServing(production);
  });
});

describe('mutation inputs are validated before any vendor call', () => {
  const upsert = `mutation Upsert($input: UpsertCustomerInput!) {
    upsertCustomer(input: $input) { customer { id } userErrors { field message code } }
  }`;
  const id = 'hostile-test-new-customer';
  const cases: [string, Record<string, unknown>, string][] = [
    ['a mobile that is no phone number', { id, mobile: '0155 CALL ME' }, 'input.mobile'],
    ['an attributes mobile too short to be one', { id, attributes: { mobile: '+0123' } }, 'input.attributes.mobile'],
    ['an e-mail that is no e-mail', { id, email: 'not-an-e-mail' }, 'input.email'],
    ['an attributes e-mail that is no e-mail', { id, attributes: { email: 'a@' } }, 'input.attributes.email'],
    ['an impossible date', { id, attributes: { dateOfBirth: '2024-02-30' } }, 'input.attributes.dateOfBirth'],
    ['a date in another format', { id, attributes: { joinDate: '30/01/2024' } }, 'input.attributes.joinDate'],
    ['an unknown channel', { id, attributes: { channel: 'FAX' } }, 'input.attributes.channel'],
    [
      'customAttributes that is a list',
      { id, attributes: { customAttributes: [1, 2] } },
      'input.attributes.customAttributes',
    ],
    [
      'customAttributes that is a string',
      { id, attributes: { customAttributes: 'gold' } },
      'input.attributes.customAttributes',
    ],
    ['an id with a slash', { id: 'a/b' }, 'input.id'],
    ['tags that are not strings', { id, attributes: { tags: [{ nested: true }] } }, 'input.attributes.tags'],
  ];

  it.each(cases)('%s: BAD_USER_INPUT naming the field', async (_, input, field) => {
    const response = await withoutVendorCalls(production, () => post(production, upsert, { input }));

    expectCleanRefusal(response, { code: 'BAD_USER_INPUT' });
    expect(response.body?.errors).toHaveLength(1);
    expect(response.body?.errors?.[0]?.message).toContain(field);
    expect(production.sandbox.dataset.gameball.has(id)).toBe(false);
    await expectStillServing(production);
  });
});

describe('JSON inputs are bounded before any vendor call', () => {
  const upsert = `mutation Upsert($input: UpsertCustomerInput!) {
    upsertCustomer(input: $input) { customer { id } userErrors { field message code } }
  }`;
  const id = 'hostile-test-json-customer';
  /** An upsert whose customAttributes is the JSON text given, written out: too deep for JSON.stringify. */
  const upsertBody = (customAttributes: string) =>
    `{"query":${JSON.stringify(upsert)},"variables":{"input":{"id":"${id}","attributes":{"customAttributes":${customAttributes}}}}}`;
  const literalUpsert = (customAttributes: string, variables = '') =>
    `mutation Upsert${variables} { upsertCustomer(input: { id: "${id}", attributes: { customAttributes: ${customAttributes} } }) { customer { id } } }`;
  const keys = (count: number) =>
    JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, index])));

  const variableCases: [string, string, RegExp][] = [
    [
      'an object nested 10,000 levels deep',
      `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
      /nested more than 10 levels/,
    ],
    [
      'a list nested 100,000 levels deep',
      `{"a":${'['.repeat(100_000)}1${']'.repeat(100_000)}}`,
      /nested more than 10 levels/,
    ],
    ['600 keys', keys(600), /more than 500 keys and elements/],
    ['a string of 70,000 characters', `{"note":"${'x'.repeat(70_000)}"}`, /larger than 64 KiB/],
  ];

  it.each(variableCases)(
    'refuses %s in a variable with BAD_USER_INPUT naming the bound, in production and development',
    async (_, customAttributes, bound) => {
      for (const subgraph of [production, development]) {
        const response = await withoutVendorCalls(subgraph, () =>
          send(subgraph, { body: upsertBody(customAttributes) }),
        );

        expectCleanRefusal(response, { status: 400, code: 'BAD_USER_INPUT' });
        expect(response.body?.errors).toHaveLength(1);
        expect(response.body?.errors?.[0]?.message).toMatch(bound);
        expect(response.body?.errors?.[0]?.message).toContain('input.attributes.customAttributes');
        expect(subgraph.sandbox.dataset.gameball.has(id)).toBe(false);
        await expectStillServing(subgraph);
      }
    },
  );

  const literalCases: [string, string, RegExp][] = [
    ['nested 500 levels deep', `{ a: ${'['.repeat(500)}1${']'.repeat(500)} }`, /nested more than 10 levels/],
    ['with 600 elements', `[${'0 '.repeat(600)}]`, /more than 500 keys and elements/],
    ['with a variable inside', '{ note: $note }', /must not contain variables/],
  ];

  it.each(literalCases)(
    'refuses a literal %s in the document, naming the bound',
    async (_, customAttributes, bound) => {
      const variables = customAttributes.includes('$note') ? '($note: String)' : '';
      const response = await withoutVendorCalls(production, () =>
        post(production, literalUpsert(customAttributes, variables), { note: 'x'.repeat(70_000) }),
      );

      expectCleanRefusal(response, { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' });
      expect(response.body?.errors?.[0]?.message).toMatch(bound);
      expect(production.sandbox.dataset.gameball.has(id)).toBe(false);
      await expectStillServing(production);
    },
  );

  it('accepts customAttributes at the bounds, stores them and reads them back as they are', async () => {
    const atBounds = 'hostile-test-json-at-bounds';
    // 10 levels deep, 500 keys in all (481 here, 2 on each of the 9 levels below, less the last's).
    let nested: Record<string, unknown> = { level: 10 };
    for (let level = 9; level >= 2; level -= 1) nested = { level, nested };
    const customAttributes = {
      level: 1,
      nested,
      ...Object.fromEntries(Array.from({ length: 481 }, (_, index) => [`k${index}`, index])),
    };
    production.sandbox.resetCalls();

    const response = await production.query<{ upsertCustomer: { customer: { id: string }; userErrors: unknown[] } }>(
      upsert.replace('{ id }', '{ id customAttributes }'),
      { input: { id: atBounds, attributes: { customAttributes } } },
    );

    expect(response.errors).toBeUndefined();
    expect(response.data?.upsertCustomer).toEqual({
      customer: { id: atBounds, customAttributes },
      userErrors: [],
    });
    expect(production.sandbox.count('gameball.upsert', atBounds)).toBe(1);
  });
});

describe('introspection, suggestions and error details', () => {
  const introspection = '{ __schema { types { name } } }';
  const typeQuery = '{ __type(name: "Customer") { fields { name } } }';

  it('refuses introspection in production', async () => {
    for (const query of [introspection, typeQuery]) {
      const response = await post(production, query);
      expectCleanRefusal(response, { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' });
      expect(response.body?.data ?? null).toBeNull();
    }
    await expectStillServing(production);
  });

  it('allows introspection in development, and in production with INTROSPECTION=true', async () => {
    for (const subgraph of [development, productionWithIntrospection]) {
      const response = await subgraph.query<{ __schema: { types: { name: string }[] } }>(introspection);
      expect(response.status).toBe(200);
      expect(response.errors).toBeUndefined();
      expect(response.data?.__schema.types.map((type) => type.name)).toContain('Customer');
    }
  });

  const misspelled: [string, string, string][] = [
    ['a misspelled field', `{ customer(id: "${edge.rich}") { gendr } }`, 'gender'],
    ['a misspelled argument', `{ customer(idd: "${edge.rich}") { id } }`, 'id'],
    ['a misspelled type', `{ customer(id: "${edge.rich}") { ... on Custmer { id } } }`, 'Customer'],
  ];

  it.each(misspelled)('hides "Did you mean" suggestions for %s in production, not in development', async (_, query) => {
    const hidden = await post(production, query);
    expectCleanRefusal(hidden, { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(hidden.text).not.toMatch(/did you mean|suggestion hidden/i);

    const shown = await post(development, query);
    expectCleanRefusal(shown, { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(shown.text).toMatch(/did you mean/i);
  });

  const enumUpsert = `mutation Upsert($input: UpsertCustomerInput!) {
    upsertCustomer(input: $input) { customer { id } }
  }`;
  const misspelledEnums: [string, (subgraph: TestSubgraph) => Promise<RawResponse>, string][] = [
    [
      'in a variable',
      (subgraph) => post(subgraph, enumUpsert, { input: { id: 'x', attributes: { channel: 'WE' } } }),
      'BAD_USER_INPUT',
    ],
    [
      'in the document',
      (subgraph) =>
        post(
          subgraph,
          'mutation { upsertCustomer(input: { id: "x", attributes: { channel: WE } }) { customer { id } } }',
        ),
      'GRAPHQL_VALIDATION_FAILED',
    ],
  ];

  // Armor only hides suggestions for fields and types; the enum's come from graphql-js's coercion.
  it.each(misspelledEnums)(
    'hides "Did you mean" for a misspelled enum value %s in production, not in development',
    async (_, request, code) => {
      const hidden = await withoutVendorCalls(production, () => request(production));
      expectCleanRefusal(hidden, { status: 400, code });
      expect(hidden.text).not.toMatch(/did you mean|"WEB"/i);
      expect(hidden.body?.errors?.[0]?.message).toMatch(/input\.attributes\.channel|"CustomerChannel"/);

      const shown = await withoutVendorCalls(development, () => request(development));
      expectCleanRefusal(shown, { status: 400, code });
      expect(shown.text).toContain('Did you mean the enum value \\"WEB\\"?');
    },
  );

  it('never sends a stack trace, in production or development, even for an unexpected error', async () => {
    // A representation of a type this subgraph does not have, a misspelled field, a bad id, a
    // missing variable: refused each time, never with a stack trace.
    for (const subgraph of [production, development]) {
      const responses = await Promise.all([
        post(subgraph, entitiesQuery('id'), { representations: [{ __typename: 'Nope', id: 'x' }] }),
        post(subgraph, `{ customer(id: "${edge.rich}") { gendr } }`),
        post(subgraph, 'query One($id: ID!) { customer(id: $id) { id } }', { id: '../x' }),
        post(subgraph, 'query Missing($id: ID!) { customer(id: $id) { id } }'),
      ]);
      for (const response of responses) expectCleanRefusal(response);
      await expectStillServing(subgraph);
    }
  });
});

describe('production error messages quote no input value', () => {
  const upsert = `mutation Upsert($input: UpsertCustomerInput!) {
    upsertCustomer(input: $input) { customer { id } }
  }`;
  const literalUpsert = (input: string) => `mutation { upsertCustomer(input: ${input}) { customer { id } } }`;
  const id = 'hostile-test-masked-customer';
  // Made up, shaped like personal data. No part of them may appear in a production response.
  const email = 'ada.lovelace@example.com';
  const phone = '+14155552671';
  const parts = ['ada.lovelace', 'example.com', '4155552671'];

  const cases: [string, () => string, Record<string, unknown> | undefined, string, string][] = [
    [
      'a misspelled field next to an e-mail and a phone, in a variable',
      () => upsert,
      { input: { id, emial: email, mobile: phone } },
      'BAD_USER_INPUT',
      'Variable "$input" got an invalid value at "input"; Field "emial" is not defined by type "UpsertCustomerInput".',
    ],
    [
      'an invalid e-mail in a variable',
      () => upsert,
      { input: { id, attributes: { email: `${email}.` } } },
      'BAD_USER_INPUT',
      'Variable "$input" got an invalid value at "input.attributes.email".',
    ],
    [
      'a phone where a tag belongs, in a variable',
      () => upsert,
      { input: { id, attributes: { tags: [{ mobile: phone }] } } },
      'BAD_USER_INPUT',
      'Variable "$input" got an invalid value at "input.attributes.tags[0]".',
    ],
    [
      'an invalid e-mail in the document',
      () => literalUpsert(`{ id: "${id}", email: "${email}." }`),
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
      'Invalid value (the value and the reason are not shown in production).',
    ],
    [
      'an e-mail where the attributes belong, in the document',
      () => literalUpsert(`{ id: "${id}", attributes: "${email}" }`),
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
      'Expected value of type "CustomerAttributesInput".',
    ],
    [
      'a phone number where a string belongs, in the document',
      () => literalUpsert(`{ id: "${id}", mobile: ${phone.slice(1)} }`),
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
      'Invalid value (the value and the reason are not shown in production).',
    ],
  ];

  it.each(cases)('%s: production names where, development says what', async (_, query, variables, code, masked) => {
    const hidden = await withoutVendorCalls(production, () => post(production, query(), variables));
    expectCleanRefusal(hidden, { status: 400, code });
    expect(hidden.body?.errors?.map((error) => error.message)).toEqual([masked]);
    for (const part of parts) expect(hidden.text).not.toContain(part);
    expect(hidden.text).not.toMatch(/did you mean/i);

    // Development keeps graphql-js's own message, which quotes the value for the developer.
    const shown = await withoutVendorCalls(development, () => post(development, query(), variables));
    expectCleanRefusal(shown, { status: 400, code });
    expect(parts.some((part) => shown.text.includes(part))).toBe(true);
    expect(production.sandbox.dataset.gameball.has(id)).toBe(false);
    expect(development.sandbox.dataset.gameball.has(id)).toBe(false);
  });

  const quoting: [string, () => Promise<RawResponse>, string][] = [
    [
      'a syntax error at a string',
      () => post(production, `{ customer(id: "x") { "${email}" } }`),
      'Syntax Error: Expected Name, found String.',
    ],
    [
      'a syntax error at a number',
      () => post(production, `{ customer(id: "x") { ${phone.slice(1)} } }`),
      'Syntax Error: Expected Name, found Int.',
    ],
    [
      'an unknown operation name',
      () => send(production, { body: JSON.stringify({ query: '{ __typename }', operationName: `${email} ${phone}` }) }),
      'Unknown operation named by operationName.',
    ],
  ];

  it.each(quoting)('%s: production quotes nothing of it', async (_, request, masked) => {
    const hidden = await withoutVendorCalls(production, request);
    expectCleanRefusal(hidden, { status: 400 });
    expect(hidden.body?.errors?.map((error) => error.message)).toEqual([masked]);
    for (const part of parts) expect(hidden.text).not.toContain(part);
  });
});

describe('the limits are configurable', () => {
  it('MAX_ENTITIES_PER_REQUEST, MAX_CUSTOMERS_PER_QUERY and MAX_REQUEST_BYTES apply as set', async () => {
    const ids = [edge.rich, edge.richReferrer, edge.gameballOnly, edge.voucherifyOnly, 'cust_0003', 'cust_0004'];

    const entities = await withoutVendorCalls(tight, () =>
      post(tight, entitiesQuery('id'), { representations: representations(ids) }),
    );
    expectCleanRefusal(entities, { status: 400, code: 'BAD_USER_INPUT' });
    expect(entities.body?.errors?.[0]?.message).toContain('at most 5 representations');

    const customers = await withoutVendorCalls(tight, () =>
      post(tight, 'query Many($ids: [ID!]!) { customers(ids: $ids) { id } }', { ids: ids.slice(0, 4) }),
    );
    expectCleanRefusal(customers, { code: 'BAD_USER_INPUT' });
    expect(customers.body?.errors?.[0]?.message).toContain('at most 3 customers');

    const large = await send(tight, { body: JSON.stringify({ query: `{ __typename ${' '.repeat(5_000)} }` }) });
    expectCleanRefusal(large, { status: 413 });

    // At the limits, all is well.
    const atLimit = await tight.query<{ _entities: unknown[] }>(entitiesQuery('id'), {
      representations: representations(ids.slice(0, 5)),
    });
    expect(atLimit.errors).toBeUndefined();
    expect(atLimit.data?._entities).toHaveLength(5);
    const threeIds = await tight.query<{ customers: unknown[] }>(
      'query Many($ids: [ID!]!) { customers(ids: $ids) { id } }',
      {
        ids: ids.slice(0, 3),
      },
    );
    expect(threeIds.errors).toBeUndefined();
    expect(threeIds.data?.customers).toHaveLength(3);
  });
});

describe("the limits let a gateway's entity fetch through", () => {
  it('answers 100 representations of 80 customers selecting every Customer field, in production, without errors', async () => {
    const ids = Array.from({ length: 80 }, (_, index) => `cust_${String(index + 1).padStart(4, '0')}`);
    const reps = representations(Array.from({ length: 100 }, (_, index) => ids[index % ids.length]!));

    const response: GraphQLResponse<{ _entities: ({ id: string } | null)[] }> = await production.query(
      entitiesQuery(everyCustomerField),
      { representations: reps },
    );

    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    const entities = response.data?._entities ?? [];
    expect(entities).toHaveLength(100);
    // In order; a repeated representation gets the same answer; most customers exist in the sandbox.
    entities.forEach((entity, index) => {
      if (entity) expect(entity.id).toBe(reps[index]!.id);
    });
    for (let index = 80; index < 100; index += 1) expect(entities[index]).toEqual(entities[index - 80]);
    expect(entities.filter(Boolean).length).toBeGreaterThan(60);
    await expectStillServing(production);
  });
});
