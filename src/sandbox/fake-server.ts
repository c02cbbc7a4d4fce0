import {
  STATUS_CODES,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VendorEndpoint } from '../vendors/endpoints.js';

// The HTTP plumbing the three vendor fakes share: routing, path-id decoding, faults, quotas, latency,
// call recording and JSON responses. A vendor fake only describes its routes, credentials and error body.

/** Answer with this status (and body, else the vendor's error body) instead. */
export interface SandboxFault {
  status: number;
  body?: string;
}
/** A fault, or `{ malformed: true }`: a 200 whose body is not valid JSON. */
export type SandboxFaultSpec = SandboxFault | { malformed: true };

export interface SandboxCall {
  endpoint: VendorEndpoint;
  /** The decoded path id; for upsert, the body's customerId ('' when it has none). */
  key: string;
  /** The HTTP status sent. */
  status: number;
}

export interface RouteRequest {
  /** The percent-decoded path id; '' on a route without one. */
  id: string;
  body: string;
}

export interface RouteAnswer {
  status: number;
  /** Sent as JSON. */
  body: unknown;
}

export interface FakeRoute {
  endpoint: VendorEndpoint;
  method: 'GET' | 'POST' | 'DELETE';
  /** Literal segments, and `:id` for one non-empty segment holding the customer id. */
  path: string;
  /** null when the request's credentials are right for this route, else why not (sent with a 401). */
  refuse(headers: IncomingHttpHeaders): string | null;
  /** The call's key on a route without a path id. */
  keyOf?(body: string): string;
  answer(request: RouteRequest): RouteAnswer;
}

export interface FakeVendor {
  routes: FakeRoute[];
  /** The routes the vendor's quota counts (all of them when absent). */
  metered?(route: FakeRoute): boolean;
  /** The vendor's error body, for refusals, bad requests, unknown routes and faults without a body. */
  errorBody(status: number, message: string): unknown;
}

/**
 * A sliding-window quota, per account (the fakes accept one): at most `limit` calls in any
 * `windowMs`; beyond it, 429 with `Retry-After`. Refused calls do not count.
 */
export interface SandboxQuota {
  limit: number;
  windowMs: number;
}

export interface FakeServerOptions {
  host: string;
  latencyMs: number;
  /** Shared by the three fakes: every routed request is appended here. */
  calls: SandboxCall[];
  faults: ReadonlyMap<VendorEndpoint, SandboxFaultSpec>;
  /** None when absent: every call is answered. */
  quota?: SandboxQuota;
}

export interface FakeServer {
  /** `http://<host>:<port>`, without a trailing slash. */
  baseUrl: string;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  text: string;
  headers?: Record<string, string>;
}

interface CompiledRoute {
  route: FakeRoute;
  segments: string[];
}

const idSegment = ':id';
/** Bigger bodies are refused: no client of ours sends more than a few kilobytes. */
const maxBodyBytes = 1_048_576;
const malformedJson = '{"customerId": "cust_';

/** The first value of a request header (node lower-cases header names). */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export async function startFakeServer(vendor: FakeVendor, options: FakeServerOptions): Promise<FakeServer> {
  const routes: CompiledRoute[] = vendor.routes.map((route) => ({ route, segments: route.path.split('/').slice(1) }));
  // Aborts the latency waits, so closing never waits for them.
  const shutdown = new AbortController();
  const errorReply = (status: number, message: string): Reply => ({
    status,
    text: JSON.stringify(vendor.errorBody(status, message)),
  });
  const quota = options.quota ? slidingWindow(options.quota) : null;

  function handle(route: FakeRoute, rawId: string | undefined, request: IncomingMessage, body: Body): Reply {
    const { id, key } = targetOf(route, rawId, body.text);
    const reply = replyTo(route, id, request.headers, body);
    options.calls.push({ endpoint: route.endpoint, key, status: reply.status });
    return reply;
  }

  function replyTo(route: FakeRoute, id: string | null, headers: IncomingHttpHeaders, body: Body): Reply {
    const fault = options.faults.get(route.endpoint);
    if (fault) return faultReply(fault);
    if (body.tooLarge) return errorReply(413, 'Request body too large');
    const refusal = route.refuse(headers);
    if (refusal !== null) return errorReply(401, refusal);
    if (quota && (vendor.metered?.(route) ?? true)) {
      const waitMs = quota.admit();
      if (waitMs !== null) {
        // Whole seconds (RFC 9110's delay-seconds), rounded up so that the retry is admitted.
        const retryAfter = String(Math.max(1, Math.ceil(waitMs / 1000)));
        return { ...errorReply(429, 'Rate limit exceeded'), headers: { 'retry-after': retryAfter } };
      }
    }
    if (id === null) return errorReply(400, 'The customer id in the path is not valid percent-encoding');
    try {
      const answer = route.answer({ id, body: body.text });
      return { status: answer.status, text: JSON.stringify(answer.body) };
    } catch {
      // A bug in a fake: answer (and record) a 500 rather than take the process down.
      return errorReply(500, 'Internal Server Error');
    }
  }

  function faultReply(fault: SandboxFaultSpec): Reply {
    if ('malformed' in fault) return { status: 200, text: malformedJson };
    if (fault.body !== undefined) return { status: fault.status, text: fault.body };
    return errorReply(fault.status, STATUS_CODES[fault.status] ?? 'Error');
  }

  async function respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const matched = match(routes, request.method, request.url);
    const body = await readBody(request);
    if (body === null) return; // the client went away
    const reply = matched ? handle(matched.route, matched.rawId, request, body) : errorReply(404, 'No such route');
    if (options.latencyMs > 0) {
      try {
        await sleep(options.latencyMs, undefined, { signal: shutdown.signal });
      } catch {
        return; // closing: the connection is being destroyed
      }
    }
    send(response, reply);
  }

  const server = createServer((request, response) => {
    // Never let a request crash the process.
    respond(request, response).catch(() => send(response, errorReply(500, 'Internal Server Error')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    baseUrl: baseUrlOf(server.address() as AddressInfo),
    close() {
      closing ??= new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => resolve());
        // Keep-alive sockets (the clients pool connections) would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** `admit()`: null when the call fits the quota (and is counted), else the ms until one would. */
function slidingWindow({ limit, windowMs }: SandboxQuota): { admit(): number | null } {
  // The last `limit` admitted calls' times, oldest at `next` once full.
  const admitted: number[] = [];
  let next = 0;
  return {
    admit() {
      const now = performance.now();
      if (admitted.length < limit) {
        admitted.push(now);
        return null;
      }
      const oldest = admitted[next] ?? now;
      if (now - oldest < windowMs) return oldest + windowMs - now;
      admitted[next] = now;
      next = (next + 1) % limit;
      return null;
    },
  };
}

function match(
  routes: readonly CompiledRoute[],
  method: string | undefined,
  url: string | undefined,
): { route: FakeRoute; rawId: string | undefined } | null {
  // Only origin-form targets ("/path?query"); "*" and absolute URLs route nowhere.
  if (!url?.startsWith('/')) return null;
  const segments = (url.split(/[?#]/, 1)[0] ?? '').split('/').slice(1);
  for (const { route, segments: pattern } of routes) {
    if (route.method !== method || pattern.length !== segments.length) continue;
    let rawId: string | undefined;
    const matches = pattern.every((literal, index) => {
      const segment = segments[index] ?? '';
      if (literal !== idSegment) return literal === segment;
      rawId = segment;
      return segment !== '';
    });
    if (matches) return { route, rawId };
  }
  return null;
}

/** The decoded path id (null when it is not valid percent-encoding) and the call's key. */
function targetOf(route: FakeRoute, rawId: string | undefined, body: string): { id: string | null; key: string } {
  if (rawId === undefined) return { id: '', key: route.keyOf?.(body) ?? '' };
  try {
    const id = decodeURIComponent(rawId);
    return { id, key: id };
  } catch {
    return { id: null, key: rawId };
  }
}

interface Body {
  text: string;
  tooLarge: boolean;
}

/** The whole request body (so keep-alive connections stay usable); null when the request failed. */
function readBody(request: IncomingMessage): Promise<Body | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    request.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > maxBodyBytes }));
    request.on('error', () => resolve(null));
  });
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(reply.text),
  });
  response.end(reply.text);
}

function baseUrlOf(address: AddressInfo): string {
  // A server on every interface is reached through loopback.
  const unspecified = address.address === '0.0.0.0' || address.address === '::';
  const host = unspecified ? (address.family === 'IPv6' ? '::1' : '127.0.0.1') : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}
