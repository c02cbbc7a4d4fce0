/** How much of a vendor this process may use: its rate limit and how many calls may be in flight. */
export interface QuotaSettings {
  /** Calls a second on average… */
  perSecond: number;
  /** …with bursts of up to this many calls. */
  burst: number;
  /** Calls in flight to the vendor at once. */
  maxConcurrency: number;
  /** Calls waiting for a slot, over all callers, before new ones are refused. */
  maxQueue: number;
}

/** A call did not get a slot: nothing was booked, and the vendor was not called. */
export class QuotaRefusal extends Error {
  override readonly name = 'QuotaRefusal';

  constructor(readonly reason: 'deadline' | 'queue full') {
    super(reason === 'deadline' ? 'no vendor slot before the deadline' : 'vendor queue full');
  }
}

/** Gives the slot back (the call is no longer in flight); calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  readonly caller: string;
  readonly signal: AbortSignal;
  readonly resolve: (release: Release) => void;
  readonly reject: (reason: unknown) => void;
  readonly onAbort: () => void;
}

/**
 * One vendor's quota, shared fairly between callers. A call takes a token (a token bucket:
 * `perSecond`, up to `burst` saved) and a concurrency slot. Calls that have to wait queue per caller,
 * and the queues are served round-robin, so a caller flooding the vendor waits behind its own calls
 * while another caller's next call goes after at most one call of each waiting caller.
 *
 * Nothing is booked ahead: a waiter holds a place in its caller's queue, and leaves it when its
 * signal aborts (its request ended or ran out of time). A call whose estimated wait would outlast
 * its deadline is refused at once instead of queueing for a slot it could never use.
 */
export class VendorQuota {
  private readonly interval: number;
  private tokens: number;
  private refilledAt = performance.now();
  private inFlight = 0;
  private waiting = 0;
  /** The callers with waiting calls, in serving order: the first is served next. */
  private readonly queues = new Map<string, Waiter[]>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly settings: QuotaSettings) {
    this.interval = 1000 / settings.perSecond;
    this.tokens = settings.burst;
  }

  /** Calls waiting for a slot now, over all callers. */
  get queued(): number {
    return this.waiting;
  }

  /**
   * Resolves with the slot's release once the call may go. Rejects with a `QuotaRefusal` at once
   * when the wait would end after `deadlineAt` (epoch milliseconds) or the queue is full, and with
   * the signal's reason if the signal aborts while waiting.
   */
  acquire(caller: string, deadlineAt: number, signal: AbortSignal): Promise<Release> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    this.refill();
    if (this.waiting === 0 && this.tokens >= 1 && this.inFlight < this.settings.maxConcurrency) {
      return Promise.resolve(this.take());
    }
    const waitMs = this.estimatedWait(caller);
    if (Date.now() + waitMs > deadlineAt) return Promise.reject(new QuotaRefusal('deadline'));
    if (this.waiting >= this.settings.maxQueue && !this.pushOutFor(caller)) {
      return Promise.reject(new QuotaRefusal('queue full'));
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { caller, signal, resolve, reject, onAbort: () => this.leave(waiter) };
      const queue = this.queues.get(caller);
      if (queue) queue.push(waiter);
      else this.queues.set(caller, [waiter]);
      this.waiting += 1;
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.schedule();
    });
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.settings.burst, this.tokens + (now - this.refilledAt) / this.interval);
    this.refilledAt = now;
  }

  private take(): Release {
    this.tokens -= 1;
    this.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      if (this.waiting > 0) this.drain();
    };
  }

  /** Serves waiting callers round-robin while there are tokens and free slots. */
  private drain(): void {
    this.refill();
    while (this.waiting > 0 && this.tokens >= 1 && this.inFlight < this.settings.maxConcurrency) {
      const [caller, queue] = this.queues.entries().next().value as [string, Waiter[]];
      const waiter = queue.shift()!;
      // To the back of the line, if it has more calls waiting.
      this.queues.delete(caller);
      if (queue.length > 0) this.queues.set(caller, queue);
      this.waiting -= 1;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.take());
    }
    this.schedule();
  }

  /** Wakes up when the next token is due, if someone waits for one (a release wakes the others). */
  private schedule(): void {
    if (this.timer || this.waiting === 0 || this.tokens >= 1) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.drain();
      },
      Math.ceil((1 - this.tokens) * this.interval),
    );
    // Waiters belong to requests, which keep the process alive themselves.
    this.timer.unref();
  }

  /**
   * How long a new call of `caller` would wait at the current rate: round-robin serves at most
   * one call of every other waiting caller per call of this one.
   */
  private estimatedWait(caller: string): number {
    const own = this.queues.get(caller)?.length ?? 0;
    let ahead = own;
    for (const [other, queue] of this.queues) if (other !== caller) ahead += Math.min(queue.length, own + 1);
    const missing = ahead + 1 - this.tokens;
    return missing > 0 ? missing * this.interval : 0;
  }

  /**
   * With the queue full, a caller with fewer waiting calls than the longest queue takes the place
   * of that queue's newest call, so a flood cannot fill the queue and shut everyone else out.
   */
  private pushOutFor(caller: string): boolean {
    const own = this.queues.get(caller)?.length ?? 0;
    let longest: Waiter[] | undefined;
    for (const queue of this.queues.values()) if (queue.length > (longest?.length ?? own + 1)) longest = queue;
    const evicted = longest?.pop();
    if (!evicted) return false;
    this.forget(evicted);
    evicted.reject(new QuotaRefusal('queue full'));
    return true;
  }

  private leave(waiter: Waiter): void {
    const queue = this.queues.get(waiter.caller);
    const index = queue?.indexOf(waiter) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    this.forget(waiter);
    waiter.reject(waiter.signal.reason);
  }

  private forget(waiter: Waiter): void {
    const queue = this.queues.get(waiter.caller);
    if (queue?.length === 0) this.queues.delete(waiter.caller);
    this.waiting -= 1;
    waiter.signal.removeEventListener('abort', waiter.onAbort);
  }
}
