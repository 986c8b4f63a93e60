/**
 * Kubernetes label and field selectors as the API server parses them from `?labelSelector=` and
 * `?fieldSelector=` (apimachinery `labels.Parse` and `fields.ParseSelector`). Labels: equality (`=`,
 * `==`, `!=`), set-based (`in`, `notin`), existence (`key`, `!key`) and the numeric `>`/`<`, with keys and
 * values validated as label names and values. Fields: `=`, `==`, `!=` with `\,` `\=` `\\` escapes, on the
 * fields the resource supports. A selector that cannot be parsed is a 400 for the caller.
 *
 * Hand-written: apimachinery's parser exists only in Go.
 */

/** Tests one object's labels or fields. */
export type Matcher = (values: Readonly<Record<string, string>>) => boolean;

/** A selector string the API server would reject. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

type Token =
  | { kind: 'id'; text: string }
  | { kind: 'op'; text: '!' | '=' | '==' | '!=' | '>' | '<' | '(' | ')' | ',' }
  | { kind: 'end'; text: '' };

const special = new Set(['!', '=', '>', '<', '(', ')', ',']);

/** The label lexer: identifiers run until whitespace or a special character. */
function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (special.has(ch)) {
      const two = text.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        tokens.push({ kind: 'op', text: two });
        i += 2;
      } else {
        tokens.push({ kind: 'op', text: ch as '!' });
        i++;
      }
      continue;
    }
    let j = i;
    while (j < text.length && !special.has(text[j]!) && !/\s/.test(text[j]!)) j++;
    tokens.push({ kind: 'id', text: text.slice(i, j) });
    i = j;
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

const nameRe = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const dnsSubdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label key: `[prefix/]name`, the prefix a DNS subdomain (≤ 253), the name ≤ 63 characters. */
function checkKey(key: string): void {
  const slash = key.indexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  const problems: string[] = [];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !dnsSubdomainRe.test(prefix)))
    problems.push(
      "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'",
    );
  if (name.length === 0 || name.length > 63 || !nameRe.test(name))
    problems.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, at most 63 characters",
    );
  if (problems.length > 0)
    throw new SelectorError(
      `unable to parse requirement: key: Invalid value: "${key}": ${problems.join('; ')}`,
    );
}

/** A label value: empty, or ≤ 63 characters of the label-name alphabet. */
function checkValue(value: string): void {
  if (value === '') return;
  if (value.length > 63 || !nameRe.test(value))
    throw new SelectorError(
      `unable to parse requirement: values[0][${value}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
}

/** Parses a label selector (`env=prod,tier in (a,b),!legacy`). Empty or absent matches everything. */
export function parseLabelSelector(text: string | undefined): Matcher {
  if (text === undefined || text.trim() === '') return () => true;
  const tokens = lex(text);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;
  const tests: Matcher[] = [];
  for (;;) {
    let negated = false;
    if (peek().kind === 'op' && peek().text === '!') {
      next();
      negated = true;
    }
    const keyToken = next();
    if (keyToken.kind !== 'id')
      throw new SelectorError(
        `found '${keyToken.text || 'EOF'}', expected: !, identifier, or 'end of string'`,
      );
    const key = keyToken.text;
    checkKey(key);
    const op = peek();
    if (negated || op.kind === 'end' || (op.kind === 'op' && op.text === ',')) {
      tests.push(negated ? (l) => l[key] === undefined : (l) => l[key] !== undefined);
    } else if (op.kind === 'id' && (op.text === 'in' || op.text === 'notin')) {
      next();
      const open = next();
      if (open.kind !== 'op' || open.text !== '(')
        throw new SelectorError(`found '${open.text || 'EOF'}', expected: '('`);
      // `( [value] { , [value] } )`: an empty slot is the empty value, as in apimachinery.
      const values = new Set<string>();
      let slot: string | undefined;
      for (;;) {
        const t = next();
        if (t.kind === 'op' && (t.text === ')' || t.text === ',')) {
          values.add(slot ?? '');
          slot = undefined;
          if (t.text === ')') break;
          continue;
        }
        if (t.kind !== 'id' || slot !== undefined)
          throw new SelectorError(`found '${t.text || 'EOF'}', expected: ',', ')' or identifier`);
        checkValue(t.text);
        slot = t.text;
      }
      if (values.size === 0)
        throw new SelectorError(
          `unable to parse requirement: values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty`,
        );
      tests.push(
        op.text === 'in'
          ? (l) => l[key] !== undefined && values.has(l[key]!)
          : (l) => l[key] === undefined || !values.has(l[key]!),
      );
    } else if (op.kind === 'op' && ['=', '==', '!=', '>', '<'].includes(op.text)) {
      next();
      const valueToken = peek();
      let value = '';
      if (valueToken.kind === 'id') {
        value = valueToken.text;
        next();
      } else if (
        op.text === '>' ||
        op.text === '<' ||
        !(valueToken.kind === 'end' || valueToken.text === ',')
      ) {
        throw new SelectorError(
          `found '${valueToken.text || 'EOF'}', expected: identifier after '${op.text}'`,
        );
      }
      if (op.text === '>' || op.text === '<') {
        if (!/^-?\d+$/.test(value))
          throw new SelectorError(
            `unable to parse requirement: values[0]: Invalid value: "${value}": for 'Gt', 'Lt' operators, the value must be an integer`,
          );
        const bound = Number(value);
        const gt = op.text === '>';
        tests.push((l) => {
          const v = l[key];
          if (v === undefined || !/^-?\d+$/.test(v)) return false;
          return gt ? Number(v) > bound : Number(v) < bound;
        });
      } else {
        checkValue(value);
        tests.push(op.text === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
      }
    } else {
      throw new SelectorError(`found '${op.text}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    const sep = next();
    if (sep.kind === 'end') break;
    if (!(sep.kind === 'op' && sep.text === ','))
      throw new SelectorError(`found '${sep.text}', expected: ',' or 'end of string'`);
    if (peek().kind === 'end') throw new SelectorError(`found 'EOF', expected: !, identifier`);
  }
  return (labels) => tests.every((t) => t(labels));
}

/** Splits a field selector on commas not escaped with a backslash. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1];
      i++;
    } else if (ch === ',') {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms;
}

/** `fields.UnescapeValue`: `\\`, `\,` and `\=` only. */
function unescapeFieldValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\') {
      const next = value[i + 1];
      if (next === undefined)
        throw new SelectorError(`invalid field selector: unterminated escape sequence in "${value}"`);
      if (next !== '\\' && next !== ',' && next !== '=')
        throw new SelectorError(`invalid field selector: invalid escape sequence \\${next} in "${value}"`);
      out += next;
      i++;
    } else if (ch === ',' || ch === '=') {
      throw new SelectorError(`invalid field selector: unescaped ${ch} in "${value}"`);
    } else out += ch;
  }
  return out;
}

/**
 * Parses a field selector against the fields a resource supports (`supported`); any other field is an
 * error, as on a real API server (`field label not supported: x`).
 */
export function parseFieldSelector(text: string | undefined, supported: readonly string[]): Matcher {
  if (text === undefined || text === '') return () => true;
  const tests = splitTerms(text).map((term): Matcher => {
    const m = /^([^=!]*?)\s*(!=|==|=)(.*)$/.exec(term);
    if (!m || m[1]!.trim() === '')
      throw new SelectorError(`invalid selector: '${term}'; can't understand '${term}'`);
    const field = m[1]!.trim();
    const op = m[2]!;
    const value = unescapeFieldValue(m[3]!);
    if (!supported.includes(field)) throw new SelectorError(`field label not supported: ${field}`);
    return op === '!=' ? (f) => (f[field] ?? '') !== value : (f) => (f[field] ?? '') === value;
  });
  return (fields) => tests.every((t) => t(fields));
}
