import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { retryAfterOf } from '../../src/vendors/http.js';

// How long a vendor asks us to wait before the next attempt: `Retry-After` (RFC 9110: seconds, or
// an HTTP date) or Voucherify's `X-Rate-Limit-Retry` (the Unix time of the next allowed call). The
// clock is fixed at 2015-10-21T07:28:00Z, so every wait below is plain arithmetic from it.

const now = Date.UTC(2015, 9, 21, 7, 28, 0);
const nowSeconds = now / 1000; // 1445412480

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
});
afterAll(() => {
  vi.useRealTimers();
});

describe('Retry-After in seconds', () => {
  it.each([
    { value: '0', waitMs: 0 },
    { value: '1', waitMs: 1_000 },
    { value: '120', waitMs: 120_000 },
    { value: '86400', waitMs: 86_400_000 },
    { value: '1.5', waitMs: 1_500 },
    { value: ' 30 ', waitMs: 30_000 },
    // A negative wait is no wait.
    { value: '-5', waitMs: 0 },
  ])('"$value" is $waitMs ms', ({ value, waitMs }) => {
    expect(retryAfterOf({ 'retry-after': value })).toBe(waitMs);
  });

  it('takes the first of repeated headers', () => {
    expect(retryAfterOf({ 'retry-after': ['5', '10'] })).toBe(5_000);
  });
});

describe('Retry-After as an HTTP date', () => {
  it.each([
    { value: 'Wed, 21 Oct 2015 07:28:30 GMT', waitMs: 30_000 },
    { value: 'Wed, 21 Oct 2015 08:28:00 GMT', waitMs: 3_600_000 },
    { value: 'Thu, 22 Oct 2015 07:28:00 GMT', waitMs: 86_400_000 },
    // RFC 850's obsolete form, which RFC 9110 asks recipients to accept.
    { value: 'Wednesday, 21-Oct-15 07:28:30 GMT', waitMs: 30_000 },
    // asctime, the third form: GMT, whatever the process's time zone.
    { value: 'Wed Oct 21 07:28:30 2015', waitMs: 30_000 },
    // Now, and dates already past: no wait, never a negative one.
    { value: 'Wed, 21 Oct 2015 07:28:00 GMT', waitMs: 0 },
    { value: 'Wed, 21 Oct 2015 07:27:59 GMT', waitMs: 0 },
    { value: 'Thu, 01 Jan 1970 00:00:00 GMT', waitMs: 0 },
  ])('"$value" is $waitMs ms', ({ value, waitMs }) => {
    expect(retryAfterOf({ 'retry-after': value })).toBe(waitMs);
  });
});

describe("Voucherify's X-Rate-Limit-Retry", () => {
  it.each([
    { name: 'in seconds, 2 s ahead', value: String(nowSeconds + 2), waitMs: 2_000 },
    { name: 'in seconds, a fraction ahead', value: String(nowSeconds + 2.5), waitMs: 2_500 },
    { name: 'in seconds, an hour ahead', value: String(nowSeconds + 3_600), waitMs: 3_600_000 },
    { name: 'in milliseconds, 1.5 s ahead', value: String(now + 1_500), waitMs: 1_500 },
    { name: 'in seconds, past', value: String(nowSeconds - 10), waitMs: 0 },
    { name: 'in milliseconds, past', value: String(now - 10), waitMs: 0 },
    { name: 'now', value: String(nowSeconds), waitMs: 0 },
  ])('$name ($value) is $waitMs ms', ({ value, waitMs }) => {
    expect(retryAfterOf({ 'x-rate-limit-retry': value })).toBe(waitMs);
  });

  it('takes the first of repeated headers', () => {
    expect(retryAfterOf({ 'x-rate-limit-retry': [String(nowSeconds + 5), String(nowSeconds + 60)] })).toBe(5_000);
  });

  it.each(['0', '-1', 'soon', '', 'Infinity'])('"%s" asks for no particular wait', (value) => {
    expect(retryAfterOf({ 'x-rate-limit-retry': value })).toBeUndefined();
  });
});

describe('which header counts', () => {
  it('Retry-After, when both are sent', () => {
    expect(retryAfterOf({ 'retry-after': '3', 'x-rate-limit-retry': String(nowSeconds + 60) })).toBe(3_000);
  });

  it('X-Rate-Limit-Retry, when Retry-After is empty', () => {
    expect(retryAfterOf({ 'retry-after': '', 'x-rate-limit-retry': String(nowSeconds + 60) })).toBe(60_000);
  });

  it('X-Rate-Limit-Retry, when Retry-After is neither seconds nor a date', () => {
    expect(retryAfterOf({ 'retry-after': 'soon', 'x-rate-limit-retry': String(nowSeconds + 60) })).toBe(60_000);
  });

  it.each([
    { name: 'no header', headers: {} },
    { name: 'other headers only', headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' } },
    { name: 'Retry-After "soon"', headers: { 'retry-after': 'soon' } },
    { name: 'Retry-After "in 5 s"', headers: { 'retry-after': 'in 5 s' } },
    { name: 'Retry-After "12 abc"', headers: { 'retry-after': '12 abc' } },
    { name: 'Retry-After "Infinity"', headers: { 'retry-after': 'Infinity' } },
    { name: 'an empty list of Retry-After', headers: { 'retry-after': [] } },
    { name: 'Retry-After ""', headers: { 'retry-after': '' } },
    { name: 'Retry-After "abc 12"', headers: { 'retry-after': 'abc 12' } },
    { name: 'Retry-After "5, 10"', headers: { 'retry-after': '5, 10' } },
    { name: 'Retry-After "0x10"', headers: { 'retry-after': '0x10' } },
    { name: 'Retry-After "1e3"', headers: { 'retry-after': '1e3' } },
  ])('none with $name: the backoff decides', ({ headers }) => {
    expect(retryAfterOf(headers)).toBeUndefined();
  });
});
