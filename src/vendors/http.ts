import { Agent, request, errors as undiciErrors, type Dispatcher } from 'undici';
import {
  BulkheadRejectedError,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  timeout,
  wrap,
  type IPolicy,
} from 'cockatiel';
import type { z } from 'zod';
import { UpstreamError, type VendorName } from './errors.js';

export interface VendorHttpOptions {
  vendor: VendorName;
  /** Origin plus optional path prefix, without a trailing slash. */
  baseUrl: string;
  /** Headers sent on every call (credentials). */
  headers: Record<string, string>;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Calls in flight to this vendor at once, across all requests. */
  maxConcurrency: number;
  /** Calls waiting for a slot before new ones fail fast as unavailable. */
  maxQueue: number;
}

export interface VendorRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Built with `pathOf`, so ids are encoded. */
  path: string;
  body?: unknown;
  /** Headers for this endpoint only (e.g. a secret key). */
  headers?: Record<string, string>;
}

/**
 * The one place where vendor HTTP happens: connection pooling, credentials, timeout, concurrency
 * cap, status mapping and payload validation. Clients describe endpoints; this runs them.
 */
export class VendorHttp {
  readonly vendor: VendorName;
  private readonly agent: Agent;
  private readonly policy: IPolicy;
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;

  constructor(options: VendorHttpOptions) {
    this.vendor = options.vendor;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.headers = { accept: 'application/json', ...options.headers };
    this.agent = new Agent({ connections: options.maxConcurrency, keepAliveTimeout: 10_000 });
    this.policy = wrap(
      bulkhead(options.maxConcurrency, options.maxQueue),
      timeout(options.timeoutMs, TimeoutStrategy.Aggressive),
    );
  }

  /** The validated payload, `null` on 404; rejects with an `UpstreamError`. */
  json<T>(request: VendorRequest, schema: z.ZodType<T>): Promise<T | null> {
    return this.exchange(request, (body, signal) => this.parse(body, schema, signal));
  }

  /** For calls whose body is not needed: true when done, false on 404. */
  async send(request: VendorRequest): Promise<boolean> {
    const done = await this.exchange(request, async (body) => {
      await body.dump();
      return true;
    });
    return done ?? false;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async exchange<T>(
    call: VendorRequest,
    read: (body: Dispatcher.ResponseData['body'], signal: AbortSignal) => Promise<T>,
  ): Promise<T | null> {
    try {
      // A signal of its own per call: without one, cockatiel hangs every call's timeout listener
      // on one shared signal, which Node reports as a listener leak under load.
      return await this.policy.execute(async ({ signal }) => {
        const hasBody = call.body !== undefined;
        const response = await request(this.baseUrl + call.path, {
          method: call.method,
          dispatcher: this.agent,
          signal,
          headers: {
            ...this.headers,
            ...call.headers,
            ...(hasBody ? { 'content-type': 'application/json' } : {}),
          },
          body: hasBody ? JSON.stringify(call.body) : undefined,
        });
        const { statusCode, body } = response;
        if (statusCode >= 200 && statusCode < 300) return read(body, signal);
        // Error bodies are never read: they may echo personal data or credentials.
        await body.dump();
        if (statusCode === 404) return null;
        throw new UpstreamError(this.vendor, failureForStatus(statusCode), statusCode);
      }, new AbortController().signal);
    } catch (error) {
      throw this.toUpstreamError(error);
    }
  }

  private async parse<T>(body: Dispatcher.ResponseData['body'], schema: z.ZodType<T>, signal: AbortSignal): Promise<T> {
    let json: unknown;
    try {
      json = await body.json();
    } catch (cause) {
      if (signal.aborted) throw cause;
      throw new UpstreamError(this.vendor, 'bad_response', undefined, { cause: 'malformed JSON' });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      // Only the paths of the offending fields are kept: the values may be personal data.
      const paths = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
      throw new UpstreamError(this.vendor, 'bad_response', undefined, { cause: paths });
    }
    return parsed.data;
  }

  private toUpstreamError(error: unknown): UpstreamError {
    if (error instanceof UpstreamError) return error;
    if (error instanceof TaskCancelledError) return new UpstreamError(this.vendor, 'timeout');
    if (error instanceof BulkheadRejectedError) return new UpstreamError(this.vendor, 'unavailable');
    if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
      return new UpstreamError(this.vendor, 'timeout');
    }
    return new UpstreamError(this.vendor, 'unavailable', undefined, { cause: errorCode(error) });
  }
}

function failureForStatus(status: number): UpstreamError['failure'] {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'rejected';
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
