// Vendor values to the schema's: money with its unit, dates in one format.
import type { Money } from '../generated/graphql.js';

/** From integer cents, as Voucherify sends amounts. Integer arithmetic: no float rounding. */
export function moneyFromCents(cents: number, currencyCode: string): Money {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(cents));
  return { amount: `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`, currencyCode };
}

/** From an amount in major units, as Gameball sends them. */
export function moneyFromMajorUnits(amount: number | null | undefined, currencyCode: string): Money | null {
  if (amount == null || !Number.isFinite(amount)) return null;
  return moneyFromCents(Math.round(amount * 100), currencyCode);
}

const hasOffset = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/** A vendor timestamp as a Date; Gameball sends some without an offset, read here as UTC. */
export function vendorDateTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(hasOffset.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A vendor date (`1985-10-25` or `1985-10-25T00:00:00`) as `YYYY-MM-DD`, or null if it is no real date. */
export function vendorLocalDate(value: string | null | undefined): string | null {
  const match = value ? /^(\d{4})-(\d{2})-(\d{2})/.exec(value) : null;
  if (!match) return null;
  return localDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** `YYYY-MM-DD` from parts, or null for an impossible date such as February 30th. */
export function localDate(year: number | undefined, month: number | undefined, day: number | undefined): string | null {
  if (!year || !month || !day) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** The first of the lookups, in order, that yields a non-empty value; later ones are not made. */
export async function firstPresent<T>(...lookups: (() => Promise<T | null | undefined>)[]): Promise<T | null> {
  for (const lookup of lookups) {
    const value = await lookup();
    if (value != null && value !== '') return value;
  }
  return null;
}
