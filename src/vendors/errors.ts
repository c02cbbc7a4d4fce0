import type { VendorName } from './endpoints.js';

/** What went wrong upstream, in terms a caller can act on. */
export type UpstreamFailure =
  | 'unavailable' // network error, 5xx, the circuit is open, or our own queue for the vendor is full
  | 'timeout'
  | 'rate_limited' // 429, or no slot of our quota for the vendor before the request's deadline
  | 'unauthorized' // 401/403: our credentials for the vendor are wrong
  | 'rejected' // another 4xx: the vendor refused the request as sent
  | 'bad_response'; // a 2xx whose body is not the documented payload

/**
 * A failed vendor call. The message is safe to show a client: it never carries the URL (which
 * holds a customer id), credentials or the vendor's response body.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  /** How long the vendor asked us to wait before trying again (Retry-After and the like). */
  readonly retryAfterMs: number | undefined;
  /**
   * Decided on our side, so it says nothing about the vendor's health: the circuit is open, there
   * was no quota slot in time or room in the queue, or the request's deadline passed (or the request
   * was over) during the call.
   */
  readonly rejectedLocally: boolean;
  /**
   * Worth another attempt of the same read: a network failure, or a 429/502/503/504 whose
   * requested wait ends within the request's deadline. Only the vendor layer, which knows the
   * deadline, says so.
   */
  readonly retryable: boolean;
  /** The vendor's id for the failed call (for its support), when it sent one. */
  readonly vendorRequestId: string | undefined;

  constructor(
    readonly vendor: VendorName,
    readonly failure: UpstreamFailure,
    readonly status?: number,
    options: {
      cause?: unknown;
      retryAfterMs?: number;
      rejectedLocally?: boolean;
      retryable?: boolean;
      vendorRequestId?: string;
    } = {},
  ) {
    super(describe(vendor, failure, status, options.rejectedLocally ?? false), { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.rejectedLocally = options.rejectedLocally ?? false;
    this.retryable = options.retryable ?? false;
    this.vendorRequestId = options.vendorRequestId;
  }

  /** A sign the vendor is struggling (what a circuit breaker counts), not a problem with the request. */
  get countsAgainstVendor(): boolean {
    return (
      !this.rejectedLocally &&
      (this.failure === 'unavailable' || this.failure === 'timeout' || this.failure === 'rate_limited')
    );
  }
}

/** Each vendor's name as the error messages write it. */
export const vendorTitles: Record<VendorName, string> = {
  gameball: 'Gameball',
  voucherify: 'Voucherify',
  imprint: 'Imprint',
};

function describe(vendor: VendorName, failure: UpstreamFailure, status: number | undefined, local: boolean): string {
  const title = vendorTitles[vendor];
  // Our own quota, not the vendor's answer: the caller should not go looking for a vendor problem.
  if (failure === 'rate_limited' && local) return `This service's quota of ${title} calls is in use; try again shortly`;
  switch (failure) {
    case 'unavailable':
      return `${title} is unavailable`;
    case 'timeout':
      return `${title} did not answer in time`;
    case 'rate_limited':
      return `${title} is rate limiting requests`;
    case 'unauthorized':
      return `${title} refused this service's credentials`;
    case 'rejected':
      return `${title} rejected the request (HTTP ${status ?? 'error'})`;
    case 'bad_response':
      return `${title} sent a response that does not match its documented format`;
  }
}

/** What was thrown, as an Error: a rejection may carry anything. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
