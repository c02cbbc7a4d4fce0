import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Config, HttpLimits } from './config.js';
import { createContext, type Context } from './context.js';
import { Authenticator, notFromRouter, repeatedCredentialHeader } from './auth/authenticate.js';
import { deniedFieldsPlugin } from './auth/guard.js';
import { cacheControlPlugin } from './cacheControl.js';
import { QueryDocumentStore } from './documentStore.js';
import { compiledExecution } from './execution.js';
import { createErrorFormatter } from './errors.js';
import { loadGraphiQLPage } from './graphiql/page.js';
import { sandboxSignIn } from './graphiql/sandboxSignIn.js';
import type { Logger } from './logger.js';
import { lookupLimitsPlugin } from './lookupLimits.js';
import { queryLimitsOf } from './queryLimits.js';
import { sendJson } from './responses.js';
import { MetricsEndpoint } from './observability/metricsEndpoint.js';
import { Observability } from './observability/observability.js';
import { requestObservabilityPlugin } from './observability/requests.js';
import { startTracing } from './observability/tracing.js';
import { buildSchema } from './schema.js';
import { staleReadsPlugin } from './cache/staleReads.js';
import { VendorCache } from './cache/vendorCache.js';
import { closeVendorClients, createVendorClients } from './vendors/clients.js';
import type { VendorSettings } from './vendors/settings.js';

export interface RunningServer {
  /** e.g. http://127.0.0.1:4001 */
  url: string;
  /** Where GET /metrics is served: the metrics listener when METRICS_PORT is set, else `url`. */
  metricsUrl: string;
  close(): Promise<void>;
}

class RequestTooLarge extends Error {}

/**
 * HTTP wiring only: /graphql through Apollo Server, /health and /ready for probes, /metrics, GraphiQL for browsers
 * when enabled (src/graphiql/page.ts). Apollo's own HTTP integration contract
 * (`executeHTTPGraphQLRequest`) is used directly on node:http, which keeps the hot path free of a
 * web framework.
 */
export async function startServer(options: {
  config: Config;
  vendors: VendorSettings;
  logger: Logger;
}): Promise<RunningServer> {
  const { config, logger } = options;
  // Read once, before anything starts: a missing bundle stops start-up with how to build it. Sandbox
  // sign-in only in sandbox mode: it signs tokens for whoever asks, fit for the fakes' data alone.
  const graphiql = config.graphiql
    ? loadGraphiQLPage({ sandboxSignIn: config.sandbox ? sandboxSignIn(config.auth.tokens) : null })
    : null;
  const observability = new Observability(await startTracing(config.tracing));
  // ioredis is loaded only when Redis is configured: heap held for good, by every replica without it.
  const redis = config.redis ? new (await import('./redis.js')).RedisLink(config.redis, logger, observability) : null;
  const clients = createVendorClients(options.vendors, config.limits, observability, redis);
  const cache = config.cache
    ? new VendorCache(config.cache, redis, observability, logger, config.requestDeadlineMs)
    : null;
  const vendors = { clients, cache, observer: observability };
  const settings = {
    imprintLinkKey: config.imprintLinkKey,
    currencyCode: config.currencyCode,
    maxCustomersPerRequest: config.lookupLimits.maxCustomersPerRequest,
    requestDeadlineMs: config.requestDeadlineMs,
  };
  const authenticator = new Authenticator(config.auth);
  const httpServer: Server = createHttpServer(config.http);
  const fromRouter = (req: IncomingMessage) => authenticator.fromRouter(headerOf(req, 'router-authorization'));
  const metrics = new MetricsEndpoint(observability.metrics.registry, fromRouter);
  // With a port of its own, metrics answer no one on the main port; the network guards that port.
  const metricsServer = config.metricsPort === null ? null : createHttpServer(config.http);
  metricsServer?.on('request', new MetricsEndpoint(observability.metrics.registry, () => true).listener());
  const limits = queryLimitsOf<Context>(config.queryLimits);
  const schema = buildSchema({ authDirectivesInSdl: config.auth.directivesInSdl });
  const apollo = new ApolloServer<Context>({
    ...(config.compileAfter === null
      ? { schema }
      : { gateway: compiledExecution<Context>(schema, config.compileAfter) }),
    formatError: createErrorFormatter({ maskDetails: config.maskErrorDetails }),
    includeStacktraceInErrorResponses: false,
    // Apollo's default indents every response (prettyJSONStringify): bytes and CPU no client needs.
    stringifyResult: (result) => JSON.stringify(result),
    introspection: config.introspection,
    allowBatchedHttpRequests: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    logger,
    // No shared cache may hold personal data: no persisted-query store (gateways do not use it
    // towards subgraphs), and a document cache that keeps no mutation text.
    persistedQueries: false,
    documentStore: new QueryDocumentStore(),
    // main.ts owns shutdown: close the server, then the vendor pools and the sandbox, then exit.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's landing page loads from a CDN; browsers get our own GraphiQL instead (or nothing).
      ApolloServerPluginLandingPageDisabled(),
      // Apollo's would wrap every resolver once the SDL uses @cacheControl; ours reads the document.
      ApolloServerPluginCacheControlDisabled(),
      requestObservabilityPlugin(logger, observability),
      ...limits.plugins,
      lookupLimitsPlugin(config.lookupLimits),
      deniedFieldsPlugin(),
      staleReadsPlugin(),
      cacheControlPlugin(config.cache?.ttlSeconds ?? 0),
    ],
  });
  await apollo.start();
  // Bounded: without Redis the subgraph starts anyway, on its local cache and limits.
  await redis?.connected(2_000);

  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.destroy();
    });
  });

  let draining = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = URL.parse(req.url ?? '/', 'http://localhost');
    // Not logged: the target may carry a token or a query's variables.
    if (!url) return sendJson(res, 400, { error: 'Malformed request target' });
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/metrics' && !metricsServer) return metrics.serve(req, res);
    // Ready once configured and started; not while shutting down, so load balancers move on.
    if (url.pathname === '/ready')
      return sendJson(res, draining ? 503 : 200, { status: draining ? 'shutting down' : 'ready' });
    if (graphiql?.serve(req, res, url)) return;
    if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'Not found: GraphQL is served at /graphql' });

    // What the headers alone decide is decided before the body is read: a client without the router
    // secret cannot hold a connection by sending a body slowly. (Repeats are read from
    // headersDistinct: req.headers has already dropped or merged them.)
    const repeated = repeatedCredentialHeader(req.headersDistinct);
    if (repeated) {
      const error = { message: `Only one ${repeated} header may be sent`, extensions: { code: 'BAD_REQUEST' } };
      res.setHeader('connection', 'close');
      return sendJson(res, 400, { errors: [error] });
    }
    if (!fromRouter(req)) {
      res.setHeader('connection', 'close');
      res.setHeader('www-authenticate', 'Bearer');
      return sendJson(res, 401, { errors: [{ message: notFromRouter, extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    let body: unknown;
    try {
      body = await readBody(req, config.maxRequestBytes);
    } catch (error) {
      if (error instanceof RequestTooLarge) {
        // The rest of the body is never read, so this connection cannot carry another request.
        res.setHeader('connection', 'close');
        return sendJson(res, 413, { errors: [{ message: 'Request body too large' }] });
      }
      return sendJson(res, 400, { errors: [{ message: 'Request body is not valid JSON' }] });
    }
    const requestId = requestIdOf(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method ?? 'GET', headers, search: url.search, body };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      // Throws a 401 for the whole request on a bad token or a missing router secret.
      context: async () => {
        const caller = await authenticator.authenticate((name) => headers.get(name));
        // Once the response is sent or the client has left (`res` closes), the request's vendor
        // calls still queued or in flight (a lookup another one made unnecessary, a field the
        // client cannot get any more) are given up: nobody would read them, and they would spend
        // the caller's share of the quota.
        return createContext(caller, { requestId, ended: res }, vendors, settings);
      },
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    // What may be stored is the cache-control plugin's to say; a response it never saw (a request
    // refused before any operation, say) may not be stored anywhere.
    if (!response.headers.has('cache-control')) res.setHeader('cache-control', 'no-store');
    res.statusCode = response.status ?? 200;
    // RFC 6750: a 401 tells the client which scheme to use.
    if (res.statusCode === 401) res.setHeader('www-authenticate', 'Bearer');
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  // The metrics port first: if it is taken, start-up fails before the main port takes traffic.
  if (metricsServer && config.metricsPort !== null) await listen(metricsServer, config.metricsPort, config.host);
  await listen(httpServer, config.port, config.host);
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${portOf(httpServer)}`;

  return {
    url,
    metricsUrl: metricsServer ? `http://${host}:${portOf(metricsServer)}` : url,
    /**
     * Graceful: report not ready and keep serving for SHUTDOWN_DELAY_MS, then stop accepting,
     * finish in-flight requests, close keep-alive sockets (Apollo's drain plugin), and the pools.
     */
    async close() {
      draining = true;
      if (config.shutdownDelayMs > 0) await sleep(config.shutdownDelayMs);
      await apollo.stop();
      // After the main port, so that metrics stay readable while it drains.
      if (metricsServer) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await closeVendorClients(clients);
      await redis?.close();
      await observability.tracing.shutdown();
    },
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  // node:http joins repeated custom headers into one string, as the GraphQL path reads them too.
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The caller's request id when it is a sane one (it goes into logs and vendor headers), else a new one. */
function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

/**
 * A node:http server with the configured limits. Node checks the headers and request timeouts only
 * every `connectionsCheckingInterval` (30 s by default), which would let a slow client outstay a
 * short timeout many times over; a tenth of the shortest keeps them within about 10 %.
 */
function createHttpServer(limits: HttpLimits): Server {
  const shortest = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const options: ServerOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.round(shortest / 10))),
  };
  const server = createServer(options);
  // Connections beyond this are closed as soon as they are accepted.
  server.maxConnections = limits.maxConnections;
  // With no 'timeout' listener, Node destroys a socket idle this long, a response still unsent.
  server.timeout = limits.socketTimeoutMs;
  return server;
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** The JSON body of a JSON request (what Apollo expects), the raw text of any other, bounded in size. */
async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RequestTooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const isJson = /^application\/(?:[\w.+-]+\+)?json\b/i.test(req.headers['content-type'] ?? '');
  if (!isJson || text === '') return isJson ? undefined : text;
  return JSON.parse(text) as unknown;
}
