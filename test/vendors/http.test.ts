// The behaviour every vendor endpoint shares through VendorHttp, run over real HTTP on 127.0.0.1
// for each client endpoint in the table: method and path, id encoding, status mapping, validation,
// no leaks in errors, timeouts, network failures and the concurrency cap.
import { describe, expect, it, vi } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VendorLimits } from '../../src/vendors/settings.js';
import { json, type Reply } from '../support/upstream.js';
import {
  credentialValues,
  endpoints,
  expectNoLeak,
  notFoundBodies,
  upstreamFailure,
  useUpstream,
} from '../support/vendorFixtures.js';

/** Recognisable values an upstream might echo; none may reach an error. */
const SECRET_CANARY = 'sk_live_CANARY_9f3b27d1e8';
const EMAIL_CANARY = 'canary.leak@example.com';
const CUSTOMER_ID = 'cust-LEAKCHECK-5b2e';
const forbidden = [SECRET_CANARY, EMAIL_CANARY, CUSTOMER_ID, ...credentialValues];

/** An error body echoing everything it should not. */
const leakyBody = JSON.stringify({
  message: `Customer ${CUSTOMER_ID} (${EMAIL_CANARY}) refused`,
  token: SECRET_CANARY,
});

const statusMapping = [
  { status: 400, failure: 'rejected' },
  { status: 401, failure: 'unauthorized' },
  { status: 403, failure: 'unauthorized' },
  { status: 422, failure: 'rejected' },
  { status: 429, failure: 'rate_limited' },
  { status: 500, failure: 'unavailable' },
  { status: 502, failure: 'unavailable' },
  { status: 503, failure: 'unavailable' },
] as const;

/** Ids that must arrive as exactly one path segment, spelled out rather than computed. */
const encodedIds = [
  { id: 'a/b?c#d é', encoded: 'a%2Fb%3Fc%23d%20%C3%A9' },
  { id: '../admin', encoded: '..%2Fadmin' },
  { id: '%2e%2e', encoded: '%252e%252e' },
];

describe.each(endpoints)('$vendor $name', (endpoint) => {
  const ctx = useUpstream();
  const open = (limits?: Partial<VendorLimits>) => ctx.use(endpoint.open(ctx.up.url, limits));
  const okReply = (): Reply => json(200, endpoint.ok.body);

  it(`sends ${endpoint.method} to the documented path and resolves to the payload`, async () => {
    ctx.up.respond(okReply);
    await expect(open().call('cust_123')).resolves.toEqual(endpoint.ok.result);

    expect(ctx.up.requests).toHaveLength(1);
    const [request] = ctx.up.requests;
    expect(request?.method).toBe(endpoint.method);
    expect(request?.path).toBe(endpoint.path('cust_123'));
    expect(request?.headers.accept).toBe('application/json');
    if (endpoint.method === 'POST') {
      expect(request?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request?.body ?? '')).toMatchObject({ customerId: 'cust_123' });
    } else {
      expect(request?.headers['content-type']).toBeUndefined();
      expect(request?.body).toBe('');
    }
  });

  it('keeps a path prefix of the base URL and drops its trailing slash', async () => {
    ctx.up.respond(okReply);
    const bound = ctx.use(endpoint.open(`${ctx.up.url}/vendor-proxy/`));
    await expect(bound.call('cust_123')).resolves.toEqual(endpoint.ok.result);
    expect(ctx.up.requests[0]?.path).toBe(`/vendor-proxy${endpoint.path('cust_123')}`);
  });

  if (endpoint.idInPath) {
    it.each(encodedIds)('puts the id $id into the path as one encoded segment', async ({ id, encoded }) => {
      ctx.up.respond(okReply);
      await open().call(id);
      expect(ctx.up.requests.map((request) => request.path)).toEqual([endpoint.path(encoded)]);
    });

    it.each(['.', '..', ''])('refuses the id %j before any request is made', async (id) => {
      ctx.up.respond(okReply);
      await expect(open().call(id)).rejects.toThrow(RangeError);
      expect(ctx.up.requests).toHaveLength(0);
    });
  } else {
    it('sends the id unchanged in the JSON body', async () => {
      ctx.up.respond(okReply);
      await open().call('a/b?c#d é');
      expect(JSON.parse(ctx.up.requests[0]?.body ?? '')).toEqual({ customerId: 'a/b?c#d é' });
    });
  }

  it(`resolves to ${String(endpoint.notFound)} on a 404 with the vendor's not-found body`, async () => {
    ctx.up.respond(() => json(404, notFoundBodies[endpoint.vendor]));
    await expect(open().call('cust_123')).resolves.toBe(endpoint.notFound);
    expect(ctx.up.requests).toHaveLength(1);
  });

  it.each([
    ['a page that is not JSON (a wrong base URL, a proxy)', { status: 404, body: '<html>Not Found</html>' }],
    ['another vendor’s not-found body', json(404, { error: 'not found' })],
  ])('reports a 404 with %s as an upstream error, not a missing customer', async (_, reply) => {
    ctx.up.respond(() => reply);
    const error = await upstreamFailure(open().call(CUSTOMER_ID));
    expect([error.vendor, error.failure, error.status]).toEqual([endpoint.vendor, 'rejected', 404]);
  });

  it('keeps the vendor’s request id of a failed call (for its support), never its body', async () => {
    ctx.up.respond(() => json(503, { code: 503, message: `echo ${CUSTOMER_ID}`, request_id: 'v-5e6f7a8b' }));
    const error = await upstreamFailure(open().call(CUSTOMER_ID));
    expect(error.vendorRequestId).toBe('v-5e6f7a8b');
    expect(`${error.message} ${String(error.cause)}`).not.toContain(CUSTOMER_ID);
  });

  it.each(statusMapping)('maps HTTP $status to $failure, without leaking the body', async ({ status, failure }) => {
    ctx.up.respond(() => ({ status, headers: { 'content-type': 'application/json' }, body: leakyBody }));
    const error = await upstreamFailure(open().call(CUSTOMER_ID));
    expect(error.vendor).toBe(endpoint.vendor);
    expect(error.failure).toBe(failure);
    expect(error.status).toBe(status);
    if (failure === 'rejected') expect(error.message).toContain(`HTTP ${status}`);
    expectNoLeak(error, forbidden);
  });

  if (endpoint.readsBody) {
    it('reports malformed JSON as bad_response', async () => {
      ctx.up.respond(() => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: `{"customerId": "${CUSTOMER_ID}", "token": "${SECRET_CANARY}", `,
      }));
      const error = await upstreamFailure(open().call(CUSTOMER_ID));
      expect(error.vendor).toBe(endpoint.vendor);
      expect(error.failure).toBe('bad_response');
      expectNoLeak(error, forbidden);
    });

    it('reports a payload that breaks the schema as bad_response, naming only the field paths', async () => {
      ctx.up.respond(() =>
        json(200, { ...endpoint.invalid, email: EMAIL_CANARY, token: SECRET_CANARY, echo: CUSTOMER_ID }),
      );
      const error = await upstreamFailure(open().call(CUSTOMER_ID));
      expect(error.vendor).toBe(endpoint.vendor);
      expect(error.failure).toBe('bad_response');
      expect(error.cause).toEqual(endpoint.invalidPaths);
      expectNoLeak(error, forbidden);
    });
  } else {
    it('ignores the body of a 2xx, even if it is not JSON', async () => {
      ctx.up.respond(() => ({ status: 200, body: `{"token": "${SECRET_CANARY}", ` }));
      await expect(open().call('cust_123')).resolves.toBe(endpoint.ok.result);
    });
  }

  it('fails with timeout when the server never answers', async () => {
    ctx.up.respond(() => ({ hang: true }));
    const error = await upstreamFailure(open({ timeoutMs: 200 }).call(CUSTOMER_ID));
    expect(error.vendor).toBe(endpoint.vendor);
    expect(error.failure).toBe('timeout');
    expect(ctx.up.requests).toHaveLength(1);
    expectNoLeak(error, forbidden);
  });

  it('fails with timeout when the body stops half way', async () => {
    ctx.up.respond(() => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'content-length': '4096' },
      body: '{"customerId": ',
      stall: true,
    }));
    const error = await upstreamFailure(open({ timeoutMs: 200 }).call(CUSTOMER_ID));
    expect(error.failure).toBe('timeout');
  });

  it('fails with unavailable when the connection drops half way through the body', async () => {
    ctx.up.respond(() => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'content-length': '4096' },
      body: `{"customerId": "${CUSTOMER_ID}", `,
      cutOff: true,
    }));
    const error = await upstreamFailure(open({ timeoutMs: 5_000 }).call(CUSTOMER_ID));
    expect(error.failure).toBe('unavailable');
    expectNoLeak(error, forbidden);
  });

  it('refuses a 2xx body larger than VENDOR_MAX_RESPONSE_BYTES as a bad response', async () => {
    const large = JSON.stringify({ padding: 'x'.repeat(64 * 1024) });
    ctx.up.respond(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: large }));
    const error = await upstreamFailure(open({ maxResponseBytes: 16 * 1024 }).call(CUSTOMER_ID));
    expect(error.vendor).toBe(endpoint.vendor);
    expect(error.failure).toBe('bad_response');
    expect(error.cause).toBe('response too large');
    expect(ctx.up.requests).toHaveLength(1);
  });

  it('fails with unavailable when the server drops the connection', async () => {
    ctx.up.respond(() => ({ destroy: true }));
    const error = await upstreamFailure(open().call(CUSTOMER_ID));
    expect(error.vendor).toBe(endpoint.vendor);
    expect(error.failure).toBe('unavailable');
    expectNoLeak(error, forbidden);
  });

  it('fails with unavailable when the connection is refused', async () => {
    const bound = open();
    await ctx.up.close();
    const error = await upstreamFailure(bound.call(CUSTOMER_ID));
    expect(error.vendor).toBe(endpoint.vendor);
    expect(error.failure).toBe('unavailable');
    expectNoLeak(error, forbidden);
  });

  it('never has more than maxConcurrency calls in flight at the vendor, and completes them all', async () => {
    const held: Array<() => void> = [];
    ctx.up.respond(() => new Promise<Reply>((resolve) => held.push(() => resolve(okReply()))));
    const bound = open({ maxConcurrency: 2, maxQueue: 100 });

    const calls = Array.from({ length: 6 }, (_, index) => bound.call(`cust_${index}`));
    for (let round = 0; round < 3; round += 1) {
      await vi.waitFor(() => expect(held).toHaveLength(2));
      // Give a third request every chance to arrive if the cap did not hold.
      await sleep(50);
      expect(ctx.up.open).toBe(2);
      expect(held).toHaveLength(2);
      for (const release of held.splice(0)) release();
    }

    const results = await Promise.all(calls);
    expect(results).toEqual(Array.from({ length: 6 }, () => endpoint.ok.result));
    expect(ctx.up.requests).toHaveLength(6);
    expect(ctx.up.peakOpen).toBe(2);
  });

  it('fails fast with unavailable when the queue for a slot is full', async () => {
    const held: Array<() => void> = [];
    ctx.up.respond(() => new Promise<Reply>((resolve) => held.push(() => resolve(okReply()))));
    const bound = open({ maxConcurrency: 1, maxQueue: 0 });

    const first = bound.call('cust_1');
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const error = await upstreamFailure(bound.call('cust_2'));
    expect(error.vendor).toBe(endpoint.vendor);
    expect(error.failure).toBe('unavailable');

    for (const release of held.splice(0)) release();
    await expect(first).resolves.toEqual(endpoint.ok.result);
    expect(ctx.up.requests).toHaveLength(1);
  });
});
