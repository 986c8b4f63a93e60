/**
 * Which plain scalars go-yaml v2 (v2.4.0, `resolve.go`) reads as something other than a string. The
 * encoder double-quotes a string exactly when its plain form would resolve to another type
 * (`stringv`: `rtag != yaml_STR_TAG || isBase60Float(s)`), so this decides quoting.
 *
 * Rules, by the first character (`resolveTable`):
 * - `y Y n N t T f F o O ~`: only the exact words of the YAML 1.1 table (bools, null) resolve;
 * - `.`: `.inf`/`.nan` spellings, or anything Go's `strconv.ParseFloat` accepts (`.5`, `.5e3`);
 * - `+ -` and digits: a timestamp (`2006-1-2`, with time, `T`/`t`/space, zone), else, with `_` removed, a
 *   Go integer literal within 64 bits (`0x`, `0o`, `0b`, leading-`0` octal), else a YAML-style float
 *   (`[-+]?(\.d+|d+(\.d*)?)([eE][-+]?d+)?`) that does not overflow, else a `0b`/`-0b` binary form;
 * - the empty string is null; everything else is a string (including `<<`, whose first character is not
 *   in the table).
 */

const mapped = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
  '',
  '~',
  'null',
  'Null',
  'NULL',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
]);

const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const dotFloat = /^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/;
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

const maxUint64 = (1n << 64n) - 1n;
const maxInt64 = (1n << 63n) - 1n;

/** True when go-yaml v2 would read `s`, written plain, as a non-string (bool, null, int, float, timestamp). */
export function resolvesToNonString(s: string): boolean {
  if (s === '') return true;
  const c = s[0]!;
  const isSign = c === '+' || c === '-';
  const isDigit = c >= '0' && c <= '9';
  const inMapTable = 'yYnNtTfFoO~'.includes(c);
  if (!isSign && !isDigit && !inMapTable && c !== '.') return false;
  if (mapped.has(s)) return true;
  if (inMapTable) return false;
  if (c === '.') return dotFloat.test(s) && Number.isFinite(Number(s.replaceAll('_', '')));
  if (isTimestamp(s)) return true;
  const plain = s.replaceAll('_', '');
  if (goIntegerFits(plain)) return true;
  if (yamlStyleFloat.test(plain) && Number.isFinite(Number(plain))) return true;
  if (plain.startsWith('0b')) return binaryFits(plain.slice(2));
  if (plain.startsWith('-0b')) return binaryFits(`-${plain.slice(3)}`);
  return false;
}

/** `isBase60Float`: YAML 1.1 sexagesimal numbers (`1:20`), quoted for other parsers' sake. */
export function isBase60Float(s: string): boolean {
  if (s === '') return false;
  const c = s[0]!;
  if (!(c === '+' || c === '-' || (c >= '0' && c <= '9')) || !s.includes(':')) return false;
  return base60Float.test(s);
}

// strconv.ParseInt(s, 0, 64), falling back to ParseUint(s, 0, 64): Go's integer literal syntax.
function goIntegerFits(s: string): boolean {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return false;
  const body = m[2]!;
  let value: bigint;
  if (/^0[xXoObB]/.test(body)) value = BigInt(body.toLowerCase());
  else if (body.length > 1 && body[0] === '0') value = BigInt(`0o${body.slice(1)}`);
  else value = BigInt(body);
  if (m[1] === '-') return value <= maxInt64 + 1n;
  if (m[1] === '+') return value <= maxInt64;
  return value <= maxUint64;
}

// strconv.ParseInt(s, 2, 64) / ParseUint(s, 2, 64).
function binaryFits(s: string): boolean {
  const m = /^([+-]?)([01]+)$/.exec(s);
  if (!m) return false;
  const value = BigInt(`0b${m[2]}`);
  if (m[1] === '-') return value <= maxInt64 + 1n;
  if (m[1] === '+') return value <= maxInt64;
  return value <= maxUint64;
}

const dateOnly = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const dateTimeZone =
  /^(\d{4})-(\d{1,2})-(\d{1,2})[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;
const dateSpaceTime = /^(\d{4})-(\d{1,2})-(\d{1,2}) +(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?$/;

/** `parseTimestamp`: the four layouts go-yaml tries with Go's `time.Parse`, range checks included. */
export function isTimestamp(s: string): boolean {
  if (!/^\d{4}-/.test(s)) return false;
  const m = dateOnly.exec(s) ?? dateTimeZone.exec(s) ?? dateSpaceTime.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return false;
  if (m[4] !== undefined) {
    if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return false;
  }
  return true;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
