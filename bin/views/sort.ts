/** Natural order of names: `worker-2` before `worker-10`, as a person reads them. */

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Compares two names naturally (digit runs by value). */
export function compareNatural(a: string, b: string): number {
  return collator.compare(a, b);
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
