/**
 * The go-yaml v2 (v2.4.0) emitter rules the rendered-config hash depends on, one rule per test, with the
 * exact text go-yaml writes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { marshalYamlV2 as y } from '../../../functions/core/render/index.ts';
import {
  formatGoFloat,
  isBase60Float,
  isTimestamp,
  resolvesToNonString,
  sortKeys,
} from '../../../functions/core/render/yamlv2/index.ts';

describe('scalar resolution (which strings are quoted)', () => {
  it.each([
    'y',
    'Y',
    'yes',
    'Yes',
    'YES',
    'n',
    'N',
    'no',
    'NO',
    'true',
    'True',
    'TRUE',
    'false',
    'on',
    'On',
    'off',
    'OFF',
    '',
    '~',
    'null',
    'Null',
    'NULL',
    '.inf',
    '-.inf',
    '+.Inf',
    '.nan',
    '.NaN',
    '0',
    '5678',
    '012',
    '0777',
    '08',
    '0x10',
    '0X1f',
    '0o17',
    '0b101',
    '-0b11',
    '1_000',
    '+1',
    '-1',
    '-0',
    '1.0',
    '1.',
    '.5',
    '1e3',
    '1E3',
    '-1.5e-3',
    '+.5',
    '18446744073709551615',
    '99999999999999999999',
    '2006-01-02',
    '2006-1-2',
    '2006-1-2T15:04:05Z',
    '2006-01-02t15:04:05.123+02:00',
    '2006-01-02 15:04:05',
  ])('%j resolves to a non-string', (s) => {
    expect(resolvesToNonString(s)).toBe(true);
  });

  it.each([
    '3.5.0',
    '1.2.3.4',
    'data:,x',
    'yess',
    'nope',
    'tru',
    'o',
    '~x',
    'null0',
    '.foo',
    '._',
    '..5',
    '<<',
    '+',
    '-',
    '0x',
    '0xg',
    '1e',
    'e3',
    '2006-13-01',
    '2006-02-30',
    '2006-01-02T25:00:00Z',
    '2006-01-02T15:04:05',
    '1e400',
    '0x1FFFFFFFFFFFFFFFFFFFF',
    'abc',
    'default',
    'newformatURL',
  ])('%j stays a string', (s) => {
    expect(resolvesToNonString(s)).toBe(false);
  });

  it('treats sexagesimal numbers as base-60 floats', () => {
    expect(isBase60Float('1:20')).toBe(true);
    expect(isBase60Float('-12:30:45.5')).toBe(true);
    expect(isBase60Float('12:60')).toBe(false);
    expect(isBase60Float('a:1')).toBe(false);
  });

  it('checks timestamp ranges like time.Parse', () => {
    expect(isTimestamp('2024-02-29')).toBe(true);
    expect(isTimestamp('2023-02-29')).toBe(false);
    expect(isTimestamp('1900-02-29')).toBe(false);
    expect(isTimestamp('2000-02-29')).toBe(true);
    expect(isTimestamp('20240-01-01')).toBe(false);
  });
});

describe('scalar styles', () => {
  it('writes strings that resolve to other types double-quoted', () => {
    expect(y({ a: 'yes', b: '0777', c: '1e3', d: '', e: '~', f: '1:20', g: '2006-01-02' })).toBe(
      'a: "yes"\nb: "0777"\nc: "1e3"\nd: ""\ne: "~"\nf: "1:20"\ng: "2006-01-02"\n',
    );
  });

  it('writes strings with a leading indicator, ": " or " #" single-quoted', () => {
    expect(
      y({
        l: [
          ':',
          '- x',
          '#c',
          '?',
          '-',
          '@x',
          '`x',
          '%x',
          '!x',
          '&x',
          '*x',
          '|x',
          '>x',
          '[x',
          '{x',
          ',x',
          "'x",
          '"x',
          'a: b',
          'a:',
          'a #b',
          '---',
          '...x',
        ],
      }),
    ).toBe(
      "l:\n- ':'\n- '- x'\n- '#c'\n- '?'\n- '-'\n- '@x'\n- '`x'\n- '%x'\n- '!x'\n- '&x'\n- '*x'\n- '|x'\n- '>x'\n- '[x'\n- '{x'\n- ',x'\n- '''x'\n- '\"x'\n- 'a: b'\n- 'a:'\n- 'a #b'\n- '---'\n- '...x'\n",
    );
  });

  it('keeps plain what needs no quoting', () => {
    expect(
      y({
        l: [
          '3.5.0',
          'data:,hello%20world',
          'a:b',
          'a#b',
          'x,y',
          'x]',
          '-x',
          '<<',
          'é',
          'a b',
          '.foo',
          '\u00a0x',
        ],
      }),
    ).toBe(
      'l:\n- 3.5.0\n- data:,hello%20world\n- a:b\n- a#b\n- x,y\n- x]\n- -x\n- <<\n- é\n- a b\n- .foo\n- \u00a0x\n',
    );
  });

  it('single-quotes leading and trailing spaces', () => {
    expect(y({ a: ' x', b: 'x ', c: ' ' })).toBe("a: ' x'\nb: 'x '\nc: ' '\n");
  });

  it('double-quotes non-printable characters with escapes', () => {
    expect(
      y({
        a: 'tab\there',
        b: 'nul\u0000',
        c: 'bell\u0007',
        d: 'nel\u0085',
        e: 'esc\u001b',
        f: 'c1\u0080',
        g: '😀',
        h: '\ufeffbom',
        i: 'del\u007f',
        j: 'q"\\\t',
      }),
    ).toBe(
      'a: "tab\\there"\nb: "nul\\0"\nc: "bell\\a"\nd: "nel\\N"\ne: "esc\\e"\nf: "c1\\x80"\ng: "\\U0001F600"\nh: "\\uFEFF\\x62\\x6F\\x6D"\ni: "del\\x7F"\nj: "q\\"\\\\\\t"\n',
    );
  });

  it('escapes every character of a value that starts with a BOM (is_bom looks at the value, not the position)', () => {
    // go-yaml's is_bom(b, i) tests b[0..2]: with a leading U+FEFF every character takes the escape branch,
    // so spaces become \x20, NBSP \_ and LS \L, and with no plain space left nothing folds.
    const long = `\ufeff${'ab '.repeat(40)}`;
    expect(y({ a: '\ufeffa b\u00a0\u2028é', b: long })).toBe(
      `a: "\\uFEFF\\x61\\x20\\x62\\_\\L\\xE9"\nb: "\\uFEFF${'\\x61\\x62\\x20'.repeat(40)}"\n`,
    );
    // A BOM later in the value is escaped alone.
    expect(y({ a: 'a\ufeffb c' })).toBe('a: "a\\uFEFFb c"\n');
  });

  it('treats NEL, LS and PS as line breaks: LS/PS raw in single quotes and literal blocks, re-indented after', () => {
    // is_break covers CR, LF, NEL, LS, PS. LS and PS are printable, so a value with them is multiline but
    // may be single-quoted; write_break copies them and sets the column to 0, and the next character is
    // indented again. NEL is not printable: double quotes, as \N, like LS/PS (\L, \P) once quoting is double.
    expect(y({ a: 'x\u2028y', b: ['p\u2029q'], c: 'l\nm\u2028n\n', d: 'n\u0085el', e: 'x\u2028\ty' })).toBe(
      'a: \'x\u2028  y\'\nb:\n- \'p\u2029  q\'\nc: |\n  l\n  m\u2028  n\nd: "n\\Nel"\ne: "x\\L\\ty"\n',
    );
    // A break at the start or the end keeps a value from being plain, as LF does; a space next to one
    // forbids single quotes.
    expect(y({ a: '\u2028x', b: 'x\u2029', c: 'x \u2028y' })).toBe(
      "a: '\u2028  x'\nb: 'x\u2029'\nc: \"x \\Ly\"\n",
    );
  });

  it('writes multi-line strings as literal blocks with chomping indicators', () => {
    expect(y({ clip: 'a\nb\n', keep: 'a\n\n', only: '\n', strip: 'a\nb', blank: 'a\n\nb' })).toBe(
      'blank: |-\n  a\n\n  b\nclip: |\n  a\n  b\nkeep: |+\n  a\n\nonly: |2+\n\nstrip: |-\n  a\n  b\n',
    );
  });

  it('adds an indentation indicator when the text starts with a space or a break', () => {
    expect(y({ a: ' x\ny', b: '\nx' })).toBe('a: |2-\n   x\n  y\nb: |2-\n\n  x\n');
  });

  it('falls back to double quotes for multi-line text with trailing spaces, space before a break, or tabs', () => {
    expect(y({ a: 'x \ny', b: 'x\ny ', c: 'x\n\ty' })).toBe('a: "x \\ny"\nb: "x\\ny "\nc: "x\\n\\ty"\n');
  });

  it('indents literal blocks one level deeper than their key, also inside lists', () => {
    expect(y({ units: [{ contents: '[Unit]\nA=b\n', name: 'x.service' }] })).toBe(
      'units:\n- contents: |\n    [Unit]\n    A=b\n  name: x.service\n',
    );
  });

  it('writes numbers, booleans and null plainly', () => {
    expect(
      y({
        a: 420,
        b: -1,
        c: 1.5,
        d: true,
        e: false,
        f: null,
        g: 1e21,
        h: 0.0001,
        i: 0.00001,
        j: 123456,
        k: 1234567.5,
      }),
    ).toBe(
      'a: 420\nb: -1\nc: 1.5\nd: true\ne: false\nf: null\ng: 1e+21\nh: 0.0001\ni: 1e-05\nj: 123456\nk: 1.2345675e+06\n',
    );
  });

  it("formats floats like Go's strconv 'g' with shortest precision", () => {
    expect(formatGoFloat(0.1)).toBe('0.1');
    expect(formatGoFloat(100000.5)).toBe('100000.5');
    expect(formatGoFloat(1e6)).toBe('1e+06');
    expect(formatGoFloat(-2.5e-7)).toBe('-2.5e-07');
    expect(formatGoFloat(1e100)).toBe('1e+100');
    expect(formatGoFloat(Number.POSITIVE_INFINITY)).toBe('.inf');
    expect(formatGoFloat(Number.NaN)).toBe('.nan');
  });
});

describe('line folding at 80 columns', () => {
  const words = (n: number, w = 'aaaa') => Array.from({ length: n }, () => w).join(' ');

  it('folds plain scalars at the first space after column 80, continuation indented', () => {
    const text = y({ k: words(40) });
    expect(text).toBe(`k: ${words(16)}\n  ${words(16)}\n  ${words(8)}\n`);
    expect(text.split('\n')[0]).toHaveLength(82);
  });

  it('folds single-quoted scalars the same way', () => {
    expect(y({ k: `${words(20)} ` })).toBe(`k: '${words(16)}\n  ${words(4)} '\n`);
  });

  it('folds double-quoted scalars and escapes a space that would start a line', () => {
    const value = `\t${words(16)}  ${words(4)}`;
    expect(y({ k: value })).toBe(`k: "\\t${words(16)}\n  \\ ${words(4)}"\n`);
  });

  it('never folds keys or words without spaces', () => {
    const long = 'x'.repeat(200);
    expect(y({ k: long })).toBe(`k: ${long}\n`);
  });

  it('folds inside nested structures relative to their indentation', () => {
    expect(y({ a: { b: [words(20)] } })).toBe(`a:\n  b:\n  - ${words(16)}\n    ${words(4)}\n`);
  });
});

describe('collections', () => {
  it('does not indent lists inside maps and writes empty collections in flow style', () => {
    expect(y({ a: [], b: {}, c: [{}], d: [[]], e: { f: {} }, g: ['x'] })).toBe(
      'a: []\nb: {}\nc:\n- {}\nd:\n- []\ne:\n  f: {}\ng:\n- x\n',
    );
  });

  it('writes maps inside lists on the dash line and nested lists after a dash', () => {
    expect(y({ u: [{ name: 'core', keys: ['a', 'b'] }], n: [[1, 2], [3]] })).toBe(
      '"n":\n- - 1\n  - 2\n- - 3\nu:\n- keys:\n  - a\n  - b\n  name: core\n',
    );
  });

  it('quotes keys like values and uses a complex key past 128 bytes', () => {
    const long = 'k'.repeat(129);
    expect(y({ n: 1, yes: 2, '': 3 })).toBe('"": 3\n"n": 1\n"yes": 2\n');
    expect(y({ [long]: 'v' })).toBe(`? ${long}\n: v\n`);
  });

  it("sorts keys with go-yaml's order: non-letters first, numbers by value, shorter run first", () => {
    expect(sortKeys(['b', 'a', 'B', 'a1', 'a10', 'a2', '_x', '1', 'a01'])).toEqual([
      '_x',
      '1',
      'B',
      'a',
      'a1',
      'a01',
      'a2',
      'a10',
      'b',
    ]);
    expect(
      sortKeys([
        'kernelType',
        'kernelArguments',
        'osImageURL',
        'baseOSExtensionsContainerImage',
        'config',
        'fips',
        'extensions',
      ]),
    ).toEqual([
      'baseOSExtensionsContainerImage',
      'config',
      'extensions',
      'fips',
      'kernelArguments',
      'kernelType',
      'osImageURL',
    ]);
  });
});

// A JSON-like value as go-yaml decodes it from JSON.
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({
        unit: fc.constantFrom('a', ' ', '\n', '\t', ':', '#', '-', "'", '"', '\\', 'é', '😀', '1', 'y'),
        maxLength: 120,
      }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    ),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('round trip', () => {
  it('reads back to the same value with a YAML parser (folding and escapes lose nothing)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), jsonValue, { maxKeys: 5 }), (value) => {
        const text = y(value as never);
        expect(parse(text, { schema: 'core', uniqueKeys: false })).toEqual(
          Object.keys(value).length === 0 ? {} : value,
        );
      }),
      { numRuns: 300 },
    );
  });
});
