import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GameballClient } from '../../src/vendors/gameball/client.js';
import { UpstreamError } from '../../src/vendors/errors.js';
import { requestScope, type RequestScope } from '../../src/vendors/http.js';
import type { VendorLimits } from '../../src/vendors/settings.js';
import { VoucherifyClient } from '../../src/vendors/voucherify/client.js';
import { testLimits } from '../support/limits.js';
import { json, startUpstream, type Reply, type Upstream } from '../support/upstream.js';
import { notFoundBodies } from '../support/vendorFixtures.js';

// The cockatiel policies around every vendor call, against a real HTTP server on 127.0.0.1 that
// injects faults: which failures are retried and how often, Retry-After, the request scope, the
// circuit breaker and the client-side rate limit. Counted at the server.

const profile = { customerId: 'cust_0001', gameballId: 1, customerAttributes: { gender: 'Female' } };
const voucherifyCustomer = {
  id: 'cust_V',
  source_id: 'cust_0001',
  summary: null,
  loyalty: null,
  referrals: null,
  object: 'customer',
};

async function failureOf(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof UpstreamError)) throw new Error(`expected an UpstreamError, got ${String(error)}`);
  return error;
}

/** Answers with the replies in order, then with the last one. */
function sequence(...replies: Reply[]) {
  let index = 0;
  return () => replies[Math.min(index++, replies.length - 1)]!;
}

describe('vendor call policies', () => {
  let upstream: Upstream;
  const clients: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    upstream = await startUpstream();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await upstream.close();
  });

  function gameball(limits: Partial<VendorLimits> = {}): GameballClient {
    const client = new GameballClient(
      { baseUrl: upstream.url, apiKey: 'test-key', secretKey: 'test-secret' },
      testLimits({ maxRetries: 2, retryBaseDelayMs: 5, ...limits }),
    );
    clients.push(client);
    return client;
  }

  describe('retries of idempotent reads', () => {
    it.each([502, 503, 504])('retries a %i and succeeds when the vendor recovers', async (status) => {
      upstream.respond(sequence({ status }, json(200, profile)));
      expect(await gameball().getProfile('cust_0001')).toMatchObject({ customerId: 'cust_0001' });
      expect(upstream.requests).toHaveLength(2);
    });

    it('gives up after maxRetries, with UPSTREAM_UNAVAILABLE: 1 + 2 calls, not more', async () => {
      upstream.respond(() => ({ status: 503 }));
      const error = await failureOf(gameball().getProfile('cust_0001'));
      expect(error.failure).toBe('unavailable');
      expect(upstream.requests).toHaveLength(3);
    });

    it('retries a dropped connection (network error)', async () => {
      upstream.respond(sequence({ destroy: true }, json(200, profile)));
      expect(await gameball().getProfile('cust_0001')).toMatchObject({ customerId: 'cust_0001' });
      expect(upstream.requests).toHaveLength(2);
    });

    it('counts a response that is not HTTP as the vendor failing, and retries it', async () => {
      // A proxy or a broken vendor answering garbage: undici's parser error is no bug of ours.
      const sockets: Socket[] = [];
      const garbage = createServer((socket) => {
        sockets.push(socket);
        socket.end('NOT HTTP AT ALL\r\n\r\n');
      });
      await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
      const client = new GameballClient(
        { baseUrl: `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`, apiKey: 'k', secretKey: 's' },
        testLimits({ maxRetries: 2, retryBaseDelayMs: 5 }),
      );
      try {
        const error = await failureOf(client.getProfile('cust_0001'));
        expect(error.failure).toBe('unavailable');
        expect(error.rejectedLocally).toBe(false);
        expect(error.countsAgainstVendor).toBe(true);
        expect(sockets).toHaveLength(3);
      } finally {
        for (const socket of sockets) socket.destroy();
        garbage.close();
        await client.close();
      }
    });

    it.each([400, 401, 402, 403, 404, 409, 422, 500])('does not retry a %i', async (status) => {
      upstream.respond(() => ({ status }));
      await gameball()
        .getProfile('cust_0001')
        .catch(() => undefined);
      expect(upstream.requests).toHaveLength(1);
    });

    it('does not retry a timed-out attempt: a slow vendor is not asked twice as much', async () => {
      upstream.respond(() => ({ hang: true }));
      const error = await failureOf(gameball({ timeoutMs: 100 }).getProfile('cust_0001'));
      expect(error.failure).toBe('timeout');
      expect(upstream.requests).toHaveLength(1);
    });

    it('never retries a write', async () => {
      upstream.respond(() => ({ status: 503 }));
      const client = gameball();
      await failureOf(client.upsert({ customerId: 'cust_0001' }));
      await failureOf(client.delete('cust_0001'));
      expect(upstream.requests.map((request) => request.method)).toEqual(['POST', 'DELETE']);
    });
  });

  describe('rate limiting by the vendor', () => {
    it('honours Retry-After before retrying a 429', async () => {
      const arrivals: number[] = [];
      let first = true;
      upstream.respond(() => {
        arrivals.push(Date.now());
        if (first) {
          first = false;
          return { status: 429, headers: { 'retry-after': '1' } };
        }
        return json(200, profile);
      });
      expect(await gameball().getProfile('cust_0001')).toMatchObject({ customerId: 'cust_0001' });
      expect(arrivals).toHaveLength(2);
      expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(950);
    });

    it("honours Voucherify's X-Rate-Limit-Retry (a Unix time)", async () => {
      const arrivals: number[] = [];
      upstream.respond(() => {
        arrivals.push(Date.now());
        if (arrivals.length === 1) {
          return { status: 429, headers: { 'x-rate-limit-retry': String(Math.ceil((Date.now() + 600) / 1000)) } };
        }
        return json(200, voucherifyCustomer);
      });
      const client = new VoucherifyClient(
        { baseUrl: upstream.url, appId: 'id', appToken: 'token' },
        testLimits({ maxRetries: 2, retryBaseDelayMs: 5 }),
      );
      clients.push(client);
      expect(await client.getCustomer('cust_0001')).toMatchObject({ id: 'cust_V' });
      expect(arrivals).toHaveLength(2);
      // The retry waited for the second the vendor named, not a few milliseconds of backoff.
      expect(arrivals[1]!).toBeGreaterThanOrEqual(Math.floor(arrivals[0]! / 1000) * 1000);
      expect(arrivals[1]! - arrivals[0]!).toBeGreaterThan(50);
    });

    it('does not retry when the vendor asks to wait past the request scope (e.g. a used-up quota)', async () => {
      const hourFromNow = String(Math.ceil(Date.now() / 1000) + 3600);
      upstream.respond(() => ({ status: 429, headers: { 'x-rate-limit-retry': hourFromNow } }));
      const client = new VoucherifyClient(
        { baseUrl: upstream.url, appId: 'id', appToken: 'token' },
        testLimits({ maxRetries: 2, retryBaseDelayMs: 5 }),
      );
      clients.push(client);
      const error = await failureOf(client.getCustomer('cust_0001', requestScope(2_000)));
      expect(error.failure).toBe('rate_limited');
      expect(upstream.requests).toHaveLength(1);
    });
  });

  describe('the request scope', () => {
    it('stops a call when the request runs out of time, before the attempt timeout', async () => {
      upstream.respond(() => ({ hang: true }));
      const started = Date.now();
      const error = await failureOf(gameball({ timeoutMs: 10_000 }).getProfile('cust_0001', requestScope(200)));
      expect(error.failure).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('bounds the retries: no new attempt once the scope has passed', async () => {
      upstream.respond(() => ({ status: 503 }));
      await failureOf(gameball({ maxRetries: 10, retryBaseDelayMs: 200 }).getProfile('cust_0001', requestScope(300)));
      expect(upstream.requests.length).toBeLessThan(11);
    });
  });

  describe('circuit breaker', () => {
    it('opens after repeated failures, fails fast without calling, then probes and recovers', async () => {
      let healthy = false;
      upstream.respond(() => (healthy ? json(200, profile) : { status: 503 }));
      const client = gameball({ maxRetries: 0, breakerThreshold: 3, breakerHalfOpenAfterMs: 200 });

      for (let call = 0; call < 3; call += 1) await failureOf(client.getProfile('cust_0001'));
      expect(upstream.requests).toHaveLength(3);

      const fastFailure = await failureOf(client.getProfile('cust_0001'));
      expect(fastFailure.failure).toBe('unavailable');
      expect(fastFailure.rejectedLocally).toBe(true);
      expect(upstream.requests).toHaveLength(3); // the vendor was not called

      healthy = true;
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await client.getProfile('cust_0001')).toMatchObject({ customerId: 'cust_0001' });
      expect(await client.getProfile('cust_0001')).toMatchObject({ customerId: 'cust_0001' });
      expect(upstream.requests).toHaveLength(5);
    });

    // Only what the vendor did may open its circuit: a flood that runs into its own deadline, or
    // a request this service cannot even serialise, must not cut every other caller off.
    const cutShort: [string, () => { scope: RequestScope; cut: () => void }][] = [
      ['by their own request deadline', () => ({ scope: requestScope(1_000), cut: () => undefined })],
      [
        'because their client left',
        () => {
          // As node:http's response is: closed once the client has left.
          const ended = Object.assign(new EventEmitter(), { closed: false });
          return { scope: requestScope(10_000, { ended }), cut: () => ended.emit('close') };
        },
      ],
    ];

    it.each(cutShort)('does not count calls cut short %s', async (_, start) => {
      upstream.respond(() => ({ hang: true }));
      const client = gameball({ maxRetries: 0, breakerThreshold: 2, timeoutMs: 10_000 });
      for (let call = 0; call < 4; call += 1) {
        const { scope, cut } = start();
        const pending = failureOf(client.getProfile('cust_0001', scope));
        await vi.waitFor(() => expect(upstream.requests).toHaveLength(call + 1));
        cut();
        const error = await pending;
        expect(error.failure).toBe('timeout');
        expect(error.rejectedLocally).toBe(true);
      }

      upstream.respond(() => json(200, profile));
      expect(await client.getProfile('cust_0001')).toMatchObject({ customerId: 'cust_0001' });
      expect(upstream.requests).toHaveLength(5);
    });

    it('does not count, and does not call the vendor for, a body it cannot serialise', async () => {
      upstream.respond(() => json(200, profile));
      const client = gameball({ maxRetries: 0, breakerThreshold: 2 });
      const unserialisable = { customerId: 'cust_0001', customerAttributes: { custom: { big: 1n } } };
      for (let call = 0; call < 4; call += 1) {
        const error = await client.upsert(unserialisable as never).then(
          () => undefined,
          (reason: unknown) => reason,
        );
        // Our own bug, passed on as it is: not dressed up as "Gameball is unavailable".
        expect(error).toBeInstanceOf(TypeError);
      }
      expect(upstream.requests).toHaveLength(0);

      expect(await client.getProfile('cust_0001')).toMatchObject({ customerId: 'cust_0001' });
      expect(upstream.requests).toHaveLength(1);
    });

    it('does not count calls its own quota refused', async () => {
      upstream.respond(() => json(200, profile));
      const oneASecond = { perSecond: 1, burst: 1 };
      const client = gameball({
        maxRetries: 0,
        breakerThreshold: 2,
        rateLimits: { gameball: oneASecond, voucherify: oneASecond, imprint: oneASecond },
      });
      expect(await client.getProfile('cust_0001', requestScope(5_000))).not.toBeNull();
      for (let call = 0; call < 4; call += 1) {
        const error = await failureOf(client.getProfile('cust_0001', requestScope(100)));
        expect(error.failure).toBe('rate_limited');
        expect(error.rejectedLocally).toBe(true);
      }
      expect(upstream.requests).toHaveLength(1);

      // Once a token is due, the vendor is called: the circuit never opened.
      expect(await client.getProfile('cust_0001', requestScope(2_000))).not.toBeNull();
      expect(upstream.requests).toHaveLength(2);
    });

    it('does not count answers about the request (404, 4xx) as the vendor failing', async () => {
      upstream.respond(() => json(404, notFoundBodies.gameball));
      const client = gameball({ maxRetries: 0, breakerThreshold: 2 });
      for (let call = 0; call < 5; call += 1) expect(await client.getProfile('cust_0001')).toBeNull();
      expect(upstream.requests).toHaveLength(5);
    });
  });

  describe('client-side rate limit', () => {
    it('spreads calls over time instead of sending a burst the vendor would refuse', async () => {
      const arrivals: number[] = [];
      upstream.respond(() => {
        arrivals.push(performance.now());
        return json(200, profile);
      });
      const client = gameball({
        rateLimits: {
          gameball: { perSecond: 20, burst: 2 },
          voucherify: { perSecond: 20, burst: 2 },
          imprint: { perSecond: 20, burst: 2 },
        },
      });
      const started = performance.now();
      await Promise.all(Array.from({ length: 6 }, () => client.getProfile('cust_0001')));
      expect(arrivals).toHaveLength(6);
      // 2 at once, then one every 50 ms: the last leaves at least ~200 ms after the calls were made.
      // Measured from the calls, not the first arrival, which a new connection's set-up can delay.
      expect(arrivals[5]! - started).toBeGreaterThanOrEqual(180);
    });
  });
});
