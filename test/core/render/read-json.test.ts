/**
 * What go-yaml v2 reads back from Go's JSON text of a spec (ghodss/yaml's JSONToYAML step of MCO's
 * rendered-name hash): the reader's refusals, the scanner's folding of raw NELs in double-quoted scalars,
 * and its document markers. Each expectation is derived in a comment from go-yaml v2.4.0's readerc.go and
 * scannerc.go (yaml_parser_scan_flow_scalar) and from what encoding/json leaves unescaped.
 */
import { describe, expect, it } from 'vitest';
import {
  readBackFromGoJson,
  YamlV2ReadError,
  type YamlValue,
} from '../../../functions/core/render/yamlv2/index.ts';

function readError(value: YamlValue): YamlV2ReadError {
  try {
    readBackFromGoJson(value);
  } catch (error) {
    if (error instanceof YamlV2ReadError) return error;
    throw error;
  }
  throw new Error('expected a YamlV2ReadError');
}

describe('reading back strings that go-yaml takes as they are', () => {
  it('returns the very same tree when no string holds NEL or a refused character', () => {
    // Prepare
    const tree = { a: ['x y', 'tab\there', 'line\nbreak', 'ls\u2028ps\u2029', '😀', '\ufeffbom', '\ufffd'] };
    // Act
    const read = readBackFromGoJson(tree);
    // Assess
    expect(read).toBe(tree);
  });

  it('keeps escaped line breaks: encoding/json writes \\n, \\r, \\u2028 and \\u2029 as escapes, which never fold', () => {
    expect(readBackFromGoJson({ k: 'a\n\nb\u2028c\u2029d\re\u0085' })).toEqual({
      k: 'a\n\nb\u2028c\u2029d\re ',
    });
  });

  it('accepts the characters the reader allows: NEL, NBSP, BOM, U+FFFD, non-characters other than U+FFFE/U+FFFF, astral ones', () => {
    const ok = ['\u00a0', '\ufeff', '\ufffd', '\ufdd0', '\u{1fffe}', '\u{10ffff}', '\u{1f600}', '\ud800'];
    expect(readBackFromGoJson({ k: ok.map((c) => `x${c}y`) })).toEqual({ k: ok.map((c) => `x${c}y`) });
  });
});

describe('raw NELs are line breaks in a double-quoted scalar, and line breaks fold', () => {
  // A run of spaces and NELs holding one NEL reads as one space, k NELs as k−1 line feeds; the spaces
  // before the first NEL are dropped (whitespaces[:0]) and those after it skipped (leading_blanks).
  it.each([
    ['a\u0085b', 'a b'],
    ['a\u0085', 'a '],
    ['\u0085b', ' b'],
    ['\u0085', ' '],
    ['a\u0085\u0085b', 'a\nb'],
    ['a\u0085\u0085\u0085b', 'a\n\nb'],
    ['a  \u0085  b', 'a b'],
    ['a \u0085 \u0085 b', 'a\nb'],
    ['a \u0085b c  d', 'a b c  d'],
    ['x\u0085---', 'x ---'],
    ['x\u0085---y', 'x ---y'],
    ['x\u0085 --- y', 'x --- y'],
    ['x\u0085--', 'x --'],
  ])('%j reads as %j', (written, read) => {
    expect(readBackFromGoJson({ kernelArguments: [written] })).toEqual({ kernelArguments: [read] });
  });

  it('leaves a tab after a NEL alone: encoding/json escapes it as \\t, so it is no blank to the scanner', () => {
    expect(readBackFromGoJson({ k: 'a\u0085\tb' })).toEqual({ k: 'a \tb' });
  });

  it('copies only the branches that change and does not fold map keys', () => {
    // Prepare
    const untouched = { x: ['plain'] };
    const tree = { untouched, changed: ['a\u0085b'], 'k\u0085ey': 'v' };
    // Act
    const read = readBackFromGoJson(tree) as typeof tree;
    // Assess
    expect(read).not.toBe(tree);
    expect(read.untouched).toBe(untouched);
    expect(read).toEqual({ untouched, changed: ['a b'], 'k\u0085ey': 'v' });
    expect(tree.changed).toEqual(['a\u0085b']);
  });
});

describe('refusals', () => {
  // The reader allows #x9 #xA #xD [#x20-#x7E] #x85 [#xA0-#xD7FF] [#xE000-#xFFFD] [#x10000-#x10FFFF];
  // encoding/json escapes everything below U+0020 (and U+2028/U+2029), so these are the ones that arrive raw.
  it.each(
    [0x7f, 0x80, 0x84, 0x86, 0x9b, 0x9f, 0xfffe, 0xffff].map((cp) => [cp.toString(16).toUpperCase(), cp]),
  )('refuses U+%s anywhere in a string: "control characters are not allowed"', (_, cp) => {
    // Act
    const error = readError({
      config: { storage: { files: [{ path: `/etc/${String.fromCodePoint(cp)}x` }] } },
    });
    // Assess
    expect(error.kind).toBe('control-character');
    expect(error.problem).toBe('yaml: control characters are not allowed');
    expect(error.path).toEqual(['config', 'storage', 'files', 0, 'path']);
    expect(error.index).toBe(5);
    expect(error.codePoint).toBe(cp);
  });

  it('refuses a refused character in a map key too (the reader checks every byte of the text)', () => {
    expect(readError({ 'a\u0090': 1 }).path).toEqual(['a\u0090']);
  });

  it('counts positions in code points, so an astral character before the refused one counts once', () => {
    expect(readError({ k: '😀\u007f' }).index).toBe(1);
  });

  it('refuses a NEL that puts "---" or "..." and a blank at the start of a line: a document marker', () => {
    // Act
    const dashes = readError({ kernelArguments: ['ok', 'x\u0085--- y'] });
    const dots = readError({ kernelArguments: ['x\u0085\u0085...\u0085'] });
    // Assess
    expect(dashes.kind).toBe('document-indicator');
    expect(dashes.path).toEqual(['kernelArguments', 1]);
    expect(dashes.index).toBe(1);
    // One NEL before the marker: the scanner is on line 1 (from 0); p.fail adds one for scanner errors.
    expect(dashes.problem).toBe('yaml: line 2: found unexpected document indicator');
    expect(dots.index).toBe(2);
    expect(dots.problem).toBe('yaml: line 3: found unexpected document indicator');
  });

  it('numbers the line by the NELs earlier in the JSON text, in its order (earlier keys, earlier strings)', () => {
    const error = readError({ a: 'p\u0085q\u0085r', b: ['s\u0085--- t'] });
    expect(error.problem).toBe('yaml: line 4: found unexpected document indicator');
    expect(error.path).toEqual(['b', 0]);
  });

  it('reports a refused character before a document marker in text order', () => {
    expect(readError({ a: '\u007f', b: 'x\u0085--- y' }).kind).toBe('control-character');
  });

  it('reports a refused character after a marker when the reader decodes it first (same 512-byte chunk)', () => {
    // The JSON text is {"a":"x<NEL>--- y","b":"<pad>\u007f"}: the blank after "---" ends at byte 13, in the
    // first 512-byte chunk the reader decodes (and checks) before the scanner sees any of it. DEL is at
    // byte 21 + pad: with pad 490 it is byte 511, the last of that chunk; with pad 491 it is in the next one.
    const marker = 'x\u0085--- y';
    expect(readError({ a: marker, b: `${'z'.repeat(490)}\u007f` }).kind).toBe('control-character');
    expect(readError({ a: marker, b: `${'z'.repeat(491)}\u007f` }).kind).toBe('document-indicator');
  });

  it('counts bytes as Go writes them: escapes and multi-byte characters move the chunk boundary', () => {
    // Same as above with each padding "z" replaced: "<" is written \u003c (6 bytes), "é" is 2 bytes.
    const marker = 'x\u0085--- y';
    // 81 × 6 = 486, + 4 × 1 = 490 bytes of padding: DEL at byte 511.
    expect(readError({ a: marker, b: `${'<'.repeat(81)}zzzz\u007f` }).kind).toBe('control-character');
    // 245 × 2 = 490: DEL at byte 511; one more "é" pushes it to 513.
    expect(readError({ a: marker, b: `${'é'.repeat(245)}\u007f` }).kind).toBe('control-character');
    expect(readError({ a: marker, b: `${'é'.repeat(246)}\u007f` }).kind).toBe('document-indicator');
  });
});
