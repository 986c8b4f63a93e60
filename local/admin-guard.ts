/**
 * What keeps a browser's world away from an admin API served on this machine (the admin API and dashboard
 * of `strata start`, and the signing proxy of `strata dashboard`). A web page can make the browser send
 * requests to any address, and after DNS rebinding read the answers; the checks below admit only what
 * Strata's own clients send:
 *
 * - `Host` must name the address Strata serves (421 otherwise): a rebound name (`evil.example:8787`) is
 *   refused, so a page cannot read the API through its own origin.
 * - `Origin`, when the browser sends one, must be the same origin as `Host` (403 otherwise): a page of
 *   another origin can send but never act.
 * - Writes (every method but GET, HEAD and OPTIONS) must carry `Content-Type: application/json` (415
 *   otherwise): the content types a page may send cross-origin without a CORS preflight (text/plain, forms)
 *   are refused, and the preflight that JSON needs is never granted.
 * - On the API paths, the access token (`Authorization: Bearer …`): required when `requireToken`, and
 *   checked whenever a Bearer credential is presented (401 otherwise). Pages (`/`, `/assets/…`) are
 *   navigations that cannot carry it; they hold no data, and every call they make goes to the API.
 *
 * Paths under `exempt` (the registry webhooks, which authenticate each delivery themselves and are reached
 * through whatever name a registry or tunnel uses) are not checked here.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { networkInterfaces, hostname as systemHostname } from 'node:os';

/** A request as the guard sees it: before its body is read. */
export interface GuardedRequest {
  method: string;
  /** The raw path (`/v1/rollouts`). */
  path: string;
  /** Header values by lower-case name (single-valued headers appear once: the front refuses duplicates). */
  headers: Readonly<Record<string, string | undefined>>;
  /** The port the front listens on. */
  port: number;
}

/** A refused request: the status, a message naming the rule, and headers to send with it. */
export interface GuardRefusal {
  statusCode: number;
  message: string;
  headers?: Record<string, string>;
}

/** Decides whether a request may reach a route; `null` admits it. */
export type RequestGuard = (request: GuardedRequest) => GuardRefusal | null;

/** Options of {@link createAdminGuard}. */
export interface AdminGuardOptions {
  /** The access token clients present as `Authorization: Bearer <token>`. */
  token: string;
  /** Refuse API requests without the token (always when the front is reachable from other machines). */
  requireToken: boolean;
  /** `Host` values admitted (`host:port`, lower case), given the port the front listens on. */
  allowedHosts: (port: number) => readonly string[];
  /** Paths the guard does not apply to. Default: the registry webhooks under `/hooks/`. */
  exempt?: (path: string) => boolean;
  /** Paths where the token is checked. Default: the API under `/v1/`. */
  api?: (path: string) => boolean;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `application/json`, optionally with parameters (`; charset=utf-8`). */
export const JSON_CONTENT_TYPE = /^application\/json[ \t]*(;.*)?$/i;

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares secrets in constant time (of their digests, so the length leaks nothing either). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The guard of an admin API on this machine (see the module comment for the rules). */
export function createAdminGuard(options: AdminGuardOptions): RequestGuard {
  const exempt = options.exempt ?? ((path: string) => path === '/hooks' || path.startsWith('/hooks/'));
  const api = options.api ?? ((path: string) => path === '/v1' || path.startsWith('/v1/'));
  return (request) => {
    if (exempt(request.path)) return null;
    const allowed = options.allowedHosts(request.port);
    const host = (request.headers.host ?? '').toLowerCase();
    if (!allowed.includes(host)) {
      return {
        statusCode: 421,
        message: `this Strata answers to Host ${allowed.slice(0, 4).join(', ')}${allowed.length > 4 ? ', …' : ''}, not to ${JSON.stringify(request.headers.host ?? '')}`,
      };
    }
    const origin = request.headers.origin;
    if (origin !== undefined && origin.toLowerCase() !== `http://${host}`) {
      return { statusCode: 403, message: `cross-origin request from ${JSON.stringify(origin)} refused` };
    }
    if (api(request.path)) {
      const authorization = request.headers.authorization;
      // Another scheme (a SigV4 signature from a client that believes it talks to AWS) presents no token:
      // ignored where the token is optional, refused where it is required.
      const presented = authorization !== undefined && /^Bearer\b/i.test(authorization);
      if (presented || options.requireToken) {
        const bearer = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
        if (!bearer || !sameSecret(bearer[1]!, options.token)) {
          return {
            statusCode: 401,
            message:
              authorization === undefined
                ? "this Strata requires its access token (Authorization: Bearer …): the strata CLI on Strata's machine sends it; elsewhere set STRATA_TOKEN"
                : 'wrong access token',
            headers: { 'www-authenticate': 'Bearer realm="strata"' },
          };
        }
      }
    }
    if (!READS.has(request.method) && !JSON_CONTENT_TYPE.test(request.headers['content-type'] ?? '')) {
      return {
        statusCode: 415,
        message: `${request.method} needs Content-Type: application/json (got ${JSON.stringify(request.headers['content-type'] ?? '')})`,
      };
    }
    return null;
  };
}

/** True for addresses and names that only this machine reaches. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** True for the any-address (`0.0.0.0`, `::`): the front is reachable on every interface. */
export function isWildcard(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::' || h === '';
}

function withPort(host: string, port: number): string[] {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  const name = h.includes(':') ? `[${h}]` : h;
  return port === 80 ? [`${name}:${port}`, name] : [`${name}:${port}`];
}

/**
 * The `Host` values of a front bound to `bind`: the loopback names always (127.0.0.1, localhost, [::1]),
 * the bind address itself, and for a wildcard bind every address of this machine and its host name; plus
 * `extra` names (e.g. a DNS name the machine is reached by).
 */
export function servedHosts(bind: string, extra: readonly string[] = []): (port: number) => string[] {
  const names = new Set(['127.0.0.1', 'localhost', '::1']);
  if (!isWildcard(bind)) names.add(bind);
  else {
    for (const list of Object.values(networkInterfaces()))
      for (const address of list ?? []) names.add(address.address.replace(/%.*$/, ''));
    names.add(systemHostname());
  }
  for (const name of extra) names.add(name);
  return (port) => [...names].flatMap((name) => withPort(name, port));
}
