import { describe, expect, it, vi } from 'vitest';
import {
  firstPresent,
  localDate,
  moneyFromCents,
  moneyFromMajorUnits,
  vendorDateTime,
  vendorLocalDate,
} from '../../src/resolvers/conversions.js';

// Vendor values to the schema's. Every expected value is written out by hand: the decimal string
// a person reads for an amount, the UTC instant a timestamp names, the calendar date a date names.

describe('moneyFromCents', () => {
  it.each([
    { cents: 0, amount: '0.00' },
    { cents: 5, amount: '0.05' },
    { cents: 10, amount: '0.10' },
    { cents: 99, amount: '0.99' },
    { cents: 100, amount: '1.00' },
    { cents: 1234, amount: '12.34' },
    { cents: 101950, amount: '1019.50' },
    { cents: -5, amount: '-0.05' },
    { cents: -100, amount: '-1.00' },
    { cents: -1234, amount: '-12.34' },
    // Beyond what a float could add up exactly, still digit for digit.
    { cents: 9_007_199_254_740_991, amount: '90071992547409.91' },
  ])('$cents cents are $amount', ({ cents, amount }) => {
    expect(moneyFromCents(cents, 'EUR')).toEqual({ amount, currencyCode: 'EUR' });
  });

  // Voucherify sends integers; a fraction of a cent is dropped, towards zero, never rounded up.
  it.each([
    { cents: 12.9, amount: '0.12' },
    { cents: 1234.5, amount: '12.34' },
    { cents: 199.99, amount: '1.99' },
    { cents: -12.9, amount: '-0.12' },
    { cents: -1234.5, amount: '-12.34' },
    // Less than a cent below zero is no cent, and no minus sign.
    { cents: -0.5, amount: '0.00' },
    { cents: -0.4, amount: '0.00' },
  ])('$cents cents (not an integer) are $amount', ({ cents, amount }) => {
    expect(moneyFromCents(cents, 'USD')).toEqual({ amount, currencyCode: 'USD' });
  });

  it('keeps the currency code as given', () => {
    expect(moneyFromCents(1, 'JPY').currencyCode).toBe('JPY');
  });
});

describe('moneyFromMajorUnits', () => {
  it.each([
    { major: 0, amount: '0.00' },
    { major: 1, amount: '1.00' },
    { major: 19.99, amount: '19.99' },
    { major: 1019.5, amount: '1019.50' },
    { major: 123456.78, amount: '123456.78' },
    { major: -19.99, amount: '-19.99' },
    { major: -0.01, amount: '-0.01' },
    // Float sums and products land next to the cent they mean, and are read as that cent.
    { major: 0.1 + 0.2, amount: '0.30' },
    { major: 0.7 + 0.1, amount: '0.80' },
    { major: 1.1 * 3, amount: '3.30' },
    { major: 1.15, amount: '1.15' },
    { major: 4.35, amount: '4.35' },
    // Less than a cent either way is no cent.
    { major: 1e-7, amount: '0.00' },
    { major: -1e-7, amount: '0.00' },
    { major: 0.004, amount: '0.00' },
    // Half a cent and more rounds up.
    { major: 0.005, amount: '0.01' },
    { major: 0.015, amount: '0.02' },
    { major: 19.995, amount: '20.00' },
    { major: 2.675, amount: '2.68' },
    { major: 10.235, amount: '10.24' },
    { major: 0.125, amount: '0.13' },
    { major: 19.994, amount: '19.99' },
    // Half cents whose float lies just below the half: the decimal written counts.
    { major: 1.005, amount: '1.01' },
    { major: 1.255, amount: '1.26' },
    { major: 0.285, amount: '0.29' },
    { major: 4.015, amount: '4.02' },
    // Negative half cents round away from zero too, as positive ones do.
    { major: -0.125, amount: '-0.13' },
    { major: -0.005, amount: '-0.01' },
  ])('$major is $amount', ({ major, amount }) => {
    expect(moneyFromMajorUnits(major, 'USD')).toEqual({ amount, currencyCode: 'USD' });
  });

  it.each([null, undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    '%s is no amount',
    (major) => {
      expect(moneyFromMajorUnits(major, 'USD')).toBeNull();
    },
  );
});

describe('vendorDateTime', () => {
  it.each([
    { value: '2024-03-01T12:00:00Z', utc: '2024-03-01T12:00:00.000Z' },
    { value: '2024-03-01T12:00:00.123Z', utc: '2024-03-01T12:00:00.123Z' },
    { value: '2024-03-01t12:00:00z', utc: '2024-03-01T12:00:00.000Z' },
    { value: '2024-03-01T12:00:00+02:00', utc: '2024-03-01T10:00:00.000Z' },
    { value: '2024-03-01T12:00:00+0200', utc: '2024-03-01T10:00:00.000Z' },
    { value: '2024-03-01T12:00:00-05:30', utc: '2024-03-01T17:30:00.000Z' },
    { value: '2024-03-01T01:00:00+02:00', utc: '2024-02-29T23:00:00.000Z' },
    { value: '2024-12-31T23:30:00-01:00', utc: '2025-01-01T00:30:00.000Z' },
  ])('$value, with an offset, is $utc', ({ value, utc }) => {
    expect(vendorDateTime(value)?.toISOString()).toBe(utc);
  });

  // Gameball sends some timestamps without an offset: UTC, whatever the process's time zone.
  it.each([
    { value: '2024-03-01T12:00:00', utc: '2024-03-01T12:00:00.000Z' },
    { value: '2024-03-01T12:00:00.123', utc: '2024-03-01T12:00:00.123Z' },
    { value: '2024-03-01T12:00', utc: '2024-03-01T12:00:00.000Z' },
    { value: '2024-03-01 12:00:00', utc: '2024-03-01T12:00:00.000Z' },
    { value: '2024-03-01', utc: '2024-03-01T00:00:00.000Z' },
  ])('$value, without an offset, is read as UTC: $utc', ({ value, utc }) => {
    expect(vendorDateTime(value)?.toISOString()).toBe(utc);
  });

  it.each([
    null,
    undefined,
    '',
    'garbage',
    'not a date Z',
    '2024-13-01T00:00:00',
    '2024-03-01T25:00:00',
    '1709294400',
    '2024-02-30T00:00:00Z',
    '2023-02-29T10:00:00',
  ])('%j is no timestamp', (value) => {
    expect(vendorDateTime(value)).toBeNull();
  });
});

describe('vendorLocalDate', () => {
  it.each([
    { value: '1985-10-25', date: '1985-10-25' },
    { value: '1985-10-25T00:00:00', date: '1985-10-25' },
    { value: '1985-10-25T00:00:00.000Z', date: '1985-10-25' },
    // The date as written, not moved by the offset: a birthday is not an instant.
    { value: '1985-10-25T23:30:00-05:00', date: '1985-10-25' },
    { value: '1985-10-25T00:30:00+05:00', date: '1985-10-25' },
    { value: '2024-02-29', date: '2024-02-29' },
    { value: '2000-02-29', date: '2000-02-29' },
    { value: '1999-12-31', date: '1999-12-31' },
  ])('$value is $date', ({ value, date }) => {
    expect(vendorLocalDate(value)).toBe(date);
  });

  it.each([
    null,
    undefined,
    '',
    '1985-02-29',
    '1900-02-29',
    '2024-02-30',
    '2024-04-31',
    '1985-13-01',
    '1985-00-10',
    '1985-10-00',
    '0000-01-01',
    '1985-1-5',
    '85-10-25',
    '25/10/1985',
    ' 1985-10-25',
    'garbage',
  ])('%j is no date', (value) => {
    expect(vendorLocalDate(value)).toBeNull();
  });
});

describe('localDate', () => {
  it.each([
    { parts: [2024, 2, 29], date: '2024-02-29' },
    { parts: [2000, 2, 29], date: '2000-02-29' },
    { parts: [2023, 2, 28], date: '2023-02-28' },
    { parts: [1985, 10, 25], date: '1985-10-25' },
    { parts: [2024, 1, 1], date: '2024-01-01' },
    { parts: [2024, 12, 31], date: '2024-12-31' },
    { parts: [2024, 4, 30], date: '2024-04-30' },
  ] as const)('$parts is $date', ({ parts: [year, month, day], date }) => {
    expect(localDate(year, month, day)).toBe(date);
  });

  it.each([
    // February 29th of years that are not leap years, and February 30th of any year.
    [2023, 2, 29],
    [1900, 2, 29],
    [2100, 2, 29],
    [2024, 2, 30],
    [2023, 2, 30],
    [2024, 4, 31],
    [2024, 6, 31],
    [2024, 13, 1],
    [2024, 0, 1],
    [2024, 1, 0],
    [2024, 1, 32],
    [2024, -1, 1],
    [2024, 2.5, 1],
    [2024, 2, 29.5],
    [undefined, 10, 25],
    [1985, undefined, 25],
    [1985, 10, undefined],
    [0, 10, 25],
    // Years a four-digit LocalDate cannot write.
    [10000, 1, 1],
    [-1, 1, 1],
  ])('%s, %s, %s is no date', (year, month, day) => {
    expect(localDate(year, month, day)).toBeNull();
  });
});

describe('firstPresent', () => {
  it.each([
    { values: ['a', 'b'], first: 'a' },
    { values: [null, 'b'], first: 'b' },
    { values: [undefined, 'b'], first: 'b' },
    { values: ['', 'b'], first: 'b' },
    { values: [null, undefined, '', 'd'], first: 'd' },
    // Present though falsy: only null, undefined and the empty string are absent.
    { values: [0, 1], first: 0 },
    { values: [false, true], first: false },
    { values: [[], ['b']], first: [] },
    { values: [null, undefined, ''], first: null },
    { values: [], first: null },
  ])('of $values is $first', async ({ values, first }) => {
    const lookups = values.map((value) => () => Promise.resolve(value));
    expect(await firstPresent<unknown>(...lookups)).toEqual(first);
  });

  it('makes the lookups one after another, in order, and none after the first present value', async () => {
    const made: string[] = [];
    let releaseFirst!: () => void;
    const first = vi.fn(() => {
      made.push('first');
      return new Promise<null>((resolve) => (releaseFirst = () => resolve(null)));
    });
    const second = vi.fn(() => {
      made.push('second');
      return Promise.resolve('found');
    });
    const third = vi.fn(() => {
      made.push('third');
      return Promise.resolve('never');
    });

    const result = firstPresent(first, second, third);
    await Promise.resolve();
    // The second waits for the first's answer.
    expect(made).toEqual(['first']);
    releaseFirst();
    expect(await result).toBe('found');
    expect(made).toEqual(['first', 'second']);
    expect(third).not.toHaveBeenCalled();
  });

  it('rejects with the first failing lookup, and makes none after it', async () => {
    const after = vi.fn(() => Promise.resolve('never'));
    await expect(
      firstPresent(
        () => Promise.resolve(null),
        () => Promise.reject(new Error('vendor down')),
        after,
      ),
    ).rejects.toThrow('vendor down');
    expect(after).not.toHaveBeenCalled();
  });
});
