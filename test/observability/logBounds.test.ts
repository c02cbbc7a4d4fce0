import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { logRequestErrors } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { UpstreamError } from '../../src/vendors/errors.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// What one request can make the server write: long strings are cut wherever they are logged,
// repeated vendor failures of one request are one line with a count, and the request line names
// vendor failures by the code the client got.

interface LogLine {
  msg: string;
  operation?: string;
  errorCodes?: string[];
  count?: number;
  vendor?: string;
  failure?: string;
}

let subgraph: TestSubgraph;
beforeAll(async () => {
  subgraph = await startTestSubgraph();
});
afterAll(() => subgraph.close());

/** The log lines written while `act` ran. */
async function linesDuring(act: () => Promise<unknown>): Promise<string[]> {
  const before = subgraph.logs.length;
  await act();
  return subgraph.logs.slice(before);
}

const ids = (count: number) =>
  Array.from({ length: count }, (_, index) => `cust_${String(index + 1).padStart(4, '0')}`);

describe('log bounds', () => {
  it('cuts a 900 KB operation name in the request line', async () => {
    const name = `Op${'x'.repeat(900_000)}`;
    const lines = await linesDuring(() =>
      subgraph.query(`query ${name} { __typename }`, undefined, { authorization: '' }),
    );

    expect(lines.join('').length).toBeLessThan(5_000);
    const requestLine = lines.map((line) => JSON.parse(line) as LogLine).find((line) => line.msg === 'graphql request');
    expect(requestLine?.operation?.startsWith('Opxxx')).toBe(true);
  });

  it('logs the vendor failures of one request once per kind, with a count, and their codes in the request line', async () => {
    subgraph.sandbox.setFault('gameball.profile', { status: 503 });
    try {
      const hundred = ids(100);
      let errors: { extensions?: Record<string, unknown> }[] = [];
      const lines = await linesDuring(async () => {
        const response = await subgraph.query('query Many($ids: [ID!]!) { customers(ids: $ids) { id gender } }', {
          ids: hundred,
        });
        errors = response.errors ?? [];
      });

      const failedLookups = errors.filter((error) => error.extensions?.['code'] === 'UPSTREAM_UNAVAILABLE').length;
      expect(failedLookups).toBeGreaterThan(50);
      const parsed = lines.map((line) => JSON.parse(line) as LogLine);
      const failureLines = parsed.filter((line) => line.msg === 'vendor call failed');
      expect(failureLines).toEqual([
        expect.objectContaining({ vendor: 'gameball', failure: 'unavailable', count: failedLookups }),
      ]);
      const requestLine = parsed.find((line) => line.msg === 'graphql request');
      expect(requestLine?.errorCodes).toEqual(['UPSTREAM_UNAVAILABLE']);
    } finally {
      subgraph.sandbox.setFault('gameball.profile', null);
    }
  });
});

describe('logRequestErrors', () => {
  it('writes one line per kind of failure and one for bugs, each with a count and a capped message', () => {
    const written: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void written.push(line) });
    const wrapped = (original: Error, index: number) =>
      new GraphQLError(original.message, { path: ['customers', index], originalError: original });
    const errors = [
      ...Array.from({ length: 30 }, (_, index) => wrapped(new UpstreamError('voucherify', 'timeout'), index)),
      ...Array.from({ length: 5 }, (_, index) => wrapped(new UpstreamError('gameball', 'unavailable', 503), index)),
      ...Array.from({ length: 3 }, (_, index) => wrapped(new TypeError(`bug ${'y'.repeat(50_000)}`), index)),
      // Seven more bugs of different kinds: five kinds are logged in all, the rest counted.
      ...Array.from({ length: 7 }, (_, index) => wrapped(new RangeError(`bug number ${index}`), index)),
      new GraphQLError('Not authorized to read Customer.email', { extensions: { code: 'FORBIDDEN' } }),
    ];

    logRequestErrors(logger, 'req-1', errors);

    const lines = written.map((line) => JSON.parse(line) as LogLine & { err?: { message: string; stack: string } });
    expect(lines.map(({ msg, count }) => [msg, count])).toEqual([
      ['vendor call failed', 30],
      ['vendor call failed', 5],
      ['unexpected error', 3],
      ['unexpected error', 1],
      ['unexpected error', 1],
      ['unexpected error', 1],
      ['unexpected error', 1],
      ['more unexpected errors of other kinds', 3],
    ]);
    const bug = lines[2]?.err;
    expect(bug?.message.length).toBeLessThan(1_100);
    expect(bug?.stack.length).toBeLessThan(1_100);
    expect(written.join('').length).toBeLessThan(12_000);
  });
});
