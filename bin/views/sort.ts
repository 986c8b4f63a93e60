/**
 * Natural order of names: `worker-2` before `worker-10`, as a person reads them. Written here rather than
 * with Intl.Collator: the same order in every locale, and no ICU collator to load at start-up (about 25 ms
 * of every `strata get`).
 */

const CHUNKS = /(\d+)|(\D+)/g;

/** Compares two names naturally: runs of digits by value, the rest by code point. */
export function compareNatural(a: string, b: string): number {
  const x = a.match(CHUNKS) ?? [];
  const y = b.match(CHUNKS) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    const digits = /^\d/.test(p) && /^\d/.test(q);
    if (digits) {
      const d = Number(p) - Number(q) || p.length - q.length; // 007 after 7
      if (d !== 0) return d;
    } else return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/** Compares two keys (e.g. cluster, then name) naturally, part by part. */
export function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = compareNatural(a[i] ?? '', b[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}

/** `names` in natural order (a copy). */
export function naturally(names: readonly string[]): string[] {
  return [...names].sort(compareNatural);
}
