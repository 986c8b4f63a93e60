/**
 * Kubernetes label and field selectors as the API server parses them from `?labelSelector=` and
 * `?fieldSelector=` (equality, inequality, set-based and existence requirements for labels; `=`, `==`, `!=`
 * for fields). A selector that cannot be parsed is a 400 for the caller.
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

/** Splits on commas outside parentheses (`a in (x,y),b` → `a in (x,y)`, `b`). */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts.filter((p) => p !== '');
}

/** Parses a label selector (`env=prod,tier in (a,b),!legacy`). Empty or absent matches everything. */
export function parseLabelSelector(text: string | undefined): Matcher {
  if (!text) return () => true;
  const tests = splitRequirements(text).map((req): Matcher => {
    let m = /^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/.exec(req);
    if (m) {
      const [, key, op, list] = m;
      const values = new Set(list!.split(',').map((v) => v.trim()));
      return op === 'in'
        ? (l) => l[key!] !== undefined && values.has(l[key!]!)
        : (l) => l[key!] === undefined || !values.has(l[key!]!);
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*([^=!\s]*)$/.exec(req);
    if (m) {
      const [, key, op, value] = m;
      return op === '!=' ? (l) => l[key!] !== value : (l) => l[key!] === value;
    }
    m = /^(!?)([A-Za-z0-9][-A-Za-z0-9_./]*)$/.exec(req);
    if (m) {
      const [, not, key] = m;
      return not ? (l) => l[key!] === undefined : (l) => l[key!] !== undefined;
    }
    throw new SelectorError(`unable to parse requirement: "${req}"`);
  });
  return (labels) => tests.every((t) => t(labels));
}

/**
 * Parses a field selector against the fields a resource supports (`supported`); any other field is an
 * error, as on a real API server (`field label not supported: x`).
 */
export function parseFieldSelector(text: string | undefined, supported: readonly string[]): Matcher {
  if (!text) return () => true;
  const tests = splitRequirements(text).map((req): Matcher => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(req);
    if (!m) throw new SelectorError(`invalid selector: '${req}'; can't understand '${req}'`);
    const [, field, op, value] = m;
    if (!supported.includes(field!)) throw new SelectorError(`field label not supported: ${field}`);
    return op === '!=' ? (f) => (f[field!] ?? '') !== value : (f) => (f[field!] ?? '') === value;
  });
  return (fields) => tests.every((t) => t(fields));
}
