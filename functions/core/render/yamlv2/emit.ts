/**
 * A YAML writer that produces byte for byte what go-yaml v2 (v2.4.0) `yaml.Marshal` writes for the
 * values `yaml.Unmarshal` gives from JSON (maps with string keys, lists, strings, numbers, bools, null).
 * It follows the rules of go-yaml's port of libyaml's emitter (`emitterc.go`) and encoder (`encode.go`);
 * comments name the rule each part implements. Defaults as in go-yaml: indent 2, width 80, unicode on.
 *
 * Why written here: no JavaScript YAML library reproduces libyaml's scalar style choices and line folding.
 */
import { isBase60Float, resolvesToNonString } from './resolve.ts';
import { sortKeys } from './sort.ts';

/** A value as go-yaml's decoder yields it from JSON. Numbers that are integers are Go ints. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

const Style = { Plain: 0, Single: 1, Double: 2, Literal: 3 } as const;
type Style = (typeof Style)[keyof typeof Style];

/** What `yaml_emitter_analyze_scalar` finds out about a scalar. */
interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

// is_printable: LF, 0x20–0x7E, 0xA0–0xD7FF, 0xE000–0xFFFD except the BOM. Tab, CR, C1 controls and
// everything above the BMP are not printable, which forces double quotes.
const isPrintable = (cp: number): boolean =>
  cp === 0x0a ||
  (cp >= 0x20 && cp <= 0x7e) ||
  (cp >= 0xa0 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
// is_break: CR, LF, NEL, LS, PS.
const isBreak = (cp: number): boolean =>
  cp === 0x0d || cp === 0x0a || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
const isBlank = (cp: number): boolean => cp === 0x20 || cp === 0x09;

/** Code points of `s`; a lone surrogate becomes U+FFFD, as Go's JSON encoder turns invalid UTF-8 into it. */
function codePoints(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
        i++;
        continue;
      }
    }
    out.push(c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
  }
  return out;
}

// Strings that need no analysis: printable ASCII without spaces, not starting with an indicator or with
// "---"/"...", not ending in ":". They are plain-allowed in block context and never fold.
const simplePlain = /^[A-Za-z0-9_./=+$^();<\\~][\x21-\x7e]*$/;

function analyze(cps: number[]): Analysis {
  if (cps.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  // "---" and "..." at the start are document markers.
  if (
    cps.length >= 3 &&
    ((cps[0] === 0x2d && cps[1] === 0x2d && cps[2] === 0x2d) ||
      (cps[0] === 0x2e && cps[1] === 0x2e && cps[2] === 0x2e))
  ) {
    blockIndicators = true;
  }
  let precededByWhitespace = true;
  const n = cps.length;
  for (let i = 0; i < n; i++) {
    const c = cps[i]!;
    // go-yaml v2 looks only at blanks (space, tab) here, not at line breaks.
    const followedByWhitespace = i + 1 >= n || isBlank(cps[i + 1]!);
    if (i === 0) {
      switch (c) {
        case 0x23: // #
        case 0x2c: // ,
        case 0x5b: // [
        case 0x5d: // ]
        case 0x7b: // {
        case 0x7d: // }
        case 0x26: // &
        case 0x2a: // *
        case 0x21: // !
        case 0x7c: // |
        case 0x3e: // >
        case 0x27: // '
        case 0x22: // "
        case 0x25: // %
        case 0x40: // @
        case 0x60: // `
          blockIndicators = true;
          break;
        case 0x3f: // ?
        case 0x3a: // :
          if (followedByWhitespace) blockIndicators = true;
          break;
        case 0x2d: // -
          if (followedByWhitespace) blockIndicators = true;
          break;
      }
    } else if (c === 0x3a) {
      if (followedByWhitespace) blockIndicators = true;
    } else if (c === 0x23) {
      if (precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === n - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === n - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c) || isBreak(c) || c === 0;
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || special) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

/** Go's `strconv.FormatFloat(f, 'g', -1, 64)` with go-yaml's `.inf`/`.nan` spellings. */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Number.POSITIVE_INFINITY) return '.inf';
  if (f === Number.NEGATIVE_INFINITY) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, expText] = Math.abs(f).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const sign = f < 0 ? '-' : '';
  // %e when the exponent is < -4 or >= 6 (shortest formatting uses precision 6 for this decision).
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Serialises `value` as go-yaml v2 `yaml.Marshal` would. */
export function marshalYamlV2(value: YamlValue): string {
  let out = '';
  new Emitter((chunk) => {
    out += chunk;
  }).document(value);
  return out;
}

/**
 * The same output handed to `sink` in pieces of about 64 KiB, in order (e.g. straight into a hash, so
 * a large document is never held as one string).
 */
export function writeYamlV2(value: YamlValue, sink: (chunk: string) => void): void {
  new Emitter(sink).document(value);
}

const CHUNK = 1 << 16;

class Emitter {
  private out = '';
  private readonly sink: (chunk: string) => void;

  constructor(sink: (chunk: string) => void) {
    this.sink = sink;
  }

  private column = 0;
  private indent = -1;
  private readonly indents: number[] = [];
  // Last written character was whitespace (so an indicator needs no leading space).
  private whitespace = true;
  // Only indentation has been written on the current line.
  private indention = true;

  document(value: YamlValue): void {
    this.node(value, false, false);
    // yaml_emitter_emit_document_end: an implicit end only finishes the line.
    this.writeIndent();
    if (this.out) this.sink(this.out);
    this.out = '';
  }

  private put(text: string, width: number): void {
    this.out += text;
    if (this.out.length > CHUNK) {
      this.sink(this.out);
      this.out = '';
    }
    this.column += width;
  }

  private putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  /** yaml_emitter_increase_indent. */
  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop()!;
  }

  /** yaml_emitter_write_indent: new line unless only indentation is on this one, then pad. */
  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.putBreak();
    if (this.column < indent) this.put(' '.repeat(indent - this.column), indent - this.column);
    this.whitespace = true;
    this.indention = true;
  }

  /** yaml_emitter_write_indicator. */
  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(' ', 1);
    this.put(indicator, indicator.length);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private node(value: YamlValue, mappingContext: boolean, simpleKey: boolean): void {
    if (value === null) this.scalar('null', Style.Plain, simpleKey);
    else if (typeof value === 'string') this.stringScalar(value, simpleKey);
    else if (typeof value === 'boolean') this.scalar(value ? 'true' : 'false', Style.Plain, simpleKey);
    else if (typeof value === 'number') {
      this.scalar(Number.isInteger(value) ? String(value) : formatGoFloat(value), Style.Plain, simpleKey);
    } else if (Array.isArray(value)) this.sequence(value, mappingContext);
    else this.mapping(value);
  }

  /** encoder.stringv: literal for text with newlines, plain when it reads back as a string, else double-quoted. */
  private stringScalar(s: string, simpleKey: boolean): void {
    let style: Style = Style.Plain;
    if (s.includes('\n')) style = Style.Literal;
    else if (resolvesToNonString(s) || isBase60Float(s)) style = Style.Double;
    this.scalar(s, style, simpleKey);
  }

  /** yaml_emitter_emit_scalar: pick the final style, then write with the indent one level deeper. */
  private scalar(s: string, requested: Style, simpleKey: boolean): void {
    if (requested === Style.Plain && simplePlain.test(s) && !s.startsWith('...') && !s.endsWith(':')) {
      // Fast path: analysis would allow plain and no space can fold.
      if (!this.whitespace) this.put(' ', 1);
      this.put(s, s.length);
      this.whitespace = false;
      this.indention = false;
      return;
    }
    const cps = codePoints(s);
    const a = analyze(cps);
    let style = requested;
    if (simpleKey && a.multiline) style = Style.Double;
    if (style === Style.Plain) {
      if (!a.blockPlainAllowed) style = Style.Single;
      if (cps.length === 0 && simpleKey) style = Style.Single;
    }
    if (style === Style.Single && !a.singleQuotedAllowed) style = Style.Double;
    if (style === Style.Literal && (!a.blockAllowed || simpleKey)) style = Style.Double;
    this.increaseIndent(true, false);
    const allowBreaks = !simpleKey;
    switch (style) {
      case Style.Plain:
        this.writePlain(cps, allowBreaks);
        break;
      case Style.Single:
        this.writeSingleQuoted(cps, allowBreaks);
        break;
      case Style.Double:
        this.writeDoubleQuoted(cps, allowBreaks);
        break;
      case Style.Literal:
        this.writeLiteral(cps);
        break;
    }
    this.popIndent();
  }

  /** Empty collections are written in flow style (`[]`, `{}`), everything else in block style. */
  private sequence(items: YamlValue[], mappingContext: boolean): void {
    if (items.length === 0) {
      this.writeIndicator('[', true, true, false);
      this.writeIndicator(']', false, false, false);
      return;
    }
    // yaml_emitter_emit_block_sequence_item: a list that is a mapping value is not indented.
    this.increaseIndent(false, mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, false, false);
    }
    this.popIndent();
  }

  private mapping(map: { [key: string]: YamlValue }): void {
    const keys = sortKeys(Object.keys(map));
    if (keys.length === 0) {
      this.writeIndicator('{', true, true, false);
      this.writeIndicator('}', false, false, false);
      return;
    }
    this.increaseIndent(false, false);
    for (const key of keys) {
      this.writeIndent();
      // yaml_emitter_check_simple_key: at most 128 bytes and on one line.
      if (Buffer.byteLength(key, 'utf8') <= 128 && !/[\r\n\u0085\u2028\u2029]/.test(key)) {
        this.node(key, true, true);
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.node(key, true, false);
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(map[key]!, true, false);
    }
    this.popIndent();
  }

  private writeChar(cp: number): void {
    this.put(String.fromCodePoint(cp), 1);
  }

  /** A break inside a scalar (write_break): LF as the line break, other breaks copied as they are. */
  private writeBreakChar(cp: number): void {
    if (cp === 0x0a) this.putBreak();
    else {
      this.writeChar(cp);
      this.column = 0;
    }
  }

  /** yaml_emitter_write_plain_scalar: fold at a single space once past column 80. */
  private writePlain(cps: number[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ', 1);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i]!;
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && cps[i + 1] !== 0x20) this.writeIndent();
        else this.writeChar(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreakChar(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.writeChar(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  /** yaml_emitter_write_single_quoted_scalar: `'` doubled, folding at inner single spaces past column 80. */
  private writeSingleQuoted(cps: number[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    const n = cps.length;
    for (let i = 0; i < n; i++) {
      const c = cps[i]!;
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < n - 1 && cps[i + 1] !== 0x20) {
          this.writeIndent();
        } else this.writeChar(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreakChar(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) this.put("'", 1);
        this.writeChar(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  /**
   * yaml_emitter_write_double_quoted_scalar: escapes, then folding at spaces past column 80. go-yaml's
   * `is_bom(value, i)` looks at the first three bytes of the value whatever `i` is, so a value that starts
   * with U+FEFF has every character escaped (`\x61`, `\x20`, …) and, having no plain space left, never folds.
   */
  private writeDoubleQuoted(cps: number[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    let spaces = false;
    const n = cps.length;
    const escapeAll = cps[0] === 0xfeff;
    for (let i = 0; i < n; i++) {
      const c = cps[i]!;
      if (escapeAll || !isPrintable(c) || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.put(`\\${escapeOf(c)}`, 1 + escapeOf(c).length);
        spaces = false;
      } else if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < n - 1) {
          this.writeIndent();
          // A space starting the next line would be folded away: escape it.
          if (cps[i + 1] === 0x20) this.put('\\', 1);
        } else this.writeChar(c);
        spaces = true;
      } else {
        this.writeChar(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  /** yaml_emitter_write_literal_scalar with its block scalar hints (indentation and chomping indicators). */
  private writeLiteral(cps: number[]): void {
    this.writeIndicator('|', true, false, false);
    // An indentation indicator when the text starts with a space or a break.
    if (cps[0] === 0x20 || isBreak(cps[0]!)) this.writeIndicator(String(BEST_INDENT), false, false, false);
    // Chomping: "-" without a final break, "+" with two or more (or only one break), none with exactly one.
    const n = cps.length;
    let chomp = '';
    if (n === 0 || !isBreak(cps[n - 1]!)) chomp = '-';
    else if (n === 1 || isBreak(cps[n - 2]!)) chomp = '+';
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    let run = '';
    let runWidth = 0;
    const flush = (): void => {
      if (run) {
        this.put(run, runWidth);
        run = '';
        runWidth = 0;
      }
    };
    for (let i = 0; i < n; i++) {
      const c = cps[i]!;
      if (isBreak(c)) {
        flush();
        this.writeBreakChar(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        run += String.fromCodePoint(c);
        runWidth++;
        this.indention = false;
        breaks = false;
      }
    }
    flush();
  }
}

/** The escape go-yaml writes after `\` for a character in a double-quoted scalar. */
function escapeOf(c: number): string {
  switch (c) {
    case 0x00:
      return '0';
    case 0x07:
      return 'a';
    case 0x08:
      return 'b';
    case 0x09:
      return 't';
    case 0x0a:
      return 'n';
    case 0x0b:
      return 'v';
    case 0x0c:
      return 'f';
    case 0x0d:
      return 'r';
    case 0x1b:
      return 'e';
    case 0x22:
      return '"';
    case 0x5c:
      return '\\';
    case 0x85:
      return 'N';
    case 0xa0:
      return '_';
    case 0x2028:
      return 'L';
    case 0x2029:
      return 'P';
  }
  const hex = c.toString(16).toUpperCase();
  if (c <= 0xff) return `x${hex.padStart(2, '0')}`;
  if (c <= 0xffff) return `u${hex.padStart(4, '0')}`;
  return `U${hex.padStart(8, '0')}`;
}
