import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_JWT_SECRET } from '../../src/config.js';
import { prefersHtml } from '../../src/graphiql/page.js';
import { sandboxCallers } from '../../src/graphiql/sandboxSignIn.js';
import { startTestSubgraph, vendorCredentialsEnv, type TestSubgraph } from '../support/subgraph.js';

// GraphiQL over plain HTTP (test/e2e/graphiql.test.ts drives it in a browser): who gets the page,
// that it names no other host, that GraphQL over GET is untouched, and that sandbox sign-in exists
// in sandbox mode only.

/** What Chromium sends when a person opens a URL. */
const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

function openInBrowser(url: string): Promise<Response> {
  return fetch(`${url}/graphql`, { headers: { accept: browserAccept } });
}

/** Every absolute http(s) URL in a text, with its origin. */
function absoluteUrls(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map(([url]) => url);
}

describe('GraphiQL over HTTP, enabled (the default outside production)', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph();
  });
  afterAll(() => subgraph.close());

  it('answers a browser at GET /graphql with the GraphiQL page, which names no other host', async () => {
    const response = await openInBrowser(subgraph.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toContain('<title>customer-subgraph · GraphiQL</title>');
    expect(absoluteUrls(html)).toEqual([]);
    expect(html).not.toMatch(/\/\/[a-z0-9.-]+\.[a-z]{2,}\//i); // no protocol-relative URL either
  });

  it('sends a Content-Security-Policy that allows only this origin', async () => {
    const response = await openInBrowser(subgraph.url);
    const policy = response.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      policy.split(';').map((directive) => {
        const [name = '', ...sources] = directive.trim().split(/\s+/);
        return [name, sources];
      }),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(absoluteUrls(policy)).toEqual([]);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('vary')).toMatch(/accept/i);
  });

  it('serves the script and the stylesheet the page links, with their content types, for good', async () => {
    const html = await (await openInBrowser(subgraph.url)).text();
    const script = /<script[^>]* src="([^"]+)"/.exec(html)?.[1];
    const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(html)?.[1];
    expect(script).toMatch(/^graphiql\/graphiql\.js\?v=[0-9a-f]+$/);
    expect(stylesheet).toMatch(/^graphiql\/graphiql\.css\?v=[0-9a-f]+$/);

    for (const [path, type] of [
      [script, 'text/javascript; charset=utf-8'],
      [stylesheet, 'text/css; charset=utf-8'],
    ] as const) {
      // Relative to the page at /graphql: /graphiql/….
      const response = await fetch(new URL(path!, `${subgraph.url}/graphql`));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const body = await response.text();
      expect(body.length).toBeGreaterThan(10_000);
      // Fonts and icons are inlined: the CSS loads nothing else.
      if (type.startsWith('text/css')) expect(body).not.toMatch(/url\(\s*["']?(?!data:)/);
    }
  });

  it('leaves GraphQL over GET to Apollo: a query parameter gets JSON, even from a browser', async () => {
    const url = `${subgraph.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });

    const fromBrowser = await fetch(url, { headers: { accept: browserAccept, 'apollo-require-preflight': 'true' } });
    expect(fromBrowser.headers.get('content-type')).not.toMatch(/text\/html/);
  });

  it('gives clients that do not ask for HTML what Apollo answers', async () => {
    for (const accept of ['*/*', 'application/json', 'application/graphql-response+json, application/json;q=0.9']) {
      const response = await fetch(`${subgraph.url}/graphql`, { headers: { accept } });
      expect(response.headers.get('content-type')).not.toMatch(/text\/html/);
    }
    expect((await fetch(`${subgraph.url}/graphql`)).headers.get('content-type')).not.toMatch(/text\/html/);
  });

  it('keeps POST /graphql unchanged', async () => {
    expect(await subgraph.query('{ __typename }')).toMatchObject({ status: 200, data: { __typename: 'Query' } });
  });
});

describe('GraphiQL over HTTP in production', () => {
  it('is off with NODE_ENV=production: a browser gets what Apollo answers, and no assets', async () => {
    const subgraph = await startTestSubgraph({ env: { NODE_ENV: 'production' } });
    try {
      const response = await openInBrowser(subgraph.url);
      expect(response.headers.get('content-type')).not.toMatch(/text\/html/);
      expect(await response.text()).not.toContain('GraphiQL');
      expect((await fetch(`${subgraph.url}/graphiql/graphiql.js`)).status).toBe(404);
      expect((await fetch(`${subgraph.url}/graphiql/graphiql.css`)).status).toBe(404);
    } finally {
      await subgraph.close();
    }
  });

  it('is on with NODE_ENV=production and GRAPHIQL=true', async () => {
    const subgraph = await startTestSubgraph({ env: { NODE_ENV: 'production', GRAPHIQL: 'true' } });
    try {
      const response = await openInBrowser(subgraph.url);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>customer-subgraph · GraphiQL</title>');
      expect((await fetch(`${subgraph.url}/graphiql/graphiql.js`)).status).toBe(200);
    } finally {
      await subgraph.close();
    }
  });
});

/** The real vendors' variables (the subgraph is still given the sandbox fakes to call). */
const realVendorEnv = { SANDBOX: 'false', ...vendorCredentialsEnv };

function askForToken(url: string, caller: string, method = 'POST'): Promise<Response> {
  return fetch(`${url}/graphiql/sandbox-token?as=${encodeURIComponent(caller)}`, { method });
}

/** A bearer token or anything shaped like a JWT. */
const tokenLike = /bearer|eyJ[\w-]+\.[\w-]+\./i;

describe('sandbox sign-in over HTTP, in sandbox mode', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph();
  });
  afterAll(() => subgraph.close());

  it("lists the picker's callers in the page, and no token", async () => {
    const html = await (await openInBrowser(subgraph.url)).text();
    const attribute = /data-sandbox-callers="([^"]*)"/.exec(html)?.[1] ?? '';
    const callers: unknown = JSON.parse(
      attribute.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))),
    );
    expect(callers).toEqual([
      { id: 'anonymous', label: 'Anonymous (no token)' },
      { id: 'customer', label: 'Customer cust_0001 (their own data)' },
      { id: 'pii-reader', label: 'Support agent, pii:read' },
      { id: 'coupons-reader', label: 'Agent, coupons:read' },
      { id: 'writer', label: 'Writer, customers:write' },
    ]);
    expect(html).toContain('data-sandbox-token-href="graphiql/sandbox-token"');
    expect(tokenLike.test(html), 'the page holds a token').toBe(false);
  });

  it.each([
    ['customer', { sub: 'cust_0001', scope: undefined }],
    ['pii-reader', { sub: 'sandbox-support-agent', scope: 'pii:read' }],
    ['coupons-reader', { sub: 'sandbox-coupons-agent', scope: 'coupons:read' }],
    ['writer', { sub: 'sandbox-writer', scope: 'customers:write' }],
  ])('signs a fresh token for %s, which no cache may keep and the subgraph accepts', async (caller, claims) => {
    const response = await askForToken(subgraph.url, caller);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const { authorization } = (await response.json()) as { authorization: string };
    expect(authorization.startsWith('Bearer ')).toBe(true);
    const payload = decodeJwt(authorization.slice('Bearer '.length));
    expect({ sub: payload.sub, scope: payload.scope }).toEqual(claims);
    // An hour, as `npm run token` signs them.
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3_600);

    const me = await subgraph.query<{ me: { id: string } | null }>('{ me { id } }', {}, { authorization });
    expect(me.status).toBe(200);
    expect(me.data?.me?.id ?? null).toBe(claims.sub === 'cust_0001' ? 'cust_0001' : null);
  });

  it('signs nothing for the anonymous caller or one it does not know, and only on POST', async () => {
    expect(sandboxCallers.map(({ id }) => id)).toContain('anonymous');
    for (const caller of ['anonymous', 'admin', '']) {
      const response = await askForToken(subgraph.url, caller);
      expect(response.status).toBe(400);
      expect(tokenLike.test(await response.text())).toBe(false);
    }
    for (const method of ['GET', 'HEAD', 'PUT']) {
      const response = await askForToken(subgraph.url, 'customer', method);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(tokenLike.test(await response.text())).toBe(false);
    }
  });
});

describe('sandbox sign-in outside sandbox mode', () => {
  it.each([
    ['with the real vendors', realVendorEnv],
    // A signing key the subgraph verifies with does not bring the picker back.
    ['with the real vendors and an HS256 key', { ...realVendorEnv, AUTH_JWT_SECRET: SANDBOX_JWT_SECRET }],
    [
      'with the real vendors in production, GraphiQL on',
      { ...realVendorEnv, AUTH_JWT_SECRET: SANDBOX_JWT_SECRET, NODE_ENV: 'production', GRAPHIQL: 'true' },
    ],
  ])('%s: the page has no picker and no token, and the token endpoint is 404', async (_name, env) => {
    const subgraph = await startTestSubgraph({ env });
    try {
      const page = await openInBrowser(subgraph.url);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<title>customer-subgraph · GraphiQL</title>');
      expect(html).not.toMatch(/sandbox/i);
      expect(tokenLike.test(html), 'the page holds a token').toBe(false);
      for (const method of ['POST', 'GET']) {
        for (const caller of ['customer', 'pii-reader']) {
          const response = await askForToken(subgraph.url, caller, method);
          expect(response.status).toBe(404);
          expect(tokenLike.test(await response.text())).toBe(false);
        }
      }
    } finally {
      await subgraph.close();
    }
  });
});

describe('prefersHtml', () => {
  it.each([
    [browserAccept, true],
    ['text/html', true],
    ['text/*, application/json;q=0.5', true],
    ['*/*', false],
    ['application/json', false],
    ['application/json, text/html', false],
    ['text/html;q=0.5, application/json', false],
    ['text/html;q=0, */*', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (accept, expected) => {
    expect(prefersHtml(accept)).toBe(expected);
  });
});
