export type VendorName = 'gameball' | 'voucherify' | 'imprint';

/** What went wrong upstream, in terms a caller can act on. */
export type UpstreamFailure =
  | 'unavailable' // network error, 5xx, or our own concurrency queue is full
  | 'timeout'
  | 'rate_limited' // 429
  | 'unauthorized' // 401/403: our credentials for the vendor are wrong
  | 'rejected' // another 4xx: the vendor refused the request as sent
  | 'bad_response'; // a 2xx whose body is not the documented payload

/**
 * A failed vendor call. The message is safe to show a client: it never carries the URL (which
 * holds a customer id), credentials or the vendor's response body.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';

  constructor(
    readonly vendor: VendorName,
    readonly failure: UpstreamFailure,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(describe(vendor, failure, status), options);
  }
}

const vendorTitles: Record<VendorName, string> = {
  gameball: 'Gameball',
  voucherify: 'Voucherify',
  imprint: 'Imprint',
};

function describe(vendor: VendorName, failure: UpstreamFailure, status?: number): string {
  const title = vendorTitles[vendor];
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
