import { EventEmitter, setMaxListeners } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  TaskCancelledError,
  circuitBreaker,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
  type IPolicy,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { Span } from '@opentelemetry/api';
import type { z } from 'zod';
import type { VendorEndpoint, VendorName } from './endpoints.js';
import { UpstreamError, type UpstreamFailure } from './errors.js';
import type { RedisLink } from '../redis.js';
import {
  LocalTokens,
  QuotaRefusal,
  SharedTokens,
  VendorQuota,
  type QuotaCaller,
  type RateLimit,
  type Release,
} from './quota.js';
import type { VendorLimits } from './settings.js';

export interface VendorHttpOptions extends Omit<VendorLimits, 'rateLimits'> {
  vendor: VendorName;
  /** Origin plus optional path prefix, without a trailing slash. */
  baseUrl: string;
  /** Headers sent on every call (credentials). */
  headers: Record<string, string>;
  rateLimit: RateLimit;
  /**
   * Whether a 404's body (parsed JSON, or undefined) is the vendor's documented "no such customer".
   * A 404 without it (a wrong base URL or route, a proxy's page) is an upstream error, not a
   * missing customer.
   */
  isNotFound(body: unknown): boolean;
  /** When set, the rate limit is shared by every replica (a global limit), else this process's own. */
  redis?: RedisLink | null;
  observer?: VendorCallObserver;
}

export interface VendorRequest {
  /** The endpoint's name in metrics, traces and logs. */
  endpoint: VendorEndpoint;
  method: 'GET' | 'POST' | 'DELETE';
  /** Built with `pathOf`, so ids are encoded. */
  path: string;
  body?: unknown;
  /** Headers for this endpoint only (e.g. a secret key). */
  headers?: Record<string, string>;
}

/**
 * What every vendor call of one GraphQL request shares: its deadline (the signal aborts at
 * `deadlineAt`, epoch milliseconds, or once the request is over; retries and waits included), its
 * request id (sent to the vendors as `x-request-id`), who is asking (vendor quota is shared fairly
 * between callers), and a count of the vendor calls it made.
 */
export interface RequestScope {
  readonly signal: AbortSignal;
  /** The same abort, for the many listeners of the calls in flight: see `CallAborts`. */
  readonly callAborts: CallAborts;
  readonly deadlineAt: number;
  readonly requestId: string | null;
  /** Who the calls are for, in the vendor quotas: one queue per caller, served round-robin. */
  readonly caller: QuotaCaller;
  vendorCalls: number;
  /** Cached values served past their TTL because their vendor failed: the response says so. */
  readonly staleReads: StaleRead[];
  /** The request's trace span, when tracing is on: vendor call spans are its children. */
  span: Span | null;
}

/**
 * What says that a request is over: node:http's response, closed once it is sent or the client
 * has left. Listened to directly: an AbortController of its own per request, aborted at its end,
 * cost about 8 µs of CPU per request (17.5 µs against 9.4 for a scope's life, created then closed).
 */
export interface RequestEnd {
  readonly closed: boolean;
  once(event: 'close', listener: () => void): unknown;
}

export function requestScope(
  deadlineMs: number,
  options: { requestId?: string | null; caller?: QuotaCaller; ended?: RequestEnd } = {},
): RequestScope {
  // One controller, one timer cleared when the request ends, and reasons made once: per request,
  // AbortSignal.timeout and AbortSignal.any hold timers and weak references, and an abort without
  // a reason builds a DOMException with its stack.
  const controller = new AbortController();
  const abort = (reason: unknown) => {
    clearTimeout(timer);
    controller.abort(reason);
  };
  const timer = setTimeout(abort, deadlineMs, deadlinePassed).unref();
  const { ended } = options;
  if (ended?.closed) abort(requestOver);
  else ended?.once('close', () => abort(requestOver));
  const { signal } = controller;
  // Every call waiting for a quota slot listens to it; dozens at once are normal.
  setMaxListeners(0, signal);
  const deadlineAt = Date.now() + deadlineMs;
  deadlines.set(signal, deadlineAt);
  return {
    signal,
    callAborts: new CallAborts(signal),
    deadlineAt,
    requestId: options.requestId ?? null,
    caller: options.caller ?? unscopedCaller,
    vendorCalls: 0,
    staleReads: [],
    span: null,
  };
}

/** The reasons a request's vendor calls are given up: its deadline passed, or its response closed. */
const deadlinePassed = new DOMException('The request ran out of time', 'TimeoutError');
const requestOver = new DOMException('The request is over', 'AbortError');

/**
 * A request's abort as an EventEmitter, for its vendor calls to listen to (`transfer`). Each call
 * in flight adds a listener, and an AbortSignal's addEventListener first walks every listener
 * already there: with a hundred calls of one request in flight, 3 % of the CPU. An emitter adds in
 * constant time; it listens to the signal once and reads its state from it.
 */
export class CallAborts extends EventEmitter {
  constructor(private readonly signal: AbortSignal) {
    super();
    this.setMaxListeners(0);
    signal.addEventListener('abort', () => this.emit('abort'), { once: true });
  }

  get aborted(): boolean {
    return this.signal.aborted;
  }

  /** `deadlinePassed` or `requestOver`: Errors both. */
  get reason(): Error {
    return this.signal.reason as Error;
  }
}

/** A cached value served past its freshness because the vendor failed (stale-if-error). */
export interface StaleRead {
  /** The vendor endpoint, e.g. `gameball.profile`. */
  readonly endpoint: string;
  /** The lookup key: a merchant id, or a Voucherify id. */
  readonly key: string;
  /** How old the value is. */
  readonly ageSeconds: number;
  /** Why it was not fetched fresh: the vendor failure's message. */
  readonly reason: string;
}

/** Who calls made outside a GraphQL request (tests, scripts) are for. */
const unscopedCaller: QuotaCaller = { group: 'unscoped', id: '' };

/**
 * The retry policy is built once per vendor and cockatiel hands its backoff only the request's
 * signal, so the deadline is found from the signal.
 */
const deadlines = new WeakMap<AbortSignal, number>();

/** For calls outside a GraphQL request (tests, scripts): no deadline but the attempts' timeouts. */
function unscoped(): RequestScope {
  return {
    signal: neverAborted,
    callAborts: neverCallAborted,
    deadlineAt: Number.POSITIVE_INFINITY,
    requestId: null,
    caller: unscopedCaller,
    vendorCalls: 0,
    staleReads: [],
    span: null,
  };
}
const neverAborted = new AbortController().signal;
setMaxListeners(0, neverAborted);
const neverCallAborted = new CallAborts(neverAborted);

/** Told about every vendor HTTP attempt, for metrics and tracing. */
export interface VendorCallObserver {
  /** Called when an attempt starts; the returned function when it ends, with the HTTP status (0: none). */
  attempt(vendor: VendorName, endpoint: VendorEndpoint, scope: RequestScope): (status: number) => void;
  breakerState(vendor: VendorName, state: 'closed' | 'open' | 'half-open'): void;
  /** A call got no slot of the vendor's quota, and the vendor was not called. */
  quotaRefused(vendor: VendorName, reason: QuotaRefusal['reason']): void;
}

const unobserved: VendorCallObserver = {
  attempt: () => () => undefined,
  breakerState: () => undefined,
  quotaRefused: () => undefined,
};

const breakerStates: Partial<Record<CircuitState, 'closed' | 'open' | 'half-open'>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/** Worth another attempt: the vendor may answer differently in a moment. */
const transientStatuses = new Set([429, 502, 503, 504]);

/**
 * The one place where vendor HTTP happens. Per attempt: a slot of the vendor's quota (rate limit
 * and concurrency cap, shared fairly between callers), timeout (undici's own: to connect, until
 * the headers, then between body chunks).
 * Around the attempts: a circuit breaker per vendor, and for idempotent reads retries with
 * exponential backoff and full jitter that honour Retry-After and Voucherify's
 * X-Rate-Limit-Retry, all within the request's deadline. Then status mapping and payload
 * validation. Clients describe endpoints; this runs them.
 */
export class VendorHttp {
  readonly vendor: VendorName;
  readonly breaker: CircuitBreakerPolicy;
  private readonly agent: Agent;
  private readonly quota: VendorQuota;
  /** Reads are retried (each attempt takes a quota slot, then goes through the breaker); writes are not. */
  private readonly retries: IPolicy;
  /** The base URL's origin, and its path prefix ('' or e.g. '/v1', without a trailing slash). */
  private readonly baseUrl: string;
  private readonly basePath: string;
  private readonly headers: Record<string, string>;
  private readonly observer: VendorCallObserver;

  constructor(private readonly options: VendorHttpOptions) {
    this.observer = options.observer ?? unobserved;
    this.vendor = options.vendor;
    const base = new URL(options.baseUrl.replace(/\/+$/, ''));
    this.baseUrl = base.origin;
    this.basePath = base.pathname === '/' ? '' : base.pathname;
    this.headers = { accept: 'application/json', ...options.headers };
    // The attempt timeout is undici's, not a cockatiel timeout policy: that one derives an
    // AbortController and a timer per call, a measured 40 µs of CPU per vendor call under load.
    this.agent = new Agent({
      connections: options.maxConcurrency,
      keepAliveTimeout: 10_000,
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    this.quota = new VendorQuota(
      { ...options.rateLimit, maxConcurrency: options.maxConcurrency, maxQueue: options.maxQueue },
      options.redis
        ? new SharedTokens(options.redis, `quota:${options.vendor}`, options.rateLimit)
        : new LocalTokens(options.rateLimit),
    );
    // What says "the vendor is struggling": not 4xx answers, which are about the request, and
    // nothing decided on our side (our deadline, our quota, our own bugs).
    this.breaker = circuitBreaker(
      handleWhen((error) => error instanceof UpstreamError && error.countsAgainstVendor),
      { halfOpenAfter: options.breakerHalfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breakerThreshold) },
    );
    this.breaker.onStateChange((state) => this.observer.breakerState(this.vendor, breakerStates[state] ?? 'open'));
    this.retries = this.retryPolicy();
  }

  /** The validated payload, `null` on 404; rejects with an `UpstreamError`. */
  json<T>(request: VendorRequest, schema: z.ZodType<T>, scope: RequestScope = unscoped()): Promise<T | null> {
    return this.exchange(request, scope, (body) => this.parse(body, schema));
  }

  /** For calls whose body is not needed: true when done, false on 404. */
  async send(request: VendorRequest, scope: RequestScope = unscoped()): Promise<boolean> {
    // The body is still read to its end (and within its cap) before the call counts as done.
    const done = await this.exchange(request, scope, () => true);
    return done ?? false;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async exchange<T>(call: VendorRequest, scope: RequestScope, read: (body: Buffer) => T): Promise<T | null> {
    // Serialised before any policy: a body that cannot be serialised is our bug, not a vendor failure.
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    // Each attempt and the policies around it run on the request's signal: cockatiel passes it on.
    const attempt = () => this.attempt(call, body, scope, read);
    try {
      // Writes are never retried blindly: a lost answer does not mean a lost write.
      return call.method === 'GET' ? await this.retries.execute(attempt, scope.signal) : await attempt();
    } catch (error) {
      throw this.classify(error, scope);
    }
  }

  /**
   * One attempt: a quota slot, then the call through the breaker. The slot is taken outside the
   * breaker, so a call the quota refuses or that runs out of time waiting is no verdict on the
   * vendor, not even for a half-open circuit's probe.
   */
  private async attempt<T>(
    call: VendorRequest,
    body: string | undefined,
    scope: RequestScope,
    read: (body: Buffer) => T,
  ): Promise<T | null> {
    let release: Release;
    try {
      release = await this.quota.acquire(scope.caller, scope.deadlineAt, scope.signal);
    } catch (error) {
      throw this.classify(error, scope);
    }
    try {
      return await this.breaker.execute(() => this.call(call, body, scope, read), scope.signal);
    } catch (error) {
      throw this.classify(error, scope);
    } finally {
      release();
    }
  }

  private async call<T>(
    call: VendorRequest,
    body: string | undefined,
    scope: RequestScope,
    read: (body: Buffer) => T,
  ): Promise<T | null> {
    scope.vendorCalls += 1;
    const done = this.observer.attempt(this.vendor, call.endpoint, scope);
    let status = 0;
    try {
      const {
        statusCode,
        headers,
        body: received,
      } = await this.transfer(scope, {
        origin: this.baseUrl,
        path: this.basePath + call.path,
        method: call.method,
        headers: {
          ...this.headers,
          ...call.headers,
          ...(scope.requestId ? { 'x-request-id': scope.requestId } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body,
      });
      status = statusCode;
      if (isSuccess(statusCode)) return read(received);
      // Error bodies are parsed for two fields only and never logged or kept: they may echo
      // personal data or credentials.
      const errorBody = parseOrUndefined(received);
      if (statusCode === 404 && this.options.isNotFound(errorBody)) return null;
      const retryAfterMs = retryAfterOf(headers);
      throw new UpstreamError(this.vendor, failureForStatus(statusCode), statusCode, {
        cause: statusCode === 404 ? 'a 404 without the vendor’s not-found body' : undefined,
        vendorRequestId: vendorRequestIdOf(headers, errorBody),
        retryAfterMs,
        // Worth another attempt only if the wait the vendor asks for ends before the deadline.
        retryable: transientStatuses.has(statusCode) && Date.now() + (retryAfterMs ?? 0) < scope.deadlineAt,
      });
    } catch (error) {
      // Classified here, inside the breaker and the retries, so both see what kind of failure it was.
      throw this.classify(error, scope, { fromVendor: true });
    } finally {
      done(status);
    }
  }

  private retryPolicy() {
    const { maxRetries, retryBaseDelayMs } = this.options;
    return retry(
      handleWhen((error) => error instanceof UpstreamError && error.retryable),
      {
        maxAttempts: maxRetries,
        backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) => {
          const hinted =
            'error' in context.result && context.result.error instanceof UpstreamError
              ? context.result.error.retryAfterMs
              : undefined;
          const jittered = Math.random() * retryBaseDelayMs * 2 ** (context.attempt - 1);
          const deadlineAt = deadlines.get(context.signal) ?? Number.POSITIVE_INFINITY;
          return Math.max(0, Math.min(hinted ?? jittered, deadlineAt - Date.now()));
        }),
      },
    );
  }

  private parse<T>(body: Buffer, schema: z.ZodType<T>): T {
    const json = parseOrUndefined(body);
    if (json === undefined)
      throw new UpstreamError(this.vendor, 'bad_response', undefined, { cause: 'malformed JSON' });
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      // Only the paths of the offending fields are kept: the values may be personal data.
      const paths = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
      throw new UpstreamError(this.vendor, 'bad_response', undefined, { cause: paths });
    }
    return parsed.data;
  }

  /**
   * One HTTP exchange through undici's dispatch API, its whole body collected by the handler:
   * `request()` would wrap each body in a Readable stream, a measured 25 µs of CPU per call more.
   * The body is capped: VENDOR_MAX_RESPONSE_BYTES for a 2xx, whose longer body (a vendor bug, or a
   * hostile upstream) is refused before it is buffered; 16 KiB for an error, whose longer body is
   * dropped unread (an empty body). The request's abort (deadline, or the request over), undici's
   * timeouts and a dropped connection reject, for the caller to classify.
   */
  private transfer(scope: RequestScope, options: Dispatcher.DispatchOptions): Promise<VendorResponse> {
    const { callAborts } = scope;
    // Already over: no connection is taken for it.
    if (callAborts.aborted) return Promise.reject(callAborts.reason);
    return new Promise((resolve, reject) => {
      let controller: Dispatcher.DispatchController | null = null;
      const onAbort = () => controller?.abort(callAborts.reason);
      callAborts.once('abort', onAbort);
      const settle = () => callAborts.removeListener('abort', onAbort);
      const chunks: Buffer[] = [];
      let size = 0;
      let statusCode = 0;
      let headers: IncomingHttpHeaders = {};
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (started) => {
          controller = started;
          // Aborted while it waited for a connection.
          if (callAborts.aborted) onAbort();
        },
        onResponseStart: (_, status, received) => {
          statusCode = status;
          headers = received;
        },
        onResponseData: (started, chunk) => {
          size += chunk.length;
          if (size <= (isSuccess(statusCode) ? this.options.maxResponseBytes : maxErrorBodyBytes)) {
            return void chunks.push(chunk);
          }
          settle();
          if (isSuccess(statusCode)) {
            reject(new UpstreamError(this.vendor, 'bad_response', undefined, { cause: 'response too large' }));
          } else resolve({ statusCode, headers, body: Buffer.alloc(0) });
          // The rest is never read: the connection is closed.
          started.abort(responseDropped);
        },
        onResponseEnd: () => {
          settle();
          resolve({ statusCode, headers, body: Buffer.concat(chunks, size) });
        },
        onResponseError: (_, error) => {
          settle();
          reject(error);
        },
      };
      this.agent.dispatch(options, handler);
    });
  }

  /**
   * What a failure says about the vendor. What the vendor did (an answer, a timeout, a dropped
   * connection, a broken response) is its failure, counted by the breaker and maybe retried. What we
   * decided (circuit open, no quota slot, our deadline, the request over) is a local failure that
   * says nothing about the vendor. Anything else is our own bug, passed on as it is.
   */
  private classify(error: unknown, scope: RequestScope, { fromVendor = false } = {}): unknown {
    if (error instanceof UpstreamError) return error;
    const local = (failure: UpstreamFailure, cause: string) =>
      new UpstreamError(this.vendor, failure, undefined, { rejectedLocally: true, cause });
    if (error instanceof BrokenCircuitError) return local('unavailable', 'circuit open');
    if (error instanceof QuotaRefusal) {
      this.observer.quotaRefused(this.vendor, error.reason);
      return error.reason === 'deadline'
        ? local('rate_limited', 'no quota slot before the deadline')
        : local('unavailable', 'queue full');
    }
    // Whatever undici or cockatiel made of it, an abort is ours: the deadline, or the request over.
    if (scope.signal.aborted || error instanceof TaskCancelledError) {
      return local('timeout', 'request deadline');
    }
    if (
      error instanceof undiciErrors.ConnectTimeoutError ||
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError
    ) {
      return new UpstreamError(this.vendor, 'timeout');
    }
    // Thrown while talking to the vendor (connection refused or dropped, TLS, malformed HTTP):
    // another attempt may well succeed. Only undici's complaints about how it was called are ours.
    if (fromVendor && !localUndiciErrors.some((type) => error instanceof type)) {
      return new UpstreamError(this.vendor, 'unavailable', undefined, { cause: errorCode(error), retryable: true });
    }
    return error;
  }
}

/** undici's errors about how it was used, not about the connection: our bugs or our shutdown. */
const localUndiciErrors = [
  undiciErrors.InvalidArgumentError,
  undiciErrors.InvalidReturnValueError,
  undiciErrors.RequestAbortedError,
  undiciErrors.RequestContentLengthMismatchError,
  undiciErrors.NotSupportedError,
  undiciErrors.ClientDestroyedError,
  undiciErrors.ClientClosedError,
];

/** A top-level field of a parsed JSON body, if it is an object. */
export function fieldOf(body: unknown, name: string): unknown {
  return body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

/** Larger error bodies are dropped unread. */
const maxErrorBodyBytes = 16_384;

/** What `transfer` answers: the status, the headers and the body (empty: an error body over its cap). */
interface VendorResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Why undici is told to stop reading a body whose answer is already settled. */
const responseDropped = new Error('Response body over its cap, dropped');

const isSuccess = (status: number) => status >= 200 && status < 300;

/** The body as JSON, or undefined when it is not JSON (JSON itself never yields undefined). */
function parseOrUndefined(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The id the vendor's support asks for: an `x-request-id` header, or Voucherify's `request_id` in
 * its error body. Only a plain token is kept (it is logged).
 */
function vendorRequestIdOf(headers: Dispatcher.ResponseData['headers'], body: unknown): string | undefined {
  const header = headers['x-request-id'];
  const id = typeof header === 'string' ? header : fieldOf(body, 'request_id');
  return typeof id === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? id : undefined;
}

function failureForStatus(status: number): UpstreamError['failure'] {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}

const asctime = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;
const httpDates = [
  /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/, // IMF-fixdate
  /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/, // RFC 850
  asctime, // in GMT, though it does not say so
];

/**
 * How long the vendor asks us to wait: `Retry-After` in seconds or as an HTTP date, or
 * Voucherify's `X-Rate-Limit-Retry`, the Unix time (seconds, or milliseconds) of the next allowed call.
 */
export function retryAfterOf(headers: Dispatcher.ResponseData['headers']): number | undefined {
  const first = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const retryAfter = first('retry-after')?.trim() ?? '';
  // RFC 9110: delay-seconds (a fraction or a sign tolerated) or an HTTP-date in one of its three
  // forms. Anything else (empty, "0x10", "5, 10", "abc 12") says nothing: the backoff decides,
  // rather than JavaScript's lenient parsers reading it as "retry now".
  if (/^-?\d+(?:\.\d+)?$/.test(retryAfter)) return Math.max(0, Number(retryAfter) * 1000);
  const date = httpDates.some((form) => form.test(retryAfter))
    ? Date.parse(asctime.test(retryAfter) ? `${retryAfter} GMT` : retryAfter)
    : NaN;
  if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  const epoch = Number(first('x-rate-limit-retry'));
  if (Number.isFinite(epoch) && epoch > 0) return Math.max(0, (epoch < 1e12 ? epoch * 1000 : epoch) - Date.now());
  return undefined;
}

function errorCode(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * Builds a path from a template, percent-encoding every interpolated value as one path segment,
 * so that an id can never add segments, a query or a fragment.
 */
export function pathOf(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((path, literal, index) => {
    if (index === 0) return literal;
    const value = values[index - 1] ?? '';
    // `.` and `..` survive percent-encoding as dot segments (the URL standard decodes %2E),
    // so they would address another resource: refuse them outright.
    if (value === '' || value === '.' || value === '..') {
      throw new RangeError('A path segment cannot be empty, "." or ".."');
    }
    return path + encodeURIComponent(value) + literal;
  }, '');
}
