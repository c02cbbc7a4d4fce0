import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendJson } from '../responses.js';
import type { SandboxSignIn } from './sandboxSignIn.js';

// GraphiQL for people with a browser: an HTML page at GET /graphql and its two assets, bundled into
// dist/graphiql/ at install time by scripts/build-graphiql.ts. Nothing is loaded from elsewhere, so
// it works without internet access. In sandbox mode only, the page also offers a sign-in picker and
// POST /graphiql/sandbox-token signs its tokens (src/graphiql/sandboxSignIn.ts).

/** Where scripts/build-graphiql.ts writes the bundle. */
export const graphiqlAssetDir = fileURLToPath(new URL('../../dist/graphiql/', import.meta.url));

/** The bundle's files, as served under /graphiql/. */
export const graphiqlAssets = {
  'graphiql.js': 'text/javascript; charset=utf-8',
  'graphiql.css': 'text/css; charset=utf-8',
} as const;

type AssetName = keyof typeof graphiqlAssets;

/**
 * Only this origin's scripts, styles and GraphQL endpoint; fonts and icons are data: URLs inside the
 * CSS. No inline script or style: the browser test fails on any violation.
 */
export const graphiqlContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  'font-src data:',
  'img-src data:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export class GraphiQLAssetsMissingError extends Error {
  override readonly name = 'GraphiQLAssetsMissingError';
}

interface Asset {
  body: Buffer;
  contentType: string;
  /** Path relative to /graphql, versioned by content so it can be cached for good. */
  href: string;
  integrity: string;
}

export interface GraphiQLPage {
  /**
   * Answers the request when it is for GraphiQL: a browser's GET /graphql (HTML preferred, no
   * `query` parameter) or one of the assets. Returns false, having done nothing, otherwise.
   */
  serve(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

/** Where the page asks for a sandbox token, relative to /graphql like the assets. */
const sandboxTokenHref = 'graphiql/sandbox-token';
const sandboxTokenPath = `/${sandboxTokenHref}`;

export interface GraphiQLPageOptions {
  /** Where the bundle is; dist/graphiql/ by default. */
  dir?: string;
  /** Sandbox mode only: the callers the page's picker offers, and their tokens. */
  sandboxSignIn?: SandboxSignIn | null;
}

/** Reads the bundle once; throws a `GraphiQLAssetsMissingError` saying how to build it when absent. */
export function loadGraphiQLPage(options: GraphiQLPageOptions = {}): GraphiQLPage {
  const { dir = graphiqlAssetDir, sandboxSignIn = null } = options;
  const missing = Object.keys(graphiqlAssets).filter((name) => !existsSync(join(dir, name)));
  if (missing.length > 0) {
    throw new GraphiQLAssetsMissingError(
      `GraphiQL is enabled but its bundle is missing (${missing.map((name) => join(dir, name)).join(', ')}). ` +
        'Run `npm run build:graphiql` (npm install does it too, with the devDependencies installed), or set GRAPHIQL=false.',
    );
  }
  const assets = new Map<string, Asset>();
  for (const [name, contentType] of Object.entries(graphiqlAssets) as [AssetName, string][]) {
    const body = readFileSync(join(dir, name));
    const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const integrity = `sha384-${createHash('sha384').update(body).digest('base64')}`;
    assets.set(`/graphiql/${name}`, { body, contentType, href: `graphiql/${name}?v=${version}`, integrity });
  }
  const asset = (name: AssetName) => assets.get(`/graphiql/${name}`)!;
  const html = Buffer.from(renderPage(asset('graphiql.css'), asset('graphiql.js'), sandboxSignIn));

  return {
    serve(req, res, url) {
      const method = req.method ?? 'GET';
      const file = assets.get(url.pathname);
      if (file && (method === 'GET' || method === 'HEAD')) {
        res.writeHead(200, {
          'content-type': file.contentType,
          'content-length': file.body.length,
          // The page asks for each asset by a URL carrying its content's hash.
          'cache-control': 'public, max-age=31536000, immutable',
          'x-content-type-options': 'nosniff',
        });
        res.end(method === 'HEAD' ? undefined : file.body);
        return true;
      }
      // Outside sandbox mode this path is not GraphiQL's: the server answers 404.
      if (sandboxSignIn && url.pathname === sandboxTokenPath) {
        serveSandboxToken(sandboxSignIn, method, url, res).catch(() => {
          if (!res.headersSent) sendJson(res, 500, { error: 'Could not sign a sandbox token' });
          else res.destroy();
        });
        return true;
      }
      if (
        url.pathname === '/graphql' &&
        method === 'GET' &&
        !url.searchParams.has('query') &&
        prefersHtml(req.headers.accept)
      ) {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-length': html.length,
          'content-security-policy': graphiqlContentSecurityPolicy,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-cache',
          vary: 'accept',
        });
        res.end(html);
        return true;
      }
      return false;
    },
  };
}

/**
 * `POST /graphiql/sandbox-token?as=<caller id>`: `{ "authorization": "Bearer …" }`, a fresh token on
 * every ask, which no cache may keep. POST, so that nothing fetches one by following a link.
 */
async function serveSandboxToken(signIn: SandboxSignIn, method: string, url: URL, res: ServerResponse): Promise<void> {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  if (method !== 'POST') {
    res.setHeader('allow', 'POST');
    return sendJson(res, 405, { error: 'POST asks for a sandbox token' });
  }
  const authorization = await signIn.authorizationFor(url.searchParams.get('as') ?? '');
  if (!authorization) {
    const known = signIn.callers.map(({ id }) => id).join(', ');
    return sendJson(res, 400, { error: `?as= names a sandbox caller with a token: one of ${known}` });
  }
  sendJson(res, 200, { authorization });
}

function renderPage(css: Asset, js: Asset, signIn: SandboxSignIn | null): string {
  // The picker's callers and where to ask for their tokens, as data for the page's script (the
  // policy allows no inline script). No token is in the page.
  const signInData = signIn
    ? ` data-sandbox-token-href="${sandboxTokenHref}" data-sandbox-callers="${escapeAttribute(JSON.stringify(signIn.callers))}"`
    : '';
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>customer-subgraph · GraphiQL</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${css.href}" integrity="${css.integrity}" />
    <script defer src="${js.href}" integrity="${js.integrity}"></script>
  </head>
  <body>
    <div id="graphiql"${signInData}>Loading GraphiQL…</div>
  </body>
</html>
`;
}

function escapeAttribute(text: string): string {
  return text.replace(/[&"'<>]/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * Whether an Accept header ranks text/html above JSON, as a browser's navigation does
 * (`text/html,…,*\/*;q=0.8`). Ties go to GraphQL: `*\/*` (curl) or no header gets Apollo's answer.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(',').map((part) => {
    const [range = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return { range, quality: Number.isFinite(quality) ? quality : 0 };
  });
  // RFC 9110 §12.5.1: the most specific matching range decides a type's quality.
  const quality = (type: string): number => {
    const [major] = type.split('/');
    const match =
      ranges.find((r) => r.range === type) ??
      ranges.find((r) => r.range === `${major}/*`) ??
      ranges.find((r) => r.range === '*/*');
    return match?.quality ?? 0;
  };
  const html = quality('text/html');
  return html > 0 && html > Math.max(quality('application/json'), quality('application/graphql-response+json'));
}
