/**
 * `WWW-Authenticate` challenges (RFC 7235 / RFC 6750 §3): a scheme and quoted `key="value"` parameters.
 * Hand-written because the grammar needed is tiny and no maintained library covers just this.
 */

/** A parsed challenge. Parameter names are lowercase. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const PARAM = /\s*([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/y;

/** Parses the first challenge of a `WWW-Authenticate` header, or `null` when there is none. */
export function parseChallenge(header: string | null | undefined): Challenge | null {
  if (!header) return null;
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*/.exec(header);
  if (!match) return null;
  const params: Record<string, string> = {};
  PARAM.lastIndex = match[0].length;
  for (let m = PARAM.exec(header); m !== null; m = PARAM.exec(header)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    if (PARAM.lastIndex >= header.length) break;
  }
  return { scheme: match[1]!.toLowerCase(), params };
}
