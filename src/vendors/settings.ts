import type { VendorName } from './endpoints.js';

/** Where each vendor is and how to authenticate: from the environment, or the sandbox fakes. */
export interface VendorSettings {
  gameball: { baseUrl: string; apiKey: string; secretKey: string };
  voucherify: { baseUrl: string; appId: string; appToken: string };
  imprint: { baseUrl: string; apiKey: string };
}

/** Resilience limits applied to every vendor call. */
export interface VendorLimits {
  /** One attempt's timeout. */
  timeoutMs: number;
  /** Calls in flight to one vendor at once, across all requests. */
  maxConcurrency: number;
  /** Calls waiting for a slot before new ones fail fast. */
  maxQueue: number;
  /** The largest response body read from a vendor; a longer one is refused, not buffered. */
  maxResponseBytes: number;
  /** Retries of an idempotent read after a transient failure (0: none). */
  maxRetries: number;
  /** The first retry waits up to this long, doubling each time (full jitter). */
  retryBaseDelayMs: number;
  /** Consecutive failures after which a vendor's circuit opens. */
  breakerThreshold: number;
  /** How long an open circuit fails fast before one call probes the vendor again. */
  breakerHalfOpenAfterMs: number;
  /** Client-side rate limit per vendor: calls a second on average, and the burst allowed. */
  rateLimits: Record<VendorName, { perSecond: number; burst: number }>;
}
