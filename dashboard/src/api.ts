/**
 * The dashboard's client of the admin API. Every request goes to the page's own origin (`/v1/…`, fetch mode
 * `same-origin`): locally that is `strata start`'s admin address, on AWS the `strata dashboard` proxy, which
 * signs each request with the operator's AWS credentials. Writes always carry a JSON body with
 * `Content-Type: application/json`, and when the page was given an access token (`#token=…` in the URL, as
 * `strata dashboard` opens it) every request carries it as `Authorization: Bearer …`: what a local admin
 * API that refuses cross-site writes and unauthenticated callers (JSON-only writes, Host, Origin and token
 * checks) asks of a browser client.
 */

/** Where the page keeps its access token: this tab only, gone when the tab closes. */
export const TOKEN_KEY = 'strata.token';

/** An answer of the admin API that is not 2xx, with the API's own message. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: the token then lives only as long as the page
  }
}

let memoryToken: string | null = null;

/**
 * Takes an access token from the URL fragment (`#token=…`, optionally followed by `&` and a route), keeps it
 * in sessionStorage and removes it from the address bar and history, so it is neither bookmarked nor shown.
 */
export function adoptTokenFromFragment(): void {
  const match = /^#token=([^&]*)(?:&(.*))?$/.exec(window.location.hash);
  if (!match) return;
  const token = decodeURIComponent(match[1]!);
  if (token) {
    memoryToken = token;
    storage()?.setItem(TOKEN_KEY, token);
  }
  const route = match[2] ? `#${match[2]}` : '#/';
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${route}`);
}

function token(): string | null {
  return memoryToken ?? storage()?.getItem(TOKEN_KEY) ?? null;
}

/** Calls the admin API: `path` is below `/v1` (e.g. `/rollouts`). Throws {@link ApiError} on a non-2xx. */
export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: { body?: unknown; query?: Record<string, string | undefined>; signal?: AbortSignal } = {},
): Promise<T> {
  const query = Object.entries(options.query ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const headers: Record<string, string> = { accept: 'application/json' };
  const write = method !== 'GET';
  if (write) headers['content-type'] = 'application/json';
  const bearer = token();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let response: Response;
  try {
    response = await fetch(`/v1${path}${query ? `?${query}` : ''}`, {
      method,
      headers,
      // A write always has a JSON body (an empty object at least): never a form-like or empty request.
      ...(write ? { body: JSON.stringify(options.body ?? {}) } : {}),
      mode: 'same-origin',
      credentials: 'same-origin',
      cache: 'no-store',
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, `cannot reach Strata (${(error as Error).message})`);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page): reported as text below.
  }
  if (!response.ok) {
    const body = parsed as { error?: unknown; message?: unknown } | null;
    const message =
      body && typeof body === 'object' && (body.error ?? body.message)
        ? String(body.error ?? body.message)
        : text.slice(0, 200) || response.statusText;
    throw new ApiError(response.status, message);
  }
  return parsed as T;
}
