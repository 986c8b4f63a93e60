/**
 * The HTTP client of the admin API: a local `strata start` (plain HTTP, with its access token, which this
 * client finds by itself for a Strata on this machine: local/access-token.ts) or a deployed API Gateway URL
 * (requests signed with SigV4 when a region is given). Errors become CliErrors the user can act on: an
 * unreachable URL says how to start Strata, 4xx answers carry the API's message naming the field.
 */
import { findAccessToken } from '../../local/access-token.ts';
import { CliError } from '../cli-error.ts';

/** Default port of `strata start`'s HTTP front. */
export const DEFAULT_PORT = 8787;

/** Default URL of a local Strata. */
export const DEFAULT_URL = `http://127.0.0.1:${DEFAULT_PORT}`;

/** Options of {@link createAdminClient}. */
export interface AdminClientOptions {
  /** Base URL (without `/v1`); default `STRATA_URL` or {@link DEFAULT_URL}. */
  url?: string;
  /** Sign requests with SigV4 for this region (a deployed, IAM-authorised API). */
  awsRegion?: string;
  /** Per-request timeout, ms. Default 30 000. */
  timeoutMs?: number;
  /**
   * The local access token (`Authorization: Bearer`). Default: `STRATA_TOKEN`, else the token of the Strata
   * recorded for a loopback URL's port. Never sent with `awsRegion`.
   */
  token?: string;
}

/** An error answer of the admin API. */
export class AdminApiError extends CliError {
  readonly status: number;
  /** The API's own message (`{"error": …}`), without the request. */
  readonly detail: string;
  constructor(status: number, message: string, detail = message) {
    super(message);
    this.name = 'AdminApiError';
    this.status = status;
    this.detail = detail;
  }
}

/** Calls the admin API. */
export interface AdminClient {
  readonly url: string;
  get<T = unknown>(path: string, query?: Record<string, string | undefined>): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  put<T = unknown>(path: string, body?: unknown): Promise<T>;
  delete<T = unknown>(path: string): Promise<T>;
}

/** The base URL from the option, `STRATA_URL`, or the default; a usage error when it is not a URL. */
export function resolveUrl(url: string | undefined): string {
  const value = url ?? process.env.STRATA_URL ?? DEFAULT_URL;
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new CliError(`--url: "${value}" is not an http(s) URL`, 2);
  }
  return value.replace(/\/+$/, '');
}

/** What the server answered. */
interface Answer {
  status: number;
  statusText: string;
  text: string;
}

/**
 * One HTTP exchange through node:http or node:https. Not fetch: its first use loads undici, about 150 ms of
 * CPU in every command's start (bench/results/cli.md), several times the rest of `strata get`.
 */
function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
): Promise<Answer> {
  // process.getBuiltinModule, not import(): the ES module facade of node:http reads every export, and its
  // lazy WebSocket exports load undici after all.
  const { request } =
    url.protocol === 'https:'
      ? process.getBuiltinModule('node:https')
      : process.getBuiltinModule('node:http');
  const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, headers: { ...headers, ...length }, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Builds a client. */
export function createAdminClient(options: AdminClientOptions = {}): AdminClient {
  const base = resolveUrl(options.url);
  const timeoutMs = options.timeoutMs ?? 30_000;
  // Looked up once, on the first request (a command that fails before asking anything reads no file).
  let token: string | undefined | null = options.awsRegion ? null : options.token;
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | undefined>,
  ) => {
    // Percent-encoded (%20, never "+"): what SigV4's canonical query and API Gateway agree on.
    const search = Object.entries(query ?? {})
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    const url = new URL(`${base}/v1${path}${search ? `?${search}` : ''}`);
    const text = body === undefined ? undefined : JSON.stringify(body);
    // Every write is JSON, with or without a body: a local Strata refuses any other write (docs/security.md).
    let headers: Record<string, string> = {
      accept: 'application/json',
      ...(method !== 'GET' ? { 'content-type': 'application/json' } : {}),
    };
    if (token === undefined) token = findAccessToken(base) ?? null;
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.awsRegion) {
      try {
        // Loaded only when signing: the AWS credential chain is heavy and local use never needs it.
        const { signRequest } = await import('./sigv4.ts');
        headers = await signRequest(
          { method, url, headers, ...(text !== undefined ? { body: text } : {}) },
          options.awsRegion,
        );
      } catch (error) {
        throw new CliError(
          `--aws-region ${options.awsRegion}: cannot sign the request: ${(error as Error).message}`,
        );
      }
    }
    let response: Answer;
    try {
      response = await exchange(url, method, headers, text, timeoutMs);
    } catch (error) {
      const e = error as { code?: string; name?: string; message: string };
      const cause =
        e.name === 'AbortError' || e.name === 'TimeoutError'
          ? `no answer within ${timeoutMs / 1000}s`
          : (e.code ?? e.message);
      throw new CliError(`no Strata at ${base} (${cause}): start one with npm start or pass --url`);
    }
    const raw = response.text;
    let parsed: unknown = raw;
    try {
      parsed = raw ? JSON.parse(raw) : null;
    } catch {
      // Not JSON (a proxy's error page): reported as text below.
    }
    if (response.status < 200 || response.status > 299) {
      const message =
        parsed && typeof parsed === 'object' && 'error' in parsed
          ? String((parsed as { error: unknown }).error)
          : (parsed && typeof parsed === 'object' && 'message' in parsed
              ? String((parsed as { message: unknown }).message)
              : raw.slice(0, 200)) || response.statusText;
      throw new AdminApiError(
        response.status,
        `${method} ${url.pathname}: ${response.status} ${message}`,
        message,
      );
    }
    return parsed as T;
  };
  return {
    url: base,
    get: (path, query) => call('GET', path, undefined, query),
    post: (path, body) => call('POST', path, body ?? {}),
    put: (path, body) => call('PUT', path, body ?? {}),
    delete: (path) => call('DELETE', path),
  };
}
