/**
 * The request target of a request to the local HTTP front, checked before anything routes on it. Only the
 * origin form (`/path?query`) is served: the absolute form (`http://host/path`, meant for proxies) and the
 * asterisk form (`OPTIONS *`) are refused, so that the `Host` header is the only authority a request names.
 * A path must be unambiguous once decoded, because handlers see decoded path parameters: no empty segment
 * (`//`), no `.` or `..` segment (encoded or not), every percent-escape two hex digits that decode to UTF-8
 * (no lone `%`, no `%zz`, no overlong or surrogate sequences), no control character, no fragment. Segments
 * are capped so that no id taken from a path can exceed a DynamoDB key (2048 bytes for a partition key,
 * 1024 for a sort key) on the way in.
 */

/** Why a request target is refused: the status to answer and a message naming the problem. */
export class RequestTargetError extends Error {
  readonly statusCode: 400 | 414;
  constructor(statusCode: 400 | 414, message: string) {
    super(message);
    this.name = 'RequestTargetError';
    this.statusCode = statusCode;
  }
}

/** A checked request target. */
export interface RequestTarget {
  /** The path as sent (still percent-encoded), like API Gateway's `rawPath`. */
  rawPath: string;
  /** The query as sent, without `?`. */
  rawQuery: string;
  /** The decoded path segments (`/v1/a%20b` → `['v1', 'a b']`); `[]` for `/`. */
  segments: string[];
}

/** Limits of {@link parseRequestTarget}. */
export interface RequestTargetLimits {
  /** Longest request target in bytes (path and query). Default 8192. */
  maxTargetBytes?: number;
  /** Longest decoded path segment in bytes. Default 512. */
  maxSegmentBytes?: number;
}

const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects.
const CONTROL = /[\u0000-\u001f\u007f]/;

const shown = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);

function decode(part: string, where: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new RequestTargetError(400, `${where} ${shown(part)}: percent-escapes that are not UTF-8`);
  }
}

/**
 * Checks and splits a request target (`req.url`).
 * @throws RequestTargetError (400, or 414 for a target or segment over its limit) naming what is wrong.
 */
export function parseRequestTarget(raw: string | undefined, limits: RequestTargetLimits = {}): RequestTarget {
  const maxTarget = limits.maxTargetBytes ?? 8192;
  const maxSegment = limits.maxSegmentBytes ?? 512;
  const target = raw ?? '';
  if (target === '*') {
    throw new RequestTargetError(400, 'request target "*" (asterisk form) is not served: send a path');
  }
  if (!target.startsWith('/')) {
    const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(target);
    throw new RequestTargetError(
      400,
      absolute
        ? `request target ${shown(target)}: the absolute form is not served (this is no proxy): send the path, with the authority in Host`
        : `request target ${shown(target)}: a path must start with /`,
    );
  }
  if (Buffer.byteLength(target) > maxTarget) {
    throw new RequestTargetError(414, `request target longer than ${maxTarget} bytes`);
  }
  if (target.includes('#')) {
    throw new RequestTargetError(400, `request target ${shown(target)}: a fragment (#) is never sent`);
  }
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  const badPath = BAD_ESCAPE.exec(rawPath);
  if (badPath) {
    throw new RequestTargetError(
      400,
      `path ${shown(rawPath)}: "${rawPath.slice(badPath.index, badPath.index + 3)}" is not a percent-escape (% and two hex digits)`,
    );
  }
  const badQuery = BAD_ESCAPE.exec(rawQuery);
  if (badQuery) {
    throw new RequestTargetError(
      400,
      `query: "${rawQuery.slice(badQuery.index, badQuery.index + 3)}" is not a percent-escape (% and two hex digits)`,
    );
  }
  const parts = rawPath.slice(1).split('/');
  // One trailing slash is tolerated (routes match `/x` and `/x/`); `/` itself has no segment.
  if (parts.at(-1) === '') parts.pop();
  const segments: string[] = [];
  for (const part of parts) {
    if (part === '') throw new RequestTargetError(400, `path ${shown(rawPath)}: empty segment (//)`);
    const segment = decode(part, 'path segment');
    if (segment === '.' || segment === '..') {
      throw new RequestTargetError(400, `path ${shown(rawPath)}: "${segment}" segments are not allowed`);
    }
    if (CONTROL.test(segment)) {
      throw new RequestTargetError(400, `path segment ${shown(part)}: control characters are not allowed`);
    }
    if (Buffer.byteLength(segment) > maxSegment) {
      throw new RequestTargetError(
        414,
        `path segment ${shown(part)}: longer than ${maxSegment} bytes (no name or id is that long)`,
      );
    }
    segments.push(segment);
  }
  // Query parameters are decoded by URLSearchParams, which would turn bad UTF-8 into U+FFFD silently.
  for (const pair of rawQuery.split('&')) {
    for (const part of pair.split('=')) decode(part.replaceAll('+', ' '), 'query parameter');
  }
  return { rawPath, rawQuery, segments };
}
