/**
 * A small seeded pseudo-random generator (mulberry32 over a 32-bit FNV-1a seed hash). The simulator never
 * uses `Math.random`: every random choice comes from a generator derived from the scenario seed and a key
 * (a node name, a cluster name), so one seed always makes the same choices in the same places.
 */
export class Prng {
  private state: number;

  constructor(seed: number | string) {
    this.state = hashSeed(String(seed));
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** A generator for one purpose, derived from the scenario seed and a key, independent of other draws. */
export function derivePrng(seed: number | string, ...key: string[]): Prng {
  return new Prng(`${seed}/${key.join('/')}`);
}

function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3's finaliser: similar keys (worker-1, worker-2) must give unrelated streams.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
