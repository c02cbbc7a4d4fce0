import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  QuotaRefusal,
  VendorQuota,
  type QuotaCaller,
  type QuotaSettings,
  type Release,
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
