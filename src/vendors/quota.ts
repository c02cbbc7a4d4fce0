import type { RedisLink } from '../redis.js';

/** A vendor's rate limit: calls a second on average, with bursts of up to `burst` calls. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** How much of a vendor this process may use: its rate limit and how many calls may be in flight. */
export interface QuotaSettings extends RateLimit {
  /** Calls in flight to the vendor at once. */
  maxConcurrency: number;
  /** Calls waiting for a slot, over all callers, before new ones are refused. */
  maxQueue: number;
}

/** Calls a token source let go now, and in how many milliseconds the next one is due. */
export interface TokenGrant {
  granted: number;
  nextInMs: number;
}

/**
 * Where a quota's rate tokens come from: this process's own bucket, or one that every replica
 * shares through Redis. The quota decides who gets them; the source only how many there are.
 */
export interface TokenSource {
  /** Milliseconds per token at the configured rate (for wait estimates). */
  readonly interval: number;
  /**
   * The most tokens that may be saved, fractions included: exact for a local bucket; for one only
   * Redis knows, its burst. Wait estimates use it, and must not refuse a call it could serve at once.
   */
  saved(): number;
  /** Takes one token if one is at hand without asking anyone (the fast path). */
  tryTakeNow(): boolean;
  /** Takes up to `wanted` tokens. Never rejects. */
  take(wanted: number): TokenGrant | Promise<TokenGrant>;
}

/** A token bucket in this process: `perSecond`, up to `burst` saved. */
export class LocalTokens implements TokenSource {
  interval: number;
  private burst: number;
  private tokens: number;
  private refilledAt = performance.now();

  constructor(rate: RateLimit) {
    this.interval = 1000 / rate.perSecond;
    this.burst = rate.burst;
    this.tokens = rate.burst;
  }

  /** A new rate from now on, with nothing saved: the calls just made elsewhere count against it. */
  restart(rate: RateLimit): void {
    this.interval = 1000 / rate.perSecond;
    this.burst = rate.burst;
    this.tokens = 0;
    this.refilledAt = performance.now();
  }

  saved(): number {
    this.refill();
    return this.tokens;
  }

  tryTakeNow(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  take(wanted: number): TokenGrant {
    this.refill();
    const granted = Math.max(0, Math.min(wanted, Math.floor(this.tokens)));
    this.tokens -= granted;
    return { granted, nextInMs: this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.interval) };
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) / this.interval);
    this.refilledAt = now;
  }
}

/** How soon a quota asks Redis again after a failed call. */
const retryAfterFailureMs = 50;

/**
 * One vendor's rate shared by every replica: a GCRA in Redis (src/redis.ts), so N replicas
 * together stay within the configured rate. While Redis is unavailable, a local bucket takes over
 * at the rate divided by the replicas last seen alive, so that together they still stay within it.
 */
export class SharedTokens implements TokenSource {
  private readonly sharedInterval: number;
  private readonly fallback: LocalTokens;
  /** The replicas the fallback's rate was divided by; null while Redis serves. */
  private fallbackReplicas: number | null = null;

  constructor(
    private readonly link: RedisLink,
    private readonly key: string,
    private readonly rate: RateLimit,
  ) {
    this.sharedInterval = 1000 / rate.perSecond;
    this.fallback = new LocalTokens(rate);
  }

  get interval(): number {
    return this.link.available ? this.sharedInterval : this.local().interval;
  }

  saved(): number {
    return this.link.available ? this.rate.burst : this.local().saved();
  }

  tryTakeNow(): boolean {
    return !this.link.available && this.local().tryTakeNow();
  }

  take(wanted: number): TokenGrant | Promise<TokenGrant> {
    if (!this.link.available) return this.local().take(wanted);
    this.fallbackReplicas = null;
    return this.link
      .run('quota', (client) => client.takeTokens(this.key, this.sharedInterval, this.rate.burst, wanted))
      .then(
        ([granted, nextInMs]) => ({ granted: Number(granted), nextInMs: Math.ceil(Number(nextInMs)) }),
        // A failed call may still have taken tokens in Redis: taking local ones too could exceed
        // the rate. Ask again shortly; after a run of failures the link is unavailable, and then
        // the local bucket serves.
        () => ({ granted: 0, nextInMs: retryAfterFailureMs }),
      );
  }

  /**
   * The local bucket, at this replica's share of the rate. It starts empty whenever it takes over
   * (or the share changes): what Redis granted a moment ago still counts at the vendor.
   */
  private local(): LocalTokens {
    const replicas = Math.max(1, this.link.replicas);
    if (replicas !== this.fallbackReplicas) {
      this.fallbackReplicas = replicas;
      this.fallback.restart({
        perSecond: this.rate.perSecond / replicas,
        burst: Math.max(1, Math.floor(this.rate.burst / replicas)),
      });
    }
    return this.fallback;
  }
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

/**
 * Who a call is for, in the quota's terms. Callers of one group share the group's turn; groups
 * share the vendor. So many callers of one kind (a crowd of customer accounts) compete among
 * themselves, and another kind (support tools, anonymous traffic) keeps its turn.
 */
export interface QuotaCaller {
  readonly group: string;
  readonly id: string;
}

interface Waiter {
  readonly caller: QuotaCaller;
  readonly signal: AbortSignal;
  readonly resolve: (release: Release) => void;
  readonly reject: (reason: unknown) => void;
  readonly onAbort: () => void;
}

/** A group's callers with waiting calls, in serving order, and how many calls they hold. */
interface Group {
  readonly callers: Map<string, Waiter[]>;
  waiting: number;
}

/**
 * One vendor's quota, shared fairly between callers. A call takes a rate token (from the
 * `TokenSource`: this process's bucket, or one shared by the replicas) and a concurrency slot. Calls that have to wait queue per
 * caller, callers per group, and both are served round-robin: a caller flooding the vendor waits
 * behind its own calls, while another caller's next call goes after at most one call of each
 * waiting caller of its group and one of each other group.
 *
 * Nothing is booked ahead: a waiter holds a place in its caller's queue, and leaves it when its
 * signal aborts (its request is over or ran out of time). A call whose estimated wait would
 * outlast its deadline is refused at once instead of queueing for a slot it could never use. The
 * estimate counts tokens only: a call that waits for a concurrency slot waits until one frees or
 * its deadline passes.
 */
export class VendorQuota {
  private inFlight = 0;
  private waiting = 0;
  /** The groups with waiting calls, in serving order: the first is served next. */
  private readonly groups = new Map<string, Group>();
  private timer: NodeJS.Timeout | null = null;
  /** Set while the token source is asked (a round trip to Redis): one question at a time. */
  private asking = false;

  constructor(
    private readonly settings: QuotaSettings,
    private readonly tokens: TokenSource = new LocalTokens(settings),
  ) {}

  /** Calls waiting for a slot now, over all callers. */
  get queued(): number {
    return this.waiting;
  }

  /**
   * Resolves with the slot's release once the call may go. Rejects with a `QuotaRefusal` at once
   * when the wait would end after `deadlineAt` (epoch milliseconds) or the queue is full, and with
   * the signal's reason if the signal aborts while waiting.
   */
  acquire(caller: QuotaCaller, deadlineAt: number, signal: AbortSignal): Promise<Release> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.waiting === 0 && this.inFlight < this.settings.maxConcurrency && this.tokens.tryTakeNow()) {
      return Promise.resolve(this.take());
    }
    if (Date.now() + this.estimatedWait(caller) > deadlineAt) return Promise.reject(new QuotaRefusal('deadline'));
    if (this.waiting >= this.settings.maxQueue && !this.pushOutFor(caller)) {
      return Promise.reject(new QuotaRefusal('queue full'));
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { caller, signal, resolve, reject, onAbort: () => this.leave(waiter) };
      let group = this.groups.get(caller.group);
      if (!group) {
        group = { callers: new Map(), waiting: 0 };
        this.groups.set(caller.group, group);
      }
      const queue = group.callers.get(caller.id);
      if (queue) queue.push(waiter);
      else group.callers.set(caller.id, [waiter]);
      group.waiting += 1;
      this.waiting += 1;
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.drain();
    });
  }

  /** A concurrency slot for a call that has its rate token. */
  private take(): Release {
    this.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      if (this.waiting > 0) this.drain();
    };
  }

  /**
   * Serves waiting groups, and their callers, round-robin while there are tokens and free slots.
   * Tokens are asked for as many calls as could go now; a shared source answers after a round
   * trip, and meanwhile the calls keep their places.
   */
  private drain(): void {
    while (!this.asking && this.waiting > 0 && this.inFlight < this.settings.maxConcurrency) {
      const wanted = Math.min(this.waiting, this.settings.maxConcurrency - this.inFlight);
      const grant = this.tokens.take(wanted);
      if (grant instanceof Promise) {
        this.asking = true;
        void grant
          .then((answer) => {
            this.asking = false;
            if (this.serve(answer, wanted)) this.drain();
          })
          .catch(() => {
            // A source never rejects; should serving fail, the next release or call drains again.
            this.asking = false;
          });
        return;
      }
      if (!this.serve(grant, wanted)) return;
    }
  }

  /**
   * Hands the granted tokens to the next waiters in round-robin order. False when fewer than
   * wanted were granted: then it wakes up when the next token is due (a release wakes it too).
   * Tokens granted for calls that have left meanwhile are lost: a shared rate cannot take them back.
   */
  private serve(grant: TokenGrant, wanted: number): boolean {
    for (let served = 0; served < grant.granted && this.waiting > 0; served++) {
      const [name, group] = this.groups.entries().next().value as [string, Group];
      const [id, queue] = group.callers.entries().next().value as [string, Waiter[]];
      const waiter = queue.shift()!;
      // Both to the back of their lines, if they have more calls waiting (and others wait too).
      if (queue.length === 0) group.callers.delete(id);
      else if (group.callers.size > 1) toBack(group.callers, id, queue);
      if (group.callers.size === 0) this.groups.delete(name);
      else if (this.groups.size > 1) toBack(this.groups, name, group);
      group.waiting -= 1;
      this.waiting -= 1;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.take());
    }
    if (grant.granted >= wanted) return true;
    this.wakeIn(grant.nextInMs);
    return false;
  }

  private wakeIn(ms: number): void {
    if (this.timer || this.waiting === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.drain();
      },
      Math.max(1, ms),
    );
    // Waiters belong to requests, which keep the process alive themselves.
    this.timer.unref();
  }

  /**
   * How long a new call of `caller` would wait at the current rate. Round-robin serves at most one
   * call of every other waiting caller of its group per call of this one, and one call of every
   * other group per call of its group.
   */
  private estimatedWait(caller: QuotaCaller): number {
    const group = this.groups.get(caller.group);
    const own = group?.callers.get(caller.id)?.length ?? 0;
    let inGroup = own;
    for (const [id, queue] of group?.callers ?? []) if (id !== caller.id) inGroup += Math.min(queue.length, own + 1);
    let ahead = inGroup;
    for (const [name, other] of this.groups) if (name !== caller.group) ahead += Math.min(other.waiting, inGroup + 1);
    // At the source's rate, less what may be saved: a lower bound, so that only a call that could
    // never go in time is refused (replicas sharing the rate can only make the wait longer).
    const missing = ahead + 1 - this.tokens.saved();
    return missing > 0 ? missing * this.tokens.interval : 0;
  }

  /**
   * With the queue full, a caller with fewer waiting calls than the longest queue takes the place
   * of that queue's newest call, so a flood cannot fill the queue and shut everyone else out.
   */
  private pushOutFor(caller: QuotaCaller): boolean {
    const own = this.groups.get(caller.group)?.callers.get(caller.id)?.length ?? 0;
    let longest: Waiter[] | undefined;
    for (const group of this.groups.values()) {
      for (const queue of group.callers.values()) if (queue.length > (longest?.length ?? own + 1)) longest = queue;
    }
    const evicted = longest?.pop();
    if (!evicted) return false;
    this.forget(evicted);
    evicted.reject(new QuotaRefusal('queue full'));
    return true;
  }

  private leave(waiter: Waiter): void {
    const queue = this.groups.get(waiter.caller.group)?.callers.get(waiter.caller.id);
    const index = queue?.indexOf(waiter) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    this.forget(waiter);
    waiter.reject(waiter.signal.reason);
  }

  /** Books a waiter that has just been taken out of its queue as gone. */
  private forget(waiter: Waiter): void {
    const group = this.groups.get(waiter.caller.group)!;
    if (group.callers.get(waiter.caller.id)?.length === 0) group.callers.delete(waiter.caller.id);
    if (group.callers.size === 0) this.groups.delete(waiter.caller.group);
    group.waiting -= 1;
    this.waiting -= 1;
    waiter.signal.removeEventListener('abort', waiter.onAbort);
  }
}

/** Moves a key to the end of a Map's order (the back of a round-robin line). */
function toBack<K, V>(line: Map<K, V>, key: K, value: V): void {
  line.delete(key);
  line.set(key, value);
}
