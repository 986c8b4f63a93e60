/**
 * What go-yaml v2 (v2.4.0) reads back from the JSON text Go writes for a value. ghodss/yaml's `Marshal`
 * (MCO's rendered-name hash) writes the spec with `encoding/json` and parses that text with
 * `yaml.v2.Unmarshal` before go-yaml writes it out as YAML, and go-yaml does not take every JSON string as it
 * is (`readerc.go` `yaml_parser_update_buffer`, `scannerc.go` `yaml_parser_scan_flow_scalar`):
 *
 * - The reader refuses every character outside YAML 1.1's printable set ("control characters are not
 *   allowed"). `encoding/json` escapes the C0 controls, `"`, `\`, `<`, `>`, `&`, U+2028 and U+2029 (and invalid
 *   UTF-8), but writes DEL (U+007F), the C1 controls U+0080–U+009F, U+FFFE and U+FFFF as they are, and of
 *   those the reader allows only NEL (U+0085). A spec string holding any other of them cannot be read back.
 * - Inside a double-quoted scalar a raw NEL is a line break, and line breaks are folded: a run of spaces
 *   and NELs holding k NELs reads as one space when k = 1, else as k − 1 line feeds (the spaces around the
 *   breaks are dropped). Escaped characters (`\n`, `\u2028`, …) are never folded.
 * - A NEL followed directly by `---` or `...` and then a space or another NEL puts a document marker at the
 *   start of a line: "found unexpected document indicator".
 *
 * Map keys are checked for refused characters like values. The rules that only concern keys (a simple key
 * must sit on one line and span at most 1024 characters) are not modelled: a spec's keys are field names.
 *
 * Why written here: this is the exact reading rule of one Go library; no JavaScript YAML parser applies
 * YAML 1.1's line-break set (NEL, LS, PS) or go-yaml's reader checks.
 */
import type { YamlValue } from './emit.ts';

/** Where a value sits in a tree: keys and list indexes from the root. */
export type YamlPath = readonly (string | number)[];

/** `a.b[0].c` for `['a', 'b', 0, 'c']`. */
export function formatYamlPath(path: YamlPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

/** What went wrong: a refused character, or a NEL that starts a line with a document marker. */
export type YamlV2ReadProblem = 'control-character' | 'document-indicator';

/** go-yaml v2 cannot read back the JSON text of a value. */
export class YamlV2ReadError extends Error {
  readonly kind: YamlV2ReadProblem;
  /** Where the string is. */
  readonly path: YamlPath;
  /** The string, as it is in the value. */
  readonly value: string;
  /** Position in `value` (in code points, from 0) of the refused character or of the NEL. */
  readonly index: number;
  /** The refused character; U+0085 for a document marker. */
  readonly codePoint: number;
  /** go-yaml's error text, e.g. `yaml: control characters are not allowed`. */
  readonly problem: string;
  constructor(kind: YamlV2ReadProblem, found: Found, problem: string) {
    super(`${formatYamlPath(found.path) || '(root)'}: ${problem}`);
    this.name = 'YamlV2ReadError';
    this.kind = kind;
    this.path = found.path;
    this.value = found.value;
    this.index = found.index;
    this.codePoint = found.codePoint;
    this.problem = problem;
  }
}

/** A character go-yaml v2's reader refuses and Go's JSON encoder writes unescaped. */
export const isRefusedByYamlV2Reader = (cp: number): boolean =>
  cp === 0x7f || (cp >= 0x80 && cp <= 0x9f && cp !== 0x85) || cp === 0xfffe || cp === 0xffff;

// Strings that need a closer look: NEL or a refused character (code units; surrogates never match).
const suspicious = /[\u007f-\u009f\ufffe\uffff]/;
const NEL = 0x85;
// go-yaml reads its input 512 bytes at a time (input_raw_buffer_size) and checks each chunk as it decodes it.
const READ_CHUNK = 512;

/**
 * `value` as go-yaml v2 reads it back from Go's JSON text of it: the same tree (the same object when no
 * string changes) with raw NELs folded.
 * @throws YamlV2ReadError when go-yaml would refuse the text; of two problems, the one go-yaml meets
 * first (its reader checks a whole 512-byte chunk before the scanner looks at any character of it).
 */
export function readBackFromGoJson(value: YamlValue): YamlValue {
  if (!hasSuspicious(value)) return value;
  const reader = new JsonReadBack();
  const result = reader.value(value);
  const { control, indicator } = reader;
  if (control && (!indicator || chunkOf(control.end) <= chunkOf(indicator.end))) {
    throw new YamlV2ReadError('control-character', control, 'yaml: control characters are not allowed');
  }
  if (indicator) {
    throw new YamlV2ReadError(
      'document-indicator',
      indicator,
      `yaml: line ${indicator.line}: found unexpected document indicator`,
    );
  }
  return result;
}

const chunkOf = (endByte: number): number => Math.floor((endByte - 1) / READ_CHUNK);

function hasSuspicious(value: YamlValue): boolean {
  if (typeof value === 'string') return suspicious.test(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasSuspicious);
  for (const key in value) if (suspicious.test(key) || hasSuspicious(value[key]!)) return true;
  return false;
}

interface Found {
  path: YamlPath;
  value: string;
  index: number;
  codePoint: number;
  /** Byte offset in the JSON text just past the character go-yaml needs to see the problem. */
  end: number;
  /** For a document marker: go-yaml's 1-based line number. */
  line: number;
}

/**
 * Walks the tree in the order of its JSON text, keeping the byte offset and the number of raw NELs (line
 * breaks) so far. Offsets follow `goJson` (clarketm's escapes); they only decide which of two problems is
 * reported and the line number, never whether the spec is refused.
 */
class JsonReadBack {
  control: Found | undefined;
  indicator: Found | undefined;
  private offset = 0;
  private lines = 0;
  private readonly path: (string | number)[] = [];

  value(v: YamlValue): YamlValue {
    if (typeof v === 'string') return this.string(v, true);
    if (v === null || typeof v !== 'object') {
      this.offset += JSON.stringify(v).length;
      return v;
    }
    this.offset++;
    if (Array.isArray(v)) {
      let out: YamlValue[] | undefined;
      v.forEach((item, i) => {
        if (i > 0) this.offset++;
        this.path.push(i);
        const read = this.value(item);
        this.path.pop();
        if (read !== item) {
          out ??= v.slice();
          out[i] = read;
        }
      });
      this.offset++;
      return out ?? v;
    }
    let out: { [key: string]: YamlValue } | undefined;
    let first = true;
    for (const key in v) {
      if (!first) this.offset++;
      first = false;
      this.path.push(key);
      this.string(key, false);
      this.offset++;
      const item = v[key]!;
      const read = this.value(item);
      this.path.pop();
      if (read !== item) {
        out ??= { ...v };
        out[key] = read;
      }
    }
    this.offset++;
    return out ?? v;
  }

  /** Scans one JSON string; returns what go-yaml reads (keys are only checked, see the module comment). */
  private string(s: string, fold: boolean): string {
    const start = this.offset;
    if (!suspicious.test(s)) {
      this.offset = start + jsonStringBytes(s);
      return s;
    }
    const cps: number[] = [];
    const units: number[] = [];
    const ends: number[] = [];
    let pos = start + 1;
    let unit = 0;
    for (const ch of s) {
      const cp = ch.codePointAt(0)!;
      units.push(unit);
      unit += ch.length;
      pos += jsonCharBytes(cp);
      if (isRefusedByYamlV2Reader(cp) && !this.control) {
        this.control = {
          path: [...this.path],
          value: s,
          index: cps.length,
          codePoint: cp,
          end: pos,
          line: 0,
        };
      }
      cps.push(cp);
      ends.push(pos);
    }
    this.offset = pos + 1;
    if (!fold || !cps.includes(NEL)) return s;
    units.push(s.length);
    return this.fold(s, cps, units, ends);
  }

  /**
   * yaml_parser_scan_flow_scalar on a string whose only raw blanks and breaks are spaces and NELs (Go's
   * JSON escapes tabs and the other breaks). `units[k]` is where code point k starts in `s`.
   */
  private fold(s: string, cps: number[], units: number[], ends: number[]): string {
    const n = cps.length;
    let out = '';
    let i = 0;
    let lineStart = false;
    for (;;) {
      // Column 0 (a NEL just before, no space after it): "---" or "..." then a blank is a document marker.
      if (lineStart && !this.indicator && i + 3 < n && isMarker(cps, i)) {
        this.indicator = {
          path: [...this.path],
          value: s,
          index: i - 1,
          codePoint: NEL,
          end: ends[i + 3]!,
          line: this.lines + 1,
        };
      }
      const from = i;
      while (i < n && cps[i] !== 0x20 && cps[i] !== NEL) i++;
      if (i > from) out += s.slice(units[from], units[i]);
      if (i >= n) break;
      let breaks = 0;
      let spaces = 0;
      while (i < n && (cps[i] === 0x20 || cps[i] === NEL)) {
        if (cps[i] === NEL) {
          breaks++;
          this.lines++;
        } else if (breaks === 0) spaces++;
        i++;
      }
      out += breaks === 0 ? ' '.repeat(spaces) : breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
      lineStart = breaks > 0 && cps[i - 1] === NEL;
    }
    return out;
  }
}

function isMarker(cps: readonly number[], i: number): boolean {
  const c = cps[i];
  if (c !== 0x2d && c !== 0x2e) return false;
  if (cps[i + 1] !== c || cps[i + 2] !== c) return false;
  return cps[i + 3] === 0x20 || cps[i + 3] === NEL;
}

/** Bytes of `s` as a Go JSON string literal, quotes included (see `goJson`). */
function jsonStringBytes(s: string): number {
  let bytes = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
        continue;
      }
    }
    bytes += jsonCharBytes(c);
  }
  return bytes;
}

/** Bytes one code point takes in Go's JSON text: its escape, or its UTF-8 form. */
function jsonCharBytes(cp: number): number {
  if (cp === 0x22 || cp === 0x5c || cp === 0x0a || cp === 0x0d || cp === 0x09) return 2;
  if (cp < 0x20 || cp === 0x3c || cp === 0x3e || cp === 0x26 || cp === 0x2028 || cp === 0x2029) return 6;
  if (cp >= 0xd800 && cp <= 0xdfff) return 6; // a lone surrogate: \ufffd
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  return cp < 0x10000 ? 3 : 4;
}
