/**
 * Strings from the whole of Unicode through the rendered-name path (`specYaml`: what go-yaml v2 reads back
 * from Go's JSON of the spec, then go-yaml v2's writer). For every string, either Strata refuses it, exactly
 * when go-yaml v2's reader would, or its YAML follows go-yaml's emitter rules as written in emitterc.go:
 * - quoting: the style `yaml_emitter_analyze_scalar` + `yaml_emitter_select_scalar_style` allow, stated
 *   here as conditions on the text (leading/trailing space or break, space next to a break, characters
 *   outside `is_printable`, indicators);
 * - escaping: in double quotes exactly the characters that need it are escaped, each with go-yaml's escape
 *   (`\N`, `\L`, `\P`, `\xXX`, `\uXXXX`, `\UXXXXXXXX`, …), every character when the value starts with a BOM;
 * - folding at 80 columns: a line is only broken at a space once past column 80, at the first space where
 *   go-yaml may break (not next to another space, not the first or last character of a quoted value);
 * - and the text reads back, by go-yaml's scanner rules (re-stated below as a small reader), to the value go-yaml
 *   read from the JSON: raw NELs folded, lone surrogates as U+FFFD.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { marshalYamlV2, specYaml, UnreadableSpecError } from '../../../functions/core/render/index.ts';
import { isBase60Float, resolvesToNonString } from '../../../functions/core/render/yamlv2/index.ts';

// ---- what the reader does (readerc.go, scannerc.go), stated on the string ----------------------------

/** DEL, C1 controls but NEL, U+FFFE, U+FFFF: written raw by encoding/json, refused by go-yaml's reader. */
const refused = /[\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;
/** A NEL (column 0 after it) then "---"/"..." and a raw blank (space or NEL: tabs are escaped \t). */
const marker = /\u0085(?:---|\.\.\.)[ \u0085]/;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The value go-yaml reads back from Go's JSON of `s`. */
function readBack(s: string): string {
  return s.replace(loneSurrogate, '\ufffd').replace(/[ \u0085]*\u0085[ \u0085]*/g, (run) => {
    const nels = run.split('\u0085').length - 1;
    return nels === 1 ? ' ' : '\n'.repeat(nels - 1);
  });
}

// ---- character classes of yamlprivateh.go --------------------------------------------------------------

const isBreak = (c: number): boolean =>
  c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
const isPrintable = (c: number): boolean =>
  c === 0x0a ||
  (c >= 0x20 && c <= 0x7e) ||
  (c >= 0xa0 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);
const cp = (ch: string): number => ch.codePointAt(0)!;
const BR = '[\\r\\n\\u0085\\u2028\\u2029]';

type Style = 'plain' | 'single' | 'double' | 'literal';

/** The style go-yaml picks for a string value in block context. */
function expectedStyle(v: string): Style {
  const chars = [...v];
  const special = chars.some((ch) => !isPrintable(cp(ch)));
  const lineBreaks = new RegExp(BR).test(v);
  const leading = v.startsWith(' ') || new RegExp(`^${BR}`).test(v);
  const trailing = v.endsWith(' ') || new RegExp(`${BR}$`).test(v);
  const breakSpace = new RegExp(`${BR} `).test(v);
  const spaceBreak = new RegExp(` ${BR}`).test(v);
  const indicators =
    /^[#,[\]{}&*!|>'"%@`]/.test(v) ||
    /^[?:-](?:[ \t]|$)/.test(v) ||
    /^(?:---|\.\.\.)/.test(v) ||
    /^[\s\S]+?:(?:[ \t]|$)/.test(v) ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL counts as whitespace before "#" (is_blankz).
    /[ \t\r\n\u0085\u2028\u2029\u0000]#/.test(v);
  const plainAllowed = !(
    leading ||
    trailing ||
    breakSpace ||
    spaceBreak ||
    special ||
    lineBreaks ||
    indicators
  );
  const singleAllowed = !(breakSpace || spaceBreak || special);
  const blockAllowed = !(v.endsWith(' ') || spaceBreak || special);
  // encoder.stringv: literal for text with LF, double quotes when the plain form reads as another type.
  if (v.includes('\n')) return blockAllowed ? 'literal' : 'double';
  if (resolvesToNonString(v) || isBase60Float(v)) return 'double';
  if (plainAllowed) return 'plain';
  return singleAllowed ? 'single' : 'double';
}

/** The escape go-yaml writes after `\` (yaml_emitter_write_double_quoted_scalar). */
function escapeFor(c: number): string {
  const short: Record<number, string> = {
    0: '0',
    7: 'a',
    8: 'b',
    9: 't',
    10: 'n',
    11: 'v',
    12: 'f',
    13: 'r',
    27: 'e',
    34: '"',
    92: '\\',
    133: 'N',
    160: '_',
    8232: 'L',
    8233: 'P',
  };
  if (short[c] !== undefined) return short[c];
  const hex = c.toString(16).toUpperCase();
  return c <= 0xff
    ? `x${hex.padStart(2, '0')}`
    : c <= 0xffff
      ? `u${hex.padStart(4, '0')}`
      : `U${hex.padStart(8, '0')}`;
}
const needsEscape = (c: number): boolean => !isPrintable(c) || isBreak(c) || c === 0x22 || c === 0x5c;

// ---- a reader for the scalars go-yaml writes (the scanner's rules, scannerc.go) ------------------------

function readLine(chars: string[], i: number): [string, number] {
  const c = chars[i]!;
  if (c === '\r' && chars[i + 1] === '\n') return ['\n', i + 2];
  return [c === '\u2028' || c === '\u2029' ? c : '\n', i + 1];
}
const isBlank = (ch: string | undefined): boolean => ch === ' ' || ch === '\t';
const isBreakCh = (ch: string | undefined): boolean => ch !== undefined && isBreak(cp(ch));

/** The escape at chars[i] (a backslash): the character and the escape's length. */
function readEscape(chars: string[], i: number): [string, number] {
  const e = chars[i + 1]!;
  const simple: Record<string, string> = {
    '0': '\0',
    a: '\x07',
    b: '\b',
    t: '\t',
    '\t': '\t',
    n: '\n',
    v: '\v',
    f: '\f',
    r: '\r',
    e: '\x1b',
    ' ': ' ',
    '"': '"',
    "'": "'",
    '\\': '\\',
    N: '\u0085',
    _: '\u00a0',
    L: '\u2028',
    P: '\u2029',
  };
  if (simple[e] !== undefined) return [simple[e], 2];
  const length = { x: 2, u: 4, U: 8 }[e];
  if (length === undefined) throw new Error(`unknown escape \\${e}`);
  const hex = chars.slice(i + 2, i + 2 + length).join('');
  expect(hex).toMatch(/^[0-9A-F]+$/);
  return [String.fromCodePoint(Number.parseInt(hex, 16)), 2 + length];
}

/** yaml_parser_scan_flow_scalar on the text between the quotes. */
function readQuoted(body: string, single: boolean): string {
  const chars = [...body];
  const n = chars.length;
  let s = '';
  let i = 0;
  for (;;) {
    let leadingBlanks = false;
    while (i < n && !isBlank(chars[i]) && !isBreakCh(chars[i])) {
      const c = chars[i]!;
      if (single && c === "'" && chars[i + 1] === "'") {
        s += "'";
        i += 2;
      } else if (!single && c === '\\' && isBreakCh(chars[i + 1])) {
        i = readLine(chars, i + 1)[1];
        leadingBlanks = true;
        break;
      } else if (!single && c === '\\') {
        const [ch, length] = readEscape(chars, i);
        s += ch;
        i += length;
      } else {
        s += c;
        i++;
      }
    }
    if (i >= n) break;
    let whitespaces = '';
    let leadingBreak = '';
    let trailingBreaks = '';
    while (i < n && (isBlank(chars[i]) || isBreakCh(chars[i]))) {
      if (isBlank(chars[i])) {
        if (!leadingBlanks) whitespaces += chars[i];
        i++;
      } else if (!leadingBlanks) {
        whitespaces = '';
        [leadingBreak, i] = readLine(chars, i);
        leadingBlanks = true;
      } else {
        const [b, next] = readLine(chars, i);
        trailingBreaks += b;
        i = next;
      }
    }
    if (leadingBlanks) {
      s += leadingBreak.startsWith('\n') ? trailingBreaks || ' ' : leadingBreak + trailingBreaks;
    } else s += whitespaces;
  }
  return s;
}

/** A plain scalar over several lines: each line break with the indentation after it reads as one space. */
const readPlain = (text: string): string =>
  text
    .split('\n')
    .map((line, i) => (i === 0 ? line : line.replace(/^ +/, '')))
    .join(' ');

/** A literal block (`|`, indentation 2): lines without their indentation, breaks kept, then chomping. */
function readLiteral(text: string): { header: string; value: string } {
  const newline = text.indexOf('\n');
  const header = text.slice(0, newline);
  const parts = text.slice(newline + 1).split(/([\n\u2028\u2029])/);
  let value = '';
  for (const [i, part] of parts.entries()) {
    if (i % 2 === 1) value += part;
    else {
      if (part !== '') expect(part.startsWith('  ')).toBe(true);
      value += part.slice(2);
    }
  }
  // Strip: the value has no final break, so the document's own line end follows it; otherwise the block
  // ends on the value's last break and nothing follows.
  if (header.endsWith('-')) expect(value.endsWith('\n')).toBe(true);
  return { header, value: header.endsWith('-') ? value.slice(0, -1) : value };
}

// ---- the 80-column folding rule (write_plain / write_single_quoted / write_double_quoted) ---------------

/**
 * Splits a flow scalar's text (from the start of its first line, with the key or dash before it) into the
 * lines go-yaml counts columns on: a fold (LF) or a raw LS/PS resets the column.
 */
function foldChecks(line0Prefix: string, text: string, style: Exclude<Style, 'literal'>): void {
  const pieces = (line0Prefix + text).split(/([\n\u2028\u2029])/);
  const lines = pieces.filter((_, i) => i % 2 === 0).map((l) => [...l]);
  const seps = pieces.filter((_, i) => i % 2 === 1);
  const opening = [...line0Prefix].length;
  lines.forEach((line, j) => {
    if (seps[j] === '\n') {
      // A line ended by a fold was broken at a space past column 80 where go-yaml may break: not after
      // another space, not the quoted value's first or last character, not before a space (plain, single).
      expect(line.length).toBeGreaterThan(80);
      expect(line.at(-1)).not.toBe(' ');
      if (style !== 'plain')
        expect(j === 0 && line.length - 1 === opening, 'fold at the first character').toBe(false);
      // The next line is the scalar's indentation (2), then a character that is no plain space.
      const next = lines[j + 1]!.join('');
      expect(next).toMatch(style === 'double' ? /^ {2}(?:\\ |[^ ])/ : /^ {2}[^ ]/);
      if (style !== 'plain') {
        expect(j + 1 === lines.length - 1 && next.length === 3, 'fold at the last character').toBe(false);
      }
    }
    const indentEnd = j === 0 ? opening : line.findIndex((ch) => ch !== ' ');
    for (let p = 81; p < line.length; p++) {
      if (line[p] !== ' ' || p < indentEnd) continue;
      const prev = line[p - 1];
      const next = line[p + 1];
      const first = j === 0 && p - 1 === opening; // right after the opening quote
      const last = j === lines.length - 1 && p + 1 === line.length - 1; // right before the closing quote
      const mayBreak =
        style === 'plain'
          ? prev !== ' ' && next !== undefined && next !== ' '
          : style === 'single'
            ? prev !== ' ' && !first && !last && next !== ' '
            : prev !== ' ' && prev !== '\\' && !first && !last;
      // go-yaml breaks at the first such space: none may be left on a line.
      expect(mayBreak, `space at column ${p} of ${JSON.stringify(line.join(''))}`).toBe(false);
    }
  });
}

/** Every character of a double-quoted body is raw when it may be, escaped (go-yaml's escape) when it must. */
function escapeChecks(body: string, value: string): void {
  const chars = [...body];
  const all = value.startsWith('\ufeff');
  let lineStart = false;
  for (let i = 0; i < chars.length; ) {
    const c = chars[i]!;
    if (c === '\n') {
      expect(all, 'a value starting with a BOM has no plain space to fold at').toBe(false);
      i++;
      while (chars[i] === ' ') i++;
      lineStart = true;
      continue;
    }
    if (c === '\\') {
      // After a fold, a space that would start the line is written "\ ".
      if (lineStart && chars[i + 1] === ' ') {
        i += 2;
        lineStart = false;
        continue;
      }
      const [ch, length] = readEscape(chars, i);
      expect(chars.slice(i + 1, i + length).join('')).toBe(escapeFor(cp(ch)));
      if (!all) expect(needsEscape(cp(ch)), `needless escape of U+${cp(ch).toString(16)}`).toBe(true);
      i += length;
    } else {
      expect(all, 'with a leading BOM every character is escaped').toBe(false);
      expect(needsEscape(cp(c)), `U+${cp(c).toString(16)} written raw`).toBe(false);
      i++;
    }
    lineStart = false;
  }
}

// ---- the property ----------------------------------------------------------------------------------------

/** Where the value sits: after `k: `, in a list (`k:\n- `), or after a key long enough to start it past column 80. */
type Place = 'key' | 'list' | 'long key';
const place = fc.constantFrom<Place>('key', 'key', 'list', 'long key');

/**
 * One scalar of the output: `k: <scalar>` or, in a list, `k:\n- <scalar>`. Through `specYaml` (the name's
 * path: go-yaml reads the spec back from JSON first), or through `marshalYamlV2` alone (go-yaml's writer
 * given the Go string as it is, NEL included).
 */
function checkScalar(s: string, place: Place, via: 'spec' | 'writer' = 'spec'): void {
  const inList = place === 'list';
  const key = place === 'long key' ? 'k'.repeat(85) : 'k';
  const doc = inList ? { [key]: [s] } : { [key]: s };
  if (via === 'writer') {
    const value = s.replace(loneSurrogate, '\ufffd');
    checkText(marshalYamlV2(doc), value, key, inList);
    return;
  }
  let yaml: string;
  try {
    yaml = specYaml(doc);
  } catch (error) {
    // Refused: exactly when the reader or the scanner would refuse, with the field named.
    expect(error).toBeInstanceOf(UnreadableSpecError);
    const e = error as UnreadableSpecError;
    expect(refused.test(s) || marker.test(s)).toBe(true);
    // Within one 512-byte chunk the reader's refusal comes before any scanner error.
    expect(e.kind).toBe(refused.test(s) ? 'control-character' : 'document-indicator');
    expect(e.field).toBe(inList ? `spec.${key}[0]` : `spec.${key}`);
    return;
  }
  expect(refused.test(s) || marker.test(s), 'go-yaml would refuse this').toBe(false);
  checkText(yaml, readBack(s), key, inList);
}

/** The YAML go-yaml writes for `{k: value}` or `{k: [value]}`, checked against the emitter's rules. */
function checkText(yaml: string, value: string, key: string, inList: boolean): void {
  const prefix = inList ? '- ' : `${key}: `;
  const head = inList ? `${key}:\n- ` : `${key}: `;
  expect(yaml.startsWith(head)).toBe(true);
  const rest = yaml.slice(head.length);
  const style: Style =
    rest[0] === "'" ? 'single' : rest[0] === '"' ? 'double' : rest[0] === '|' ? 'literal' : 'plain';
  expect(style).toBe(expectedStyle(value));
  // The document ends with a line break unless a literal block already ended on one (LF, LS or PS).
  if (style !== 'literal') expect(rest.endsWith('\n')).toBe(true);
  const text = style === 'literal' ? rest : rest.slice(0, -1);
  switch (style) {
    case 'plain':
      expect(readPlain(text)).toBe(value);
      foldChecks(prefix, text, style);
      break;
    case 'single':
      expect(text.endsWith("'")).toBe(true);
      expect(readQuoted(text.slice(1, -1), true)).toBe(value);
      foldChecks(prefix, text, style);
      break;
    case 'double':
      expect(text.endsWith('"')).toBe(true);
      expect(readQuoted(text.slice(1, -1), false)).toBe(value);
      escapeChecks(text.slice(1, -1), value);
      foldChecks(prefix, text, style);
      break;
    case 'literal': {
      const { header, value: read } = readLiteral(text);
      const chars = [...value];
      const endsInBreak = isBreak(cp(chars.at(-1)!));
      const keep = endsInBreak && (chars.length === 1 || isBreak(cp(chars.at(-2)!)));
      const indicator = value.startsWith(' ') || isBreak(cp(chars[0]!)) ? '2' : '';
      expect(header).toBe(`|${indicator}${!endsInBreak ? '-' : keep ? '+' : ''}`);
      expect(read).toBe(value);
      break;
    }
  }
}

const specials = [
  '\u0085', // NEL
  '\u2028', // LS
  '\u2029', // PS
  '\u007f',
  '\u0080',
  '\u009b',
  '\u009f',
  '\ufeff', // BOM
  '\ufffe',
  '\uffff',
  '\ufdd0', // a non-character the reader allows
  '\u{1fffe}',
  '\u{10ffff}',
  '\u{1f600}', // a surrogate pair in JavaScript
  '\ud800', // lone surrogates
  '\udfff',
  '\u00a0',
  '\u0000',
  '\u001b',
  '\t',
  '\n',
  '\r',
  'é',
  ...'-.:#\'"\\ ?|>!&*%@`,[]{}',
];
const char = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...specials) },
  { weight: 4, arbitrary: fc.constantFrom(...'abcxyz019') },
  { weight: 3, arbitrary: fc.constantFrom(' ', ' ', '  ') },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
);
const word = fc.stringMatching(/^[a-z0-9=,./-]{1,12}$/);
/** Short strings dense in special characters. */
const short = fc.string({ unit: char, maxLength: 24 });
/** Long ones: words and spaces with special characters between, long enough to fold (often several times). */
const long = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: word },
      { weight: 3, arbitrary: fc.constant(' ') },
      { weight: 1, arbitrary: char },
    ),
    {
      minLength: 20,
      maxLength: 160,
    },
  )
  .map((parts) => parts.join(''));
/** Text over several lines: words, spaces and line breaks of every kind (literal blocks, LS/PS, NEL). */
const lines = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: word },
      { weight: 3, arbitrary: fc.constant(' ') },
      { weight: 2, arbitrary: fc.constantFrom('\n', '\n\n', '\u2028', '\u2029', '\u0085') },
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));
/** Prose: words and single spaces, often plain, long enough to fold several times. */
const prose = fc
  .array(word, { minLength: 10, maxLength: 50 })
  .chain((words) => fc.constantFrom(' ', ' ', '  ').map((gap) => words.join(gap)));
/** Markers right after NELs, and their near misses. */
const nearMarker = fc
  .tuple(
    short,
    fc.constantFrom('\u0085', '\u0085 ', ' \u0085', '\u0085\u0085'),
    fc.constantFrom('---', '...', '--', '-.-'),
    fc.constantFrom(' ', '\u0085', 'x', '\t', ''),
    short,
  )
  .map((parts) => parts.join(''));

describe('strings from the whole of Unicode in the rendered-name YAML', () => {
  it("are refused exactly when go-yaml v2 cannot read them back, else written by go-yaml's rules", () => {
    fc.assert(
      fc.property(fc.oneof(short, long, prose, lines, nearMarker), place, (s, where) =>
        checkScalar(s, where),
      ),
      { numRuns: 3000 },
    );
  });

  it("are written by go-yaml's rules when given to the writer as they are (NEL escaped, never folded away)", () => {
    fc.assert(
      fc.property(fc.oneof(short, long, prose, lines), place, (s, where) => checkScalar(s, where, 'writer')),
      { numRuns: 2000 },
    );
  });

  it('check themselves on known outputs (the rules above are not vacuous)', () => {
    // Each of these is go-yaml's text for the value; each rule is exercised at least once.
    const words = (n: number) => Array.from({ length: n }, () => 'aaaa').join(' ');
    for (const s of [
      words(40), // plain, folded twice
      `${words(20)} `, // single-quoted, folded
      `\t${words(16)}  ${words(4)}`, // double-quoted, folded, "\ " after the fold
      'a\u2028b', // single-quoted, raw LS, re-indented
      '\ufeffa b', // every character escaped
      'x\n\ny\n\n', // literal, keep
      ' x\ny', // literal with an indentation indicator
      'a\u0085b', // NEL read back as a space
      'a\u0085\u0085b', // two NELs: a line feed, so a literal
    ]) {
      checkScalar(s, 'key');
      checkScalar(s, 'list');
      checkScalar(s, 'long key');
      checkScalar(s, 'key', 'writer');
    }
    // And they catch a wrong output: a fold before column 80 is refused.
    expect(() => foldChecks('k: ', 'aaaa bbbb\n  cccc', 'plain')).toThrow();
    expect(() => escapeChecks('a\\x62', 'ab')).toThrow(/needless escape/);
    expect(() => escapeChecks('a\u0085', 'a\u0085')).toThrow(/written raw/);
  });
});
