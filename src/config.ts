import { z } from 'zod';
import type { AuthSettings } from './auth/authenticate.js';
import type { LogFormatSetting } from './logger.js';
import type { LookupLimits } from './lookupLimits.js';
import type { VendorLimits, VendorSettings } from './vendors/settings.js';

// The only reader of process.env. Every variable is validated here, once, at start-up; a bad one
// stops the process with its name.

const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');
const positiveInt = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .positive('must be positive');
const secret = z.string().trim().min(1, 'must not be empty');
const port = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0).max(65_535);

const environment = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(4001),
  METRICS_PORT: port.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).optional(),
  SANDBOX: flag.optional(),
  GAMEBALL_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.gameball.co'),
  GAMEBALL_API_KEY: secret.optional(),
  GAMEBALL_SECRET_KEY: secret.optional(),
  VOUCHERIFY_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.voucherify.io'),
  VOUCHERIFY_APP_ID: secret.optional(),
  VOUCHERIFY_APP_TOKEN: secret.optional(),
  IMPRINT_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  IMPRINT_API_KEY: secret.optional(),
  IMPRINT_LINK_METADATA_KEY: z.string().min(1).default('imprint_customer_id'),
  CURRENCY_CODE: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as USD')
    .default('USD'),
  UPSTREAM_TIMEOUT_MS: positiveInt.default(3_000),
  REQUEST_DEADLINE_MS: positiveInt.default(8_000),
  VENDOR_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  VENDOR_RETRY_BASE_DELAY_MS: positiveInt.default(100),
  BREAKER_THRESHOLD: positiveInt.default(5),
  BREAKER_HALF_OPEN_AFTER_MS: positiveInt.default(10_000),
  // Below the documented limits: Gameball allows 100 customer GETs a second but 1,200 per 30 s
  // (40/s sustained); Voucherify's Organization plan 2,000 calls a minute; Imprint documents none.
  // A bucket lets `burst + rate × t` calls through in t seconds: 60 + 35 stays under Gameball's 100
  // a second, and 20 + 30 × 60 under Voucherify's 2,000 a minute.
  GAMEBALL_RATE_LIMIT_PER_SECOND: positiveInt.default(35),
  GAMEBALL_RATE_LIMIT_BURST: positiveInt.default(60),
  VOUCHERIFY_RATE_LIMIT_PER_SECOND: positiveInt.default(30),
  VOUCHERIFY_RATE_LIMIT_BURST: positiveInt.default(20),
  IMPRINT_RATE_LIMIT_PER_SECOND: positiveInt.default(25),
  IMPRINT_RATE_LIMIT_BURST: positiveInt.default(25),
  VENDOR_MAX_CONCURRENCY: positiveInt.default(16),
  VENDOR_MAX_QUEUE: positiveInt.default(1_000),
  // A customer record is a few KiB; a coupon list of hundreds stays well under this.
  VENDOR_MAX_RESPONSE_BYTES: positiveInt.default(4_194_304),
  MAX_CUSTOMERS_PER_QUERY: positiveInt.default(100),
  // customers(ids:) at its maximum with every field fits, and so does an `_entities` fetch at
  // MAX_ENTITIES_PER_REQUEST, each customer with a referrer.
  MAX_CUSTOMERS_PER_REQUEST: positiveInt.default(500),
  MAX_REQUEST_BYTES: positiveInt.default(1_048_576),
  // Node's defaults (60 s for headers, 300 s for a request, no connection cap) let slow clients
  // hold sockets for minutes.
  HTTP_HEADERS_TIMEOUT_MS: positiveInt.default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt.default(5_000),
  HTTP_MAX_CONNECTIONS: positiveInt.default(1_024),
  HTTP_SOCKET_TIMEOUT_MS: positiveInt.default(30_000),
  SANDBOX_VENDOR_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  AUTH_JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (HS256 needs a 256-bit secret)')
    // Length alone lets a placeholder through (32 spaces, "aaaa…"); random hex or base64 has many more.
    .refine(
      (value) => new Set(value).size >= 10,
      'must have at least 10 distinct characters (e.g. openssl rand -base64 32)',
    )
    // Not trimmed like the vendor credentials: the key must be exactly the one tokens are signed with.
    .refine((value) => value.trim() === value, 'must not start or end with whitespace')
    .optional(),
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_MAX_TOKEN_AGE_SECONDS: positiveInt.optional(),
  AUTH_REQUIRED: flag.default(false),
  AUTH_DIRECTIVES_IN_SDL: flag.default(true),
  ROUTER_SECRET: secret.optional(),
  GRAPHIQL: flag.optional(),
  INTROSPECTION: flag.optional(),
  MAX_QUERY_DEPTH: positiveInt.default(10),
  MAX_QUERY_ALIASES: positiveInt.default(30),
  MAX_QUERY_COST: positiveInt.default(5_000),
  MAX_QUERY_TOKENS: positiveInt.default(2_000),
  MAX_QUERY_DIRECTIVES: positiveInt.default(50),
  MAX_ENTITIES_PER_REQUEST: positiveInt.default(250),
  GRAPHQL_COMPILE_AFTER: z
    .union([z.literal('off'), z.coerce.number({ error: 'must be a number or off' }).int().min(0)])
    .default(1),
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).default(0),
  // The vendor-response cache (src/cache/): public data only, under the per-request loaders.
  CACHE: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  CACHE_TTL_SECONDS: positiveInt.default(15),
  CACHE_NEGATIVE_TTL_SECONDS: positiveInt.default(5),
  CACHE_STALE_IF_ERROR_SECONDS: z.coerce.number({ error: 'must be a number' }).int().min(0).default(300),
  CACHE_MAX_ENTRIES: positiveInt.default(10_000),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  REDIS_TIMEOUT_MS: positiveInt.default(100),
  REDIS_KEY_PREFIX: z.string().min(1).default('customer-subgraph:'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('customer-subgraph'),
});

/**
 * Signs and verifies tokens in sandbox mode when no key is configured, so `npm run token` works out
 * of the box. Public on purpose: it only ever guards the fake vendors' seeded data.
 */
export const SANDBOX_JWT_SECRET = 'customer-subgraph-sandbox-secret-not-for-production';

const credentialNames = [
  'GAMEBALL_API_KEY',
  'GAMEBALL_SECRET_KEY',
  'VOUCHERIFY_APP_ID',
  'VOUCHERIFY_APP_TOKEN',
  'IMPRINT_BASE_URL',
  'IMPRINT_API_KEY',
] as const;

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** When set, GET /metrics is served on this port only (same host), and not on `port`. */
  metricsPort: number | null;
  http: HttpLimits;
  logLevel: string;
  /** `auto`: pretty lines when stdout is a terminal, JSON otherwise (the logger checks, src/logger.ts). */
  logFormat: LogFormatSetting;
  /** Set in sandbox mode: the vendors are the built-in fakes, started by `main`. */
  sandbox: { vendorLatencyMs: number } | null;
  /** Set outside sandbox mode: the real vendors. */
  vendors: VendorSettings | null;
  limits: VendorLimits;
  /** The time one GraphQL request may spend on vendor calls, retries included. */
  requestDeadlineMs: number;
  imprintLinkKey: string;
  currencyCode: string;
  /** What one request may look up (src/lookupLimits.ts, src/customers/budget.ts). */
  lookupLimits: LookupLimits;
  maxRequestBytes: number;
  auth: AuthSettings;
  /** Serve GraphiQL at GET /graphql to browsers. */
  graphiql: boolean;
  introspection: boolean;
  /** Production keeps "Did you mean …?" suggestions and input values out of error messages. */
  maskErrorDetails: boolean;
  queryLimits: QueryLimits;
  /** Executions of a query document before graphql-jit compiles it (src/execution.ts); null: never. */
  compileAfter: number | null;
  /** After SIGTERM, how long /ready answers 503 while requests are still served (load balancers drain). */
  shutdownDelayMs: number;
  /** The vendor-response cache; null with CACHE=off. */
  cache: CacheSettings | null;
  /** Shared by replicas when set: the cache's shared tier and the global vendor rate limits. */
  redis: RedisSettings | null;
  /** OpenTelemetry: spans per operation and per vendor call, exported when an endpoint is set. */
  tracing: { endpoint: string | null; serviceName: string };
}

/** Limits of every HTTP listener: how long a client may take, and how many connections it may hold. */
export interface HttpLimits {
  /** Until the request's headers are complete. */
  headersTimeoutMs: number;
  /** Until the whole request, body included, is received. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open after a response. */
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /**
   * How long a socket may see no traffic either way before it is closed: a client that stops
   * reading its response cannot hold a connection and the response's memory.
   */
  socketTimeoutMs: number;
}

/** How long vendor responses are kept (src/cache/). */
export interface CacheSettings {
  ttlSeconds: number;
  /** A vendor's "not found", kept briefly: a customer created elsewhere shows up soon. */
  negativeTtlSeconds: number;
  /** How long past its TTL a value may still be served, marked stale, while its vendor fails. */
  staleIfErrorSeconds: number;
  /** The in-process tier's size, in entries. */
  maxEntries: number;
}

export interface RedisSettings {
  url: string;
  /** Every Redis call gives up after this long; the subgraph then goes on without Redis. */
  timeoutMs: number;
  /** Put before every key, so that several deployments can share one Redis. */
  keyPrefix: string;
}

/** Limits on what one GraphQL request may ask (GraphQL Armor and graphql-js's parser). */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
  maxDirectives: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the environment; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable counts as unset, as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environment.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid environment:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const anyCredential = credentialNames.some((name) => e[name] !== undefined);
  const sandbox = e.SANDBOX ?? !anyCredential;

  if (e.AUTH_REQUIRED && !e.AUTH_JWT_SECRET && !e.AUTH_JWKS_URL && !sandbox) {
    throw new ConfigError(
      'Invalid environment:\n  AUTH_REQUIRED: needs AUTH_JWT_SECRET or AUTH_JWKS_URL to verify tokens',
    );
  }

  // Node refuses this combination at createServer; say so here, with the variables' names.
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      `Invalid environment:\n  HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS (${e.HTTP_HEADERS_TIMEOUT_MS} > ${e.HTTP_REQUEST_TIMEOUT_MS})`,
    );
  }
  // A request's socket is quiet while its vendor calls run: the idle timeout must outlast them.
  if (e.HTTP_SOCKET_TIMEOUT_MS <= e.REQUEST_DEADLINE_MS) {
    throw new ConfigError(
      `Invalid environment:\n  HTTP_SOCKET_TIMEOUT_MS: must exceed REQUEST_DEADLINE_MS (${e.HTTP_SOCKET_TIMEOUT_MS} <= ${e.REQUEST_DEADLINE_MS})`,
    );
  }

  let vendors: VendorSettings | null = null;
  if (!sandbox) {
    const missing = credentialNames.filter((name) => e[name] === undefined);
    if (missing.length > 0) {
      throw new ConfigError(
        `Missing environment for the real vendors (or set SANDBOX=true):\n  ${missing.map((name) => `${name}: required`).join('\n  ')}`,
      );
    }
    vendors = {
      gameball: { baseUrl: e.GAMEBALL_BASE_URL, apiKey: e.GAMEBALL_API_KEY!, secretKey: e.GAMEBALL_SECRET_KEY! },
      voucherify: { baseUrl: e.VOUCHERIFY_BASE_URL, appId: e.VOUCHERIFY_APP_ID!, appToken: e.VOUCHERIFY_APP_TOKEN! },
      imprint: { baseUrl: e.IMPRINT_BASE_URL!, apiKey: e.IMPRINT_API_KEY! },
    };
  }

  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    metricsPort: e.METRICS_PORT ?? null,
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      socketTimeoutMs: e.HTTP_SOCKET_TIMEOUT_MS,
    },
    logLevel: e.LOG_LEVEL,
    // Production logs go to a collector, terminal or not: JSON unless asked otherwise.
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === 'production' ? 'json' : 'auto'),
    sandbox: sandbox ? { vendorLatencyMs: e.SANDBOX_VENDOR_LATENCY_MS } : null,
    vendors,
    requestDeadlineMs: e.REQUEST_DEADLINE_MS,
    limits: {
      timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      maxConcurrency: e.VENDOR_MAX_CONCURRENCY,
      maxQueue: e.VENDOR_MAX_QUEUE,
      maxResponseBytes: e.VENDOR_MAX_RESPONSE_BYTES,
      maxRetries: e.VENDOR_MAX_RETRIES,
      retryBaseDelayMs: e.VENDOR_RETRY_BASE_DELAY_MS,
      breakerThreshold: e.BREAKER_THRESHOLD,
      breakerHalfOpenAfterMs: e.BREAKER_HALF_OPEN_AFTER_MS,
      rateLimits: {
        gameball: { perSecond: e.GAMEBALL_RATE_LIMIT_PER_SECOND, burst: e.GAMEBALL_RATE_LIMIT_BURST },
        voucherify: { perSecond: e.VOUCHERIFY_RATE_LIMIT_PER_SECOND, burst: e.VOUCHERIFY_RATE_LIMIT_BURST },
        imprint: { perSecond: e.IMPRINT_RATE_LIMIT_PER_SECOND, burst: e.IMPRINT_RATE_LIMIT_BURST },
      },
    },
    imprintLinkKey: e.IMPRINT_LINK_METADATA_KEY,
    currencyCode: e.CURRENCY_CODE,
    lookupLimits: {
      maxEntities: e.MAX_ENTITIES_PER_REQUEST,
      maxCustomersPerQuery: e.MAX_CUSTOMERS_PER_QUERY,
      maxCustomersPerRequest: e.MAX_CUSTOMERS_PER_REQUEST,
    },
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
    // GraphiQL needs introspection to show the schema, so enabling it in production enables both.
    introspection: e.INTROSPECTION ?? (e.NODE_ENV !== 'production' || e.GRAPHIQL === true),
    maskErrorDetails: e.NODE_ENV === 'production',
    queryLimits: {
      maxDepth: e.MAX_QUERY_DEPTH,
      maxAliases: e.MAX_QUERY_ALIASES,
      maxCost: e.MAX_QUERY_COST,
      maxTokens: e.MAX_QUERY_TOKENS,
      maxDirectives: e.MAX_QUERY_DIRECTIVES,
    },
    compileAfter: e.GRAPHQL_COMPILE_AFTER === 'off' ? null : e.GRAPHQL_COMPILE_AFTER,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    tracing: { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT ?? null, serviceName: e.OTEL_SERVICE_NAME },
    cache:
      e.CACHE === 'off'
        ? null
        : {
            ttlSeconds: e.CACHE_TTL_SECONDS,
            negativeTtlSeconds: Math.min(e.CACHE_NEGATIVE_TTL_SECONDS, e.CACHE_TTL_SECONDS),
            staleIfErrorSeconds: e.CACHE_STALE_IF_ERROR_SECONDS,
            maxEntries: e.CACHE_MAX_ENTRIES,
          },
    redis: e.REDIS_URL ? { url: e.REDIS_URL, timeoutMs: e.REDIS_TIMEOUT_MS, keyPrefix: e.REDIS_KEY_PREFIX } : null,
    auth: {
      tokens: {
        secret: e.AUTH_JWT_SECRET ?? (sandbox && !e.AUTH_JWKS_URL ? SANDBOX_JWT_SECRET : null),
        jwksUrl: e.AUTH_JWKS_URL ?? null,
        issuer: e.AUTH_ISSUER ?? null,
        audience: e.AUTH_AUDIENCE ?? null,
        maxTokenAgeSeconds: e.AUTH_MAX_TOKEN_AGE_SECONDS ?? null,
      },
      required: e.AUTH_REQUIRED,
      routerSecret: e.ROUTER_SECRET ?? null,
      directivesInSdl: e.AUTH_DIRECTIVES_IN_SDL,
    },
  };
}
