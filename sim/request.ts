/**
 * Parsing what a client sends, with the API server's rules: the request target (percent-encoding, odd
 * paths), and the query parameters of list, watch, get, write and delete requests (apimachinery's
 * `ListOptions`, `CreateOptions`/`UpdateOptions`/`PatchOptions` and `DeleteOptions` validation). Anything
 * the API server would refuse is a 400 `BadRequest` (or 422 `Invalid`) Status, never an exception of
 * another kind.
 */
import { type Matcher, parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.ts';
import { badRequest, StatusError } from './status.ts';

/** A request target split into decoded path segments and query parameters. */
export interface Target {
  /** The path as sent (decoded), without a trailing slash. */
  path: string;
  /** Decoded segments; an empty one comes from `//` (no resource has such a path). */
  segments: string[];
  query: URLSearchParams;
}

/**
 * Parses a request target: an origin-form `/path?query` (or absolute-form `https://host/path`).
 * Bad percent-encoding and `.`/`..` segments are 400; empty segments (`//`) are kept so that routing
 * answers 404 for them.
 */
export function parseTarget(raw: string | undefined): Target {
  let target = raw ?? '/';
  const absolute = /^https?:\/\/[^/]*/i.exec(target);
  if (absolute) target = target.slice(absolute[0].length) || '/';
  if (!target.startsWith('/'))
    throw badRequest(`invalid request target "${truncate(target)}": a path must start with /`);
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  const badEscape = /%(?![0-9A-Fa-f]{2})/.exec(rawPath) ?? /%(?![0-9A-Fa-f]{2})/.exec(rawQuery);
  if (badEscape)
    throw badRequest(
      `invalid URL escape "${truncate(rawPath.slice(badEscape.index, badEscape.index + 3) || '%')}"`,
    );
  const segments: string[] = [];
  const parts = rawPath.split('/').slice(1);
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  for (const part of parts) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      throw badRequest(`invalid URL escape in "${truncate(part)}": not UTF-8`);
    }
    if (decoded === '.' || decoded === '..')
      throw badRequest(`invalid request path "${truncate(rawPath)}": "${decoded}" segments are not allowed`);
    segments.push(decoded);
  }
  // Percent-escapes are well formed (checked above); URLSearchParams decodes them as the API server does.
  const query = new URLSearchParams(rawQuery);
  return { path: segments.length === 0 ? '/' : `/${segments.join('/')}`, segments, query };
}

const truncate = (text: string) => (text.length > 80 ? `${text.slice(0, 77)}...` : text);

/** Go's `strconv.ParseBool`, as the API server decodes boolean query parameters. */
export function parseBool(name: string, value: string | null): boolean | undefined {
  if (value === null) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False', ''].includes(value)) return false;
  throw badRequest(
    `${name}: Invalid value: "${truncate(value)}": strconv.ParseBool: parsing "${truncate(value)}": invalid syntax`,
  );
}

/** An integer query parameter (`strconv.ParseInt`). */
export function parseInteger(name: string, value: string | null, min = 0): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^[+-]?\d+$/.test(value))
    throw badRequest(
      `${name}: Invalid value: "${truncate(value)}": strconv.ParseInt: parsing "${truncate(value)}": invalid syntax`,
    );
  const n = Number(value);
  if (n < min) throw invalidParam(name, value, `must be greater than or equal to ${min}`);
  return n;
}

const invalidParam = (name: string, value: string, why: string) =>
  new StatusError(422, 'Invalid', `${name}: Invalid value: "${truncate(value)}": ${why}`, {
    causes: [
      { reason: 'FieldValueInvalid', message: `Invalid value: "${truncate(value)}": ${why}`, field: name },
    ],
  });

/** A continue token: where the previous page stopped, and the resourceVersion it listed at. */
export function encodeContinue(rv: number, after: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: after })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v?: string;
      rv?: number;
      start?: string;
    };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string')
      throw new Error('unknown format');
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw badRequest('continue key is not valid: the continue token is malformed');
  }
}

/** What a list or watch asks for. */
export interface ListParams {
  labels: Matcher;
  fields: Matcher;
  limit: number;
  /** Start after this key (continue). */
  after: string | undefined;
  resourceVersion: string | undefined;
  resourceVersionMatch: 'Exact' | 'NotOlderThan' | undefined;
  watch: boolean;
  allowWatchBookmarks: boolean;
  timeoutSeconds: number | undefined;
  sendInitialEvents: boolean | undefined;
}

/** Parses and validates the list/watch query parameters against a resource's supported field selectors. */
export function listParams(
  query: URLSearchParams,
  supportedFields: readonly string[],
  watchPath: boolean,
): ListParams {
  let labels: Matcher;
  let fields: Matcher;
  try {
    labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
    fields = parseFieldSelector(query.get('fieldSelector') ?? undefined, supportedFields);
  } catch (error) {
    if (error instanceof SelectorError) throw badRequest(error.message);
    throw error;
  }
  const watch = watchPath || parseBool('watch', query.get('watch')) === true;
  const limit = parseInteger('limit', query.get('limit')) ?? 0;
  const continueToken = query.get('continue') || undefined;
  const resourceVersion = query.get('resourceVersion') ?? undefined;
  const match = query.get('resourceVersionMatch') || undefined;
  if (resourceVersion !== undefined && resourceVersion !== '' && !/^\d+$/.test(resourceVersion))
    throw badRequest(
      `resourceVersion: Invalid value: "${truncate(resourceVersion)}": must be a non-negative integer`,
    );
  if (match !== undefined && match !== 'Exact' && match !== 'NotOlderThan')
    throw invalidParam('resourceVersionMatch', match, 'supported values: "Exact", "NotOlderThan"');
  const sendInitialEvents = parseBool('sendInitialEvents', query.get('sendInitialEvents'));
  const allowWatchBookmarks = parseBool('allowWatchBookmarks', query.get('allowWatchBookmarks')) === true;
  if (watch) {
    if (match !== undefined && sendInitialEvents === undefined)
      throw invalidParam(
        'resourceVersionMatch',
        match,
        'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
      );
    if (sendInitialEvents !== undefined && match !== 'NotOlderThan')
      throw invalidParam(
        'resourceVersionMatch',
        match ?? '',
        `sendInitialEvents requires setting resourceVersionMatch to NotOlderThan`,
      );
    if (sendInitialEvents && !allowWatchBookmarks)
      throw invalidParam(
        'allowWatchBookmarks',
        'false',
        'sendInitialEvents requires setting allowWatchBookmarks to true',
      );
  } else {
    if (sendInitialEvents !== undefined)
      throw invalidParam(
        'sendInitialEvents',
        String(sendInitialEvents),
        'sendInitialEvents is forbidden for list',
      );
    if (match !== undefined && (resourceVersion === undefined || resourceVersion === ''))
      throw invalidParam(
        'resourceVersionMatch',
        match,
        'resourceVersionMatch is forbidden unless resourceVersion is provided',
      );
    if (match === 'Exact' && resourceVersion === '0')
      throw invalidParam(
        'resourceVersionMatch',
        match,
        'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      );
    if (continueToken !== undefined && match !== undefined)
      throw invalidParam(
        'resourceVersionMatch',
        match,
        'resourceVersionMatch is forbidden when continue is provided',
      );
    if (
      continueToken !== undefined &&
      resourceVersion !== undefined &&
      resourceVersion !== '' &&
      resourceVersion !== '0'
    )
      throw invalidParam(
        'resourceVersion',
        resourceVersion,
        'specifying resource version is not allowed when using continue',
      );
  }
  return {
    labels,
    fields,
    limit,
    after: continueToken !== undefined ? decodeContinue(continueToken).start : undefined,
    resourceVersion: resourceVersion === '' ? undefined : resourceVersion,
    resourceVersionMatch: match as ListParams['resourceVersionMatch'],
    watch,
    allowWatchBookmarks,
    timeoutSeconds: parseInteger('timeoutSeconds', query.get('timeoutSeconds')),
    sendInitialEvents,
  };
}

/** How a write validates unknown fields. */
export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/** What a create, update, patch or delete asks for besides its body. */
export interface WriteParams {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  propagationPolicy: 'Foreground' | 'Background' | 'Orphan' | undefined;
  gracePeriodSeconds: number | undefined;
  preconditions: { uid?: string; resourceVersion?: string } | undefined;
}

const policies = ['Foreground', 'Background', 'Orphan'] as const;

/**
 * Parses write parameters: `dryRun` (only `All`), `fieldValidation` (`Ignore`, `Warn`, `Strict`; default
 * `Warn`, as the API server's), and for deletes `propagationPolicy`, `gracePeriodSeconds` and the
 * DeleteOptions body (`preconditions`, `dryRun`, …), which wins over the query.
 */
export function writeParams(query: URLSearchParams, deleteOptions?: unknown): WriteParams {
  const dryRunValues = query.getAll('dryRun');
  const body = (
    deleteOptions && typeof deleteOptions === 'object' && !Array.isArray(deleteOptions) ? deleteOptions : {}
  ) as Record<string, unknown>;
  if (
    deleteOptions !== undefined &&
    (typeof deleteOptions !== 'object' || deleteOptions === null || Array.isArray(deleteOptions))
  )
    throw badRequest('the request body must be a DeleteOptions object');
  if (body.kind !== undefined && body.kind !== 'DeleteOptions')
    throw badRequest(`expected a DeleteOptions, got kind "${String(body.kind)}"`);
  if (Array.isArray(body.dryRun)) dryRunValues.push(...body.dryRun.map(String));
  for (const v of dryRunValues) if (v !== 'All') throw invalidParam('dryRun', v, 'supported values: "All"');
  const validation = query.get('fieldValidation') || 'Warn';
  if (validation !== 'Ignore' && validation !== 'Warn' && validation !== 'Strict')
    throw badRequest(
      `invalid fieldValidation directive "${truncate(validation)}": supported values: Ignore, Warn, Strict`,
    );
  const policy =
    (body.propagationPolicy as string | undefined) ?? query.get('propagationPolicy') ?? undefined;
  if (policy !== undefined && !(policies as readonly string[]).includes(policy))
    throw invalidParam(
      'propagationPolicy',
      String(policy),
      'supported values: "Foreground", "Background", "Orphan"',
    );
  if (body.orphanDependents !== undefined && policy !== undefined)
    throw invalidParam(
      'propagationPolicy',
      String(policy),
      'orphanDependents and deletionPropagation cannot be both set',
    );
  const grace =
    typeof body.gracePeriodSeconds === 'number'
      ? body.gracePeriodSeconds
      : parseInteger('gracePeriodSeconds', query.get('gracePeriodSeconds'), Number.MIN_SAFE_INTEGER);
  const preconditions = body.preconditions as WriteParams['preconditions'];
  if (preconditions !== undefined && (typeof preconditions !== 'object' || preconditions === null))
    throw badRequest('preconditions must be an object');
  return {
    dryRun: dryRunValues.length > 0,
    fieldValidation: validation,
    propagationPolicy:
      (policy as WriteParams['propagationPolicy']) ?? (body.orphanDependents === true ? 'Orphan' : undefined),
    gracePeriodSeconds: grace,
    preconditions,
  };
}
