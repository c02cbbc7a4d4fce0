import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A client-side rate limit (GCRA, the token bucket's "virtual scheduling" form): on average
 * `perSecond` calls a second, with bursts of up to `burst` calls. Callers over the rate wait for
 * their slot; a caller whose signal aborts while waiting gives up. cockatiel has no rate limiter,
 * and this one is a few lines with no timers unless someone has to wait.
 */
export class RateLimiter {
  private readonly interval: number;
  private readonly tolerance: number;
  /** The theoretical arrival time of the next call, in performance.now() milliseconds. */
  private nextAt = 0;

  constructor(perSecond: number, burst: number) {
    this.interval = 1000 / perSecond;
    this.tolerance = this.interval * Math.max(0, burst - 1);
  }

  /** Resolves when the call may go; rejects with the signal's reason if it aborts first. */
  async acquire(signal: AbortSignal): Promise<void> {
    const now = performance.now();
    const at = Math.max(this.nextAt, now);
    this.nextAt = at + this.interval;
    const wait = at - this.tolerance - now;
    if (wait > 0) await sleep(wait, undefined, { signal });
  }
}
