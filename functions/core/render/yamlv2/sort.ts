/**
 * go-yaml v2's map key order (`sorter.go`, `keyList.Less`) for string keys. It is not byte order: keys
 * are compared rune by rune; at the first difference two letters compare by code point, a letter sorts
 * after a non-letter, and otherwise runs of digits compare as numbers (shorter run first on a tie), with
 * a special case for leading zeros inside a longer number.
 */

const letter = /\p{L}/u;
const digit = /\p{Nd}/u;
const isLetter = (cp: number): boolean =>
  cp < 0x80
    ? (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)
    : letter.test(String.fromCodePoint(cp));
const isDigit = (cp: number): boolean =>
  cp < 0x80 ? cp >= 0x30 && cp <= 0x39 : digit.test(String.fromCodePoint(cp));

function runes(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0)!);
  return out;
}

/** `keyList.Less(a, b)` for two string keys. */
export function keyLess(a: string, b: string): boolean {
  const ar = runes(a);
  const br = runes(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i]!;
    const y = br[i]!;
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return x < y;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (x === 0x30 || y === 0x30) {
      // A zero inside a number that started earlier (with a non-zero digit) is an ordinary digit.
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== 0x30) {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + (ar[ai]! - 0x30);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + (br[bi]! - 0x30);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return x < y;
  }
  return ar.length < br.length;
}

// Maps of one shape (every file entry, every unit) share their key order: sort each key set once.
const orderCache = new Map<string, string[]>();

/** Keys in go-yaml v2 order (sorts `keys` in place and returns it). */
export function sortKeys(keys: string[]): string[] {
  if (keys.length < 2) return keys;
  const byOrder = (a: string, b: string): number =>
    a === b ? 0 : keyLess(a, b) ? -1 : keyLess(b, a) ? 1 : 0;
  // The cache id joins the keys with NUL, so keys containing NUL are sorted without it.
  if (keys.some((k) => k.includes('\u0000'))) return keys.sort(byOrder);
  const id = keys.join('\u0000');
  const cached = orderCache.get(id);
  if (cached) {
    for (let i = 0; i < keys.length; i++) keys[i] = cached[i]!;
    return keys;
  }
  keys.sort(byOrder);
  if (orderCache.size < 10_000) orderCache.set(id, [...keys]);
  return keys;
}
