import type { VendorLimits } from '../../src/vendors/settings.js';

/**
 * Vendor limits for tests that construct clients directly: no retries and a breaker that does not
 * trip, so a test sees each call's own outcome; tests of the resilience policies set them.
 */
export function testLimits(overrides: Partial<VendorLimits> = {}): VendorLimits {
  const unlimited = { perSecond: 1_000_000, burst: 1_000_000 };
  return {
    timeoutMs: 1_000,
    maxConcurrency: 8,
    maxQueue: 100,
    maxResponseBytes: 1_048_576,
    maxRetries: 0,
    retryBaseDelayMs: 10,
    breakerThreshold: 1_000,
    breakerHalfOpenAfterMs: 1_000,
    rateLimits: { gameball: unlimited, voucherify: unlimited, imprint: unlimited },
    ...overrides,
  };
}
