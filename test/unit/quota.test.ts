import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  LocalTokens,
  QuotaRefusal,
  VendorQuota,
  type QuotaCaller,
  type QuotaSettings,
  type Release,
  type TokenGrant,
  type TokenSource,
} from '../../src/vendors/quota.js';

// The vendor quota on a fake clock: a token bucket shared round-robin between callers, that books
// nothing ahead, refuses at once what could not go before its deadline, and frees an aborted
// waiter's place. Times are exact here because the clock only moves when the test moves it.

const noDeadline = Number.POSITIVE_INFINITY;

function quota(settings: Partial<QuotaSettings> = {}): VendorQuota {
  return new VendorQuota({ perSecond: 10, burst: 1, maxConcurrency: 100, maxQueue: 100, ...settings });
}

/** A call's outcome, recorded as it settles. */
interface Tracked {
  caller: string;
  release?: Release;
  refusal?: unknown;
}

/** `caller` is `group/id`, or an id of group `g`. */
function callerOf(caller: string): QuotaCaller {
  const [group, id] = caller.includes('/') ? caller.split('/') : ['g', caller];
  return { group: group!, id: id! };
}

function track(log: Tracked[], q: VendorQuota, caller: string, deadlineAt = noDeadline, signal?: AbortSignal) {
  const entry: Tracked = { caller };
  const settled = q.acquire(callerOf(caller), deadlineAt, signal ?? new AbortController().signal).then(
    (release) => {
      entry.release = release;
      log.push(entry);
    },
    (reason: unknown) => {
      entry.refusal = reason;
    },
  );
  return Object.assign(entry, { settled });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the token bucket', () => {
  it('lets a burst through at once, then one call per interval', async () => {
    const q = quota({ perSecond: 20, burst: 2 });
    const served: Tracked[] = [];
    const calls = Array.from({ length: 5 }, () => track(served, q, 'a'));

    await vi.advanceTimersByTimeAsync(0);
    expect(served).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(49);
    expect(served).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(served).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(served).toHaveLength(5);
    await Promise.all(calls.map((call) => call.settled));
  });
});

describe('deadlines', () => {
  it('refuses at once, without queueing, a call whose wait would outlast its deadline', async () => {
    const q = quota(); // one token, then one every 100 ms
    const served: Tracked[] = [];
    track(served, q, 'a'); // the token
    track(served, q, 'a'); // at 100 ms
    track(served, q, 'a'); // at 200 ms
    const late = track(served, q, 'a', Date.now() + 250); // would go at 300 ms

    await vi.advanceTimersByTimeAsync(0); // no time passes: refused before any wait
    expect(late.refusal).toBeInstanceOf(QuotaRefusal);
    expect((late.refusal as QuotaRefusal).reason).toBe('deadline');
    expect(q.queued).toBe(2);
  });

  it('books nothing for refused calls: a thousand of them do not delay the next call', async () => {
    const q = quota();
    const served: Tracked[] = [];
    track(served, q, 'flood'); // the token
    const refused = Array.from({ length: 1_000 }, () => track(served, q, 'flood', Date.now() + 50));
    await vi.advanceTimersByTimeAsync(0);
    expect(refused.every((call) => call.refusal instanceof QuotaRefusal)).toBe(true);

    const next = track(served, q, 'flood');
    await vi.advanceTimersByTimeAsync(100);
    expect(next.release).toBeDefined();
  });

  it('frees the place of a waiter whose signal aborts: the next one moves up', async () => {
    const q = quota();
    const served: Tracked[] = [];
    track(served, q, 'a'); // the token
    const gone = new AbortController();
    const first = track(served, q, 'a', noDeadline, gone.signal); // would go at 100 ms
    const second = track(served, q, 'a'); // would go at 200 ms

    gone.abort(new Error('request ended'));
    await vi.advanceTimersByTimeAsync(0);
    expect(first.refusal).toEqual(new Error('request ended'));
    expect(q.queued).toBe(1);

    await vi.advanceTimersByTimeAsync(100);
    expect(second.release).toBeDefined();
    expect(served).toHaveLength(2);
  });

  it('accepts a call again once an aborted waiter made room before its deadline', async () => {
    const q = quota();
    const served: Tracked[] = [];
    track(served, q, 'a');
    const gone = new AbortController();
    track(served, q, 'a', noDeadline, gone.signal); // 100 ms
    track(served, q, 'a'); // 200 ms
    const refused = track(served, q, 'a', Date.now() + 250); // 300 ms: refused
    await vi.advanceTimersByTimeAsync(0);
    expect(refused.refusal).toBeInstanceOf(QuotaRefusal);

    gone.abort();
    const accepted = track(served, q, 'a', Date.now() + 250); // now 200 ms
    await vi.advanceTimersByTimeAsync(200);
    expect(accepted.refusal).toBeUndefined();
    expect(accepted.release).toBeDefined();
  });

  it('rejects at once with the reason of a signal that has already aborted', async () => {
    const gone = new AbortController();
    gone.abort(new Error('too late'));
    await expect(quota().acquire(callerOf('a'), noDeadline, gone.signal)).rejects.toThrow('too late');
  });
});

describe('fairness between callers', () => {
  it("serves a newcomer's call after at most one call of each waiting caller", async () => {
    const q = quota();
    const served: Tracked[] = [];
    track(served, q, 'flood'); // the token
    for (let call = 0; call < 20; call += 1) track(served, q, 'flood');
    const newcomer = track(served, q, 'other');

    await vi.advanceTimersByTimeAsync(200);
    expect(newcomer.release).toBeDefined();
    expect(served.map((entry) => entry.caller)).toEqual(['flood', 'flood', 'other']);
  });

  it('alternates between callers with calls waiting, and uses the whole rate when one is alone', async () => {
    const q = quota();
    const served: Tracked[] = [];
    track(served, q, 'a');
    for (let call = 0; call < 3; call += 1) track(served, q, 'a');
    for (let call = 0; call < 3; call += 1) track(served, q, 'b');

    await vi.advanceTimersByTimeAsync(600);
    expect(served.map((entry) => entry.caller)).toEqual(['a', 'a', 'b', 'a', 'b', 'a', 'b']);
  });

  it("estimates a newcomer's wait by its own place in the rotation, not the flood's", async () => {
    const q = quota();
    const served: Tracked[] = [];
    track(served, q, 'flood');
    for (let call = 0; call < 50; call += 1) track(served, q, 'flood'); // 5 s of calls
    // Two calls ahead of it at most (one of the flood's, then its own): 200 ms, well within 500.
    const other = track(served, q, 'other', Date.now() + 500);
    await vi.advanceTimersByTimeAsync(200);
    expect(other.refusal).toBeUndefined();
    expect(other.release).toBeDefined();
  });

  it('with the queue full, a caller with fewer calls waiting takes the place of the longest queue’s newest', async () => {
    const q = quota({ maxQueue: 3 });
    const served: Tracked[] = [];
    track(served, q, 'flood'); // the token
    const flood = Array.from({ length: 3 }, () => track(served, q, 'flood'));
    const other = track(served, q, 'other');
    const more = track(served, q, 'flood');
    await vi.advanceTimersByTimeAsync(0);

    expect(flood[2]!.refusal).toEqual(new QuotaRefusal('queue full'));
    expect(more.refusal).toEqual(new QuotaRefusal('queue full'));
    expect(other.refusal).toBeUndefined();
    expect(q.queued).toBe(3);
  });
});

describe('fairness between groups of callers', () => {
  it('serves another group after at most one call of a crowd of callers in one group', async () => {
    const q = quota();
    const served: Tracked[] = [];
    track(served, q, 'customers/c0'); // the token
    for (let caller = 0; caller < 50; caller += 1) {
      track(served, q, `customers/c${caller}`);
      track(served, q, `customers/c${caller}`);
    }
    // Fifty callers wait; within its group the support tool would be 51st, across groups it is 2nd.
    const support = track(served, q, 'scoped/support-tool', Date.now() + 500);

    await vi.advanceTimersByTimeAsync(200);
    expect(support.refusal).toBeUndefined();
    expect(served.map((entry) => entry.caller)).toEqual(['customers/c0', 'customers/c0', 'scoped/support-tool']);
  });

  it('takes turns between groups, and between the callers of each group', async () => {
    const q = quota();
    const served: Tracked[] = [];
    track(served, q, 'customers/a');
    for (const caller of ['customers/a', 'customers/b', 'customers/b', 'anonymous/', 'anonymous/']) {
      track(served, q, caller);
    }

    await vi.advanceTimersByTimeAsync(500);
    expect(served.map((entry) => entry.caller)).toEqual([
      'customers/a',
      'customers/a',
      'anonymous/',
      'customers/b',
      'anonymous/',
      'customers/b',
    ]);
  });
});

describe('concurrency', () => {
  it('keeps at most maxConcurrency calls in flight, and serves waiters round-robin as slots free up', async () => {
    const q = quota({ perSecond: 1_000_000, burst: 1_000_000, maxConcurrency: 2 });
    const served: Tracked[] = [];
    const first = track(served, q, 'a');
    const second = track(served, q, 'a');
    track(served, q, 'a');
    track(served, q, 'a');
    track(served, q, 'b');
    await vi.advanceTimersByTimeAsync(0);
    expect(served.map((entry) => entry.caller)).toEqual(['a', 'a']);

    first.release!();
    first.release!(); // a second release gives back nothing more
    await vi.advanceTimersByTimeAsync(0);
    expect(served.map((entry) => entry.caller)).toEqual(['a', 'a', 'a']);

    // b waited after two more of a's calls, and goes before the second of them.
    second.release!();
    await vi.advanceTimersByTimeAsync(0);
    expect(served.map((entry) => entry.caller)).toEqual(['a', 'a', 'a', 'b']);
    expect(q.queued).toBe(1);
  });
});

describe('LocalTokens', () => {
  it('starts with a full burst, takes whole tokens only, and refills one per interval', () => {
    const tokens = new LocalTokens({ perSecond: 10, burst: 3 });
    expect(tokens.interval).toBe(100);
    expect(tokens.saved()).toBe(3);
    expect([tokens.tryTakeNow(), tokens.tryTakeNow(), tokens.tryTakeNow(), tokens.tryTakeNow()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    vi.advanceTimersByTime(99);
    expect(tokens.tryTakeNow()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(tokens.tryTakeNow()).toBe(true);
    expect(tokens.saved()).toBe(0);
  });

  it('saves fractions of a token, and no more than the burst however long it waits', () => {
    const tokens = new LocalTokens({ perSecond: 10, burst: 3 });
    tokens.take(3);
    vi.advanceTimersByTime(50);
    expect(tokens.saved()).toBe(0.5);
    vi.advanceTimersByTime(60_000);
    expect(tokens.saved()).toBe(3);
  });

  // A bucket of 5 at 10 a second (a token every 100 ms): `spent` taken from the full bucket, then
  // `elapsed` ms later `wanted` asked for.
  it.each([
    { name: 'fewer than saved', spent: 0, elapsed: 0, wanted: 3, grant: { granted: 3, nextInMs: 0 } },
    { name: 'all that is saved', spent: 0, elapsed: 0, wanted: 5, grant: { granted: 5, nextInMs: 100 } },
    { name: 'more than saved', spent: 0, elapsed: 0, wanted: 8, grant: { granted: 5, nextInMs: 100 } },
    { name: 'none wanted', spent: 0, elapsed: 0, wanted: 0, grant: { granted: 0, nextInMs: 0 } },
    { name: 'a negative number wanted', spent: 0, elapsed: 0, wanted: -2, grant: { granted: 0, nextInMs: 0 } },
    { name: 'from an empty bucket', spent: 5, elapsed: 0, wanted: 1, grant: { granted: 0, nextInMs: 100 } },
    { name: 'with a quarter saved', spent: 5, elapsed: 25, wanted: 1, grant: { granted: 0, nextInMs: 75 } },
    { name: 'with 1.5 saved', spent: 5, elapsed: 150, wanted: 2, grant: { granted: 1, nextInMs: 50 } },
    { name: 'with 1.25 saved', spent: 5, elapsed: 125, wanted: 4, grant: { granted: 1, nextInMs: 75 } },
    { name: 'with 3 saved again', spent: 5, elapsed: 300, wanted: 2, grant: { granted: 2, nextInMs: 0 } },
  ])('take: $name', ({ spent, elapsed, wanted, grant }) => {
    const tokens = new LocalTokens({ perSecond: 10, burst: 5 });
    expect(tokens.take(spent).granted).toBe(spent);
    vi.advanceTimersByTime(elapsed);
    expect(tokens.take(wanted)).toEqual(grant);
  });

  it('rounds the next token up to a whole millisecond', () => {
    const tokens = new LocalTokens({ perSecond: 3, burst: 1 }); // a token every 333⅓ ms
    expect(tokens.take(2)).toEqual({ granted: 1, nextInMs: 334 });
    vi.advanceTimersByTime(100);
    expect(tokens.take(1)).toEqual({ granted: 0, nextInMs: 234 });
  });

  it('restarts at a new rate with nothing saved, then refills up to the new burst', () => {
    const tokens = new LocalTokens({ perSecond: 10, burst: 3 });
    tokens.restart({ perSecond: 5, burst: 2 });
    expect(tokens.interval).toBe(200);
    expect(tokens.saved()).toBe(0);
    expect(tokens.tryTakeNow()).toBe(false);
    vi.advanceTimersByTime(200);
    expect(tokens.tryTakeNow()).toBe(true);
    vi.advanceTimersByTime(10_000);
    expect(tokens.saved()).toBe(2);
  });
});

describe('QuotaRefusal', () => {
  it.each([
    { reason: 'deadline', message: 'no vendor slot before the deadline' },
    { reason: 'queue full', message: 'vendor queue full' },
  ] as const)('says why for "$reason"', ({ reason, message }) => {
    const refusal = new QuotaRefusal(reason);
    expect(refusal).toBeInstanceOf(Error);
    expect([refusal.name, refusal.reason, refusal.message]).toEqual(['QuotaRefusal', reason, message]);
  });
});

/** `count` calls of one caller. */
const times = (count: number, caller: string): string[] => Array.from({ length: count }, () => caller);

describe("the wait estimate behind a call's deadline", () => {
  // One token every 100 ms, the burst spent: a new call waits for its own token and for those of
  // the calls round-robin serves before it. The wait is worked out here from that rule.
  it.each([
    { name: 'nobody waiting', queued: [] as string[], caller: 'g/a', wait: 100 },
    { name: 'its own two calls waiting', queued: ['g/a', 'g/a'], caller: 'g/a', wait: 300 },
    { name: 'a flood of another caller of its group', queued: times(5, 'g/b'), caller: 'g/a', wait: 200 },
    { name: 'a flood of another group', queued: times(5, 'h/b'), caller: 'g/a', wait: 200 },
    {
      // Its own call, two of b's (one per call of its own, plus one), and for the three of its
      // group, four of the other group's.
      name: 'one of its own, and floods in its group and another',
      queued: ['g/a', ...times(5, 'g/b'), ...times(5, 'h/c')],
      caller: 'g/a',
      wait: 800,
    },
    {
      name: 'three callers of another group',
      queued: ['h/b', 'h/b', 'h/c', 'h/d', 'h/d', 'h/d'],
      caller: 'g/a',
      wait: 200,
    },
    {
      name: 'three other callers of its group, two calls each',
      queued: ['g/b', 'g/b', 'g/c', 'g/c', 'g/d', 'g/d'],
      caller: 'g/a',
      wait: 400,
    },
  ])('with $name: $wait ms, refused if the deadline is 1 ms sooner', async ({ queued, caller, wait }) => {
    const q = quota();
    const served: Tracked[] = [];
    track(served, q, 'g/first'); // the token
    for (const waiting of queued) track(served, q, waiting);
    const tooSoon = track(served, q, caller, Date.now() + wait - 1);
    const inTime = track(served, q, caller, Date.now() + wait);
    await vi.advanceTimersByTimeAsync(0);
    expect(tooSoon.refusal).toEqual(new QuotaRefusal('deadline'));
    expect(inTime.refusal).toBeUndefined();
    expect(q.queued).toBe(queued.length + 1);
  });

  it('counts the fraction of a token already saved', async () => {
    const q = quota();
    const served: Tracked[] = [];
    track(served, q, 'a'); // the token
    await vi.advanceTimersByTimeAsync(40); // 0.4 of the next one saved
    const tooSoon = track(served, q, 'a', Date.now() + 59);
    const inTime = track(served, q, 'a', Date.now() + 60);
    await vi.advanceTimersByTimeAsync(0);
    expect(tooSoon.refusal).toEqual(new QuotaRefusal('deadline'));
    expect(inTime.refusal).toBeUndefined();
    await vi.advanceTimersByTimeAsync(60);
    expect(inTime.release).toBeDefined();
  });
});

describe('a full queue', () => {
  it('refuses a newcomer when no queue is longer than its own would be: fair queues are left alone', async () => {
    const q = quota({ maxQueue: 2 });
    const served: Tracked[] = [];
    track(served, q, 'a'); // the token
    const a = track(served, q, 'a');
    const b = track(served, q, 'b');
    const c = track(served, q, 'c');
    await vi.advanceTimersByTimeAsync(0);
    expect(c.refusal).toEqual(new QuotaRefusal('queue full'));
    expect([a.refusal, b.refusal]).toEqual([undefined, undefined]);
    expect(q.queued).toBe(2);

    await vi.advanceTimersByTimeAsync(200);
    expect(served.map((entry) => entry.caller)).toEqual(['a', 'a', 'b']);
  });

  it('takes the place from the longest queue of any group', async () => {
    const q = quota({ maxQueue: 4 });
    const served: Tracked[] = [];
    track(served, q, 'x/a'); // the token
    const first = track(served, q, 'x/a');
    const flood = Array.from({ length: 3 }, () => track(served, q, 'y/b'));
    const newcomer = track(served, q, 'x/c');
    await vi.advanceTimersByTimeAsync(0);
    expect(flood.map((call) => call.refusal)).toEqual([undefined, undefined, new QuotaRefusal('queue full')]);
    expect([first.refusal, newcomer.refusal]).toEqual([undefined, undefined]);
    expect(q.queued).toBe(4);
  });
});

describe('a served call', () => {
  it('keeps its slot when its signal aborts afterwards', async () => {
    const q = quota({ maxConcurrency: 1 });
    const served: Tracked[] = [];
    const gone = new AbortController();
    const first = track(served, q, 'a', noDeadline, gone.signal);
    await vi.advanceTimersByTimeAsync(0);
    const second = track(served, q, 'a');
    gone.abort(new Error('request ended'));
    await vi.advanceTimersByTimeAsync(1_000);
    // The aborted signal freed nothing: the second call still waits for the first's slot.
    expect(first.refusal).toBeUndefined();
    expect(second.release).toBeUndefined();
    expect(q.queued).toBe(1);
    first.release!();
    await vi.advanceTimersByTimeAsync(0);
    expect(second.release).toBeDefined();
  });
});

/** A token source that answers later, as Redis does: each question waits for the test to answer it. */
class DeferredTokens implements TokenSource {
  readonly interval = 100;
  readonly questions: { wanted: number; answer: (grant: TokenGrant) => void }[] = [];

  saved(): number {
    return 0;
  }

  tryTakeNow(): boolean {
    return false;
  }

  take(wanted: number): Promise<TokenGrant> {
    return new Promise((resolve) => this.questions.push({ wanted, answer: resolve }));
  }
}

describe('a token source that answers after a round trip', () => {
  function deferredQuota(settings: Partial<QuotaSettings> = {}) {
    const tokens = new DeferredTokens();
    const q = new VendorQuota({ perSecond: 10, burst: 1, maxConcurrency: 100, maxQueue: 100, ...settings }, tokens);
    return { q, tokens };
  }

  it('asks one question at a time, for every call that could go, and serves them in turn', async () => {
    const { q, tokens } = deferredQuota();
    const served: Tracked[] = [];
    for (const caller of ['a', 'a', 'b']) track(served, q, caller);
    await vi.advanceTimersByTimeAsync(0);
    // The first call asked; the two after it wait for that answer rather than asking too.
    expect(tokens.questions.map((question) => question.wanted)).toEqual([1]);

    tokens.questions[0]!.answer({ granted: 1, nextInMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(served.map((entry) => entry.caller)).toEqual(['a']);
    expect(tokens.questions.map((question) => question.wanted)).toEqual([1, 2]);

    tokens.questions[1]!.answer({ granted: 2, nextInMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(served.map((entry) => entry.caller)).toEqual(['a', 'b', 'a']);
    expect(q.queued).toBe(0);
  });

  it('asks for no more calls than there are free slots', async () => {
    const { q, tokens } = deferredQuota({ maxConcurrency: 2 });
    const served: Tracked[] = [];
    for (let call = 0; call < 5; call += 1) track(served, q, 'a');
    await vi.advanceTimersByTimeAsync(0);
    tokens.questions[0]!.answer({ granted: 1, nextInMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    // Four wait, one slot of two is taken.
    expect(tokens.questions.map((question) => question.wanted)).toEqual([1, 1]);
  });

  it('when granted fewer than asked, asks again once the next token is due, not before', async () => {
    const { q, tokens } = deferredQuota();
    const served: Tracked[] = [];
    for (let call = 0; call < 3; call += 1) track(served, q, 'a');
    await vi.advanceTimersByTimeAsync(0);
    tokens.questions[0]!.answer({ granted: 1, nextInMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(tokens.questions.map((question) => question.wanted)).toEqual([1, 2]);
    tokens.questions[1]!.answer({ granted: 1, nextInMs: 70 });
    await vi.advanceTimersByTimeAsync(69);
    expect(served).toHaveLength(2);
    expect(tokens.questions).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(tokens.questions.map((question) => question.wanted)).toEqual([1, 2, 1]);
    tokens.questions[2]!.answer({ granted: 1, nextInMs: 100 });
    await vi.advanceTimersByTimeAsync(0);
    expect(served).toHaveLength(3);
    expect(q.queued).toBe(0);
  });

  it('loses a token granted for a call that left meanwhile, and serves the next call with the next one', async () => {
    const { q, tokens } = deferredQuota();
    const served: Tracked[] = [];
    const gone = new AbortController();
    const leaving = track(served, q, 'a', noDeadline, gone.signal);
    await vi.advanceTimersByTimeAsync(0);
    gone.abort(new Error('request ended'));
    tokens.questions[0]!.answer({ granted: 1, nextInMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(leaving.refusal).toEqual(new Error('request ended'));
    expect(served).toEqual([]);
    expect(q.queued).toBe(0);

    const next = track(served, q, 'b');
    await vi.advanceTimersByTimeAsync(0);
    expect(tokens.questions.map((question) => question.wanted)).toEqual([1, 1]);
    tokens.questions[1]!.answer({ granted: 1, nextInMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(next.release).toBeDefined();
  });
});
