/**
 * The admin API's HTTP decisions, pure: which route a request names (`GET rollouts/:id`), and which status
 * code an error is answered with (400 for a request that cannot be accepted, 413 for one the table cannot
 * store, 404 for what does not exist, 409 for a state that does not allow it, 500 for the rest).
 */

import { BuildStateError } from '../builds/errors.ts';
import { InvalidReferenceError } from '../ingress/reference.ts';
import {
  MAX_CLUSTER_ID_LENGTH,
  MAX_PATH_ID_LENGTH,
  MAX_ROLLOUT_ID_LENGTH,
  StoreLimitError,
} from '../limits.ts';
import { VersionConflictError } from '../retry.ts';
import { InvalidPolicyError, InvalidTransitionError, NotFoundError } from '../rollout/errors.ts';
import { TrackDefinitionError } from '../tracks/errors.ts';
import { AdminRequestError } from './errors.ts';

/** An error answered with this status code and its message. */
export class AdminHttpError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'AdminHttpError';
    this.statusCode = statusCode;
  }
}

/** A request's route: `key` like `POST rollouts/:id/:action`, with the path's id and action. */
export interface AdminRoute {
  key: string;
  id?: string;
  action?: string;
  /** Log correlation keys the path names (`rolloutId`, `clusterId`, `track`). */
  keys: Record<string, string>;
}

const KEY_OF: Record<string, string> = { rollouts: 'rolloutId', clusters: 'clusterId', tracks: 'track' };

/**
 * The route of `method path` (`/v1/<resource>[/<id>[/<action>[/<literal>…]]]`).
 * @throws AdminRequestError for a path that is not percent-encoded properly; AdminHttpError 404 outside /v1.
 */
export function adminRoute(method: string, rawPath: string): AdminRoute {
  const path = rawPath.replace(/\/+$/, '');
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new AdminRequestError('path', `"${path}" is not a valid percent-encoded path`);
  }
  if (parts[0] !== 'v1') throw new AdminHttpError(404, `no such resource: ${path || '/'}`);
  const [resource, id, action, ...rest] = parts.slice(1);
  if (id !== undefined) checkPathId(resource!, id);
  for (const segment of [action, ...rest]) {
    if (segment !== undefined && segment.length > MAX_PATH_ID_LENGTH) {
      throw new AdminRequestError('path', `a path segment is longer than ${MAX_PATH_ID_LENGTH} characters`);
    }
  }
  // Segments after the action are literal (`GET nodes/:id/:action/history`).
  const key = `${method.toUpperCase()} ${resource ?? ''}${id !== undefined ? '/:id' : ''}${action !== undefined ? '/:action' : ''}${rest.map((r) => `/${r}`).join('')}`;
  const keys: Record<string, string> =
    id !== undefined && KEY_OF[resource!] ? { [KEY_OF[resource!]!]: id } : {};
  return { key, keys, ...(id !== undefined ? { id } : {}), ...(action !== undefined ? { action } : {}) };
}

const ID_LIMITS: Record<string, [what: string, max: number]> = {
  rollouts: ['rollout id', MAX_ROLLOUT_ID_LENGTH],
  clusters: ['cluster id', MAX_CLUSTER_ID_LENGTH],
};

/** Refuses an id no item can have (ids are table keys: a longer one would fail as a key, not as absent). */
function checkPathId(resource: string, id: string): void {
  const [what, max] = ID_LIMITS[resource] ?? [`${resource} id`, MAX_PATH_ID_LENGTH];
  if (id.length > max) {
    throw new AdminRequestError('path', `${what} is ${id.length} characters long; the limit is ${max}`);
  }
}

/** The status code an error is answered with. */
export function adminStatusOf(error: unknown): number {
  if (error instanceof AdminHttpError) return error.statusCode;
  if (
    error instanceof AdminRequestError ||
    error instanceof TrackDefinitionError ||
    error instanceof InvalidReferenceError ||
    error instanceof InvalidPolicyError
  ) {
    return 400;
  }
  if (error instanceof StoreLimitError) return 413;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof InvalidTransitionError || error instanceof BuildStateError) return 409;
  if (error instanceof VersionConflictError) return 409;
  return 500;
}
