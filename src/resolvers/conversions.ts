// Vendor values to the schema's: money with its unit, dates in one format.
import type { Money } from '../generated/graphql.js';

/** From integer cents, as Voucherify sends amounts. Integer arithmetic: no float rounding. */
export function moneyFromCents(cents: number, currencyCode: string): Money {
  const whole = Math.trunc(cents);
  const sign = whole < 0 ? '-' : '';
  const abs = Math.abs(whole);
  return { amount: `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`, currencyCode };
}

/**
 * From an amount in major units, as Gameball sends them, to the nearest cent, half a cent away from
 * zero. The decimal the vendor wrote is shifted as text (`1.005` → `1.005e2`): multiplying the
 * float (1.005 * 100 = 100.49999…) would round some half cents the wrong way.
 */
export function moneyFromMajorUnits(amount: number | null | undefined, currencyCode: string): Money | null {
  if (amount == null || !Number.isFinite(amount)) return null;
  const abs = Math.abs(amount);
  const cents = Math.round(String(abs).includes('e') ? abs * 100 : Number(`${abs}e2`));
  return moneyFromCents(amount < 0 ? -cents : cents, currencyCode);
}

const hasOffset = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/** A vendor timestamp as a Date; Gameball sends some without an offset, read here as UTC. */
export function vendorDateTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  // Date rolls an impossible day over (February 30th is March 1st): such a value is no timestamp.
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (day && localDate(Number(day[1]), Number(day[2]), Number(day[3])) === null) return null;
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
  // LocalDate is four-digit years: beyond them the ISO form gains a sign and six digits.
  if (!year || !month || !day || year < 1 || year > 9999) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** A value a field shows: vendors send an empty string for an unknown one, as they send null. */
export const isPresent = <T>(value: T): value is NonNullable<T> => value != null && value !== '';

/** The first of the lookups, in order, that yields a non-empty value; later ones are not made. */
export async function firstPresent<T>(...lookups: (() => Promise<T | null | undefined>)[]): Promise<T | null> {
  for (const lookup of lookups) {
    const value = await lookup();
    if (isPresent(value)) return value;
  }
  return null;
}
