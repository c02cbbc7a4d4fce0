export const alphanumerics = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const lowerAlphanumerics = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const hexDigits = '0123456789abcdef';

/**
 * A small seeded PRNG (mulberry32), so the sandbox data and the fakes' generated ids are the same on
 * every run with the same seed. Not for anything that must be unpredictable.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new RangeError('Cannot pick from an empty list');
    return item;
  }

  /** Up to `max` distinct items, in their original order. */
  subset<T>(items: readonly T[], max = items.length): T[] {
    const wanted = this.int(0, Math.min(max, items.length));
    const chosen = new Set<T>();
    while (chosen.size < wanted) chosen.add(this.pick(items));
    return items.filter((item) => chosen.has(item));
  }

  chars(alphabet: string, length: number): string {
    let text = '';
    for (let index = 0; index < length; index += 1) text += alphabet.charAt(this.int(0, alphabet.length - 1));
    return text;
  }

  /** An upper-case version 4 UUID, the form of Imprint's customer ids. */
  uuid(): string {
    const hex = (length: number) => this.chars(hexDigits, length);
    const variant = this.pick(['8', '9', 'a', 'b']);
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`.toUpperCase();
  }
}

/** Hands out strings that were never handed out (nor reserved) before: ids, codes. */
export class UniqueStrings {
  private readonly used: Set<string>;

  constructor(reserved: Iterable<string> = []) {
    this.used = new Set(reserved);
  }

  next(make: () => string): string {
    let value = make();
    while (this.used.has(value)) value = make();
    this.used.add(value);
    return value;
  }
}
