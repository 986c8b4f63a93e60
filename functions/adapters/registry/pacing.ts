/**
 * Gentle registry traffic for scheduled checks, as `fetch` wrappers the OCI client takes:
 * - `pacedFetch`: a token bucket per registry host (and per token realm host), so a fleet of tracks on one
 *   registry is spread out instead of sent at once, whatever the concurrency of the check consumers;
 * - `conditionalFetch`: manifest HEADs carry `If-None-Match` with the ETag the registry gave last time; a
 *   `304 Not Modified` is answered to the client as the remembered `200` (same digest), so the tag is known
 *   unchanged without the registry looking up and sending the manifest's headers again.
 * Bearer tokens are already cached per (realm, service, scope) by the client.
 */
import {
  type BucketSettings,
  type BucketState,
  fullBucket,
  takeToken,
} from '../../core/checks/token-bucket.ts';
import { sleep } from './retry.ts';

/** Default pace per host: 10 requests/s sustained, bursts of 20 (Docker Hub asks for restraint). */
export const DEFAULT_PACE: BucketSettings = { ratePerSecond: 10, burst: 20 };

/** Options of {@link pacedFetch}. */
export interface PaceOptions {
  /** Per host (`host[:port]` of the URL); hosts not listed get `default`. */
  hosts?: Record<string, BucketSettings>;
  default?: BucketSettings;
  now?: () => number;
  wait?: (ms: number) => Promise<void>;
}

/** A `fetch` that takes a token from its host's bucket before each request. */
export function pacedFetch(inner: typeof fetch, options: PaceOptions = {}): typeof fetch {
  const buckets = new Map<string, BucketState>();
  const now = options.now ?? Date.now;
  const wait = options.wait ?? sleep;
  const settingsFor = (host: string) => options.hosts?.[host] ?? options.default ?? DEFAULT_PACE;
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const settings = settingsFor(url.host);
    const t = now();
    const taken = takeToken(settings, buckets.get(url.host) ?? fullBucket(settings, t), t);
    buckets.set(url.host, taken.state);
    if (taken.waitMs > 0) await wait(taken.waitMs);
    return inner(input, init);
  }) as typeof fetch;
}

interface Remembered {
  etag: string;
  headers: [string, string][];
}

/** Options of {@link conditionalFetch}. */
export interface ConditionalOptions {
  /** Most manifest URLs remembered (least recently used forgotten first). Default 10,000. */
  maxEntries?: number;
}

const MANIFEST_PATH = /\/v2\/.+\/manifests\/[^/]+$/;

/** A `fetch` that makes manifest HEADs conditional on the last ETag (see the module comment). */
export function conditionalFetch(inner: typeof fetch, options: ConditionalOptions = {}): typeof fetch {
  const max = options.maxEntries ?? 10_000;
  const remembered = new Map<string, Remembered>();
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    if (method !== 'HEAD' || !MANIFEST_PATH.test(new URL(url).pathname)) return inner(input, init);
    const authorization = new Headers(init?.headers).get('authorization') ?? '';
    // The answer depends on Accept (and may on who asks): remember per URL and credentials.
    const key = `${url}|${authorization}`;
    const known = remembered.get(key);
    const headers = new Headers(init?.headers);
    if (known) headers.set('if-none-match', known.etag);
    const response = await inner(input, { ...init, headers });
    if (response.status === 304 && known) {
      remembered.delete(key);
      remembered.set(key, known);
      return new Response(null, { status: 200, headers: known.headers });
    }
    const etag = response.headers.get('etag');
    if (response.status === 200 && etag !== null && response.headers.has('docker-content-digest')) {
      remembered.delete(key);
      remembered.set(key, { etag, headers: [...response.headers.entries()] });
      if (remembered.size > max) remembered.delete(remembered.keys().next().value as string);
    } else if (response.status !== 304) {
      remembered.delete(key);
    }
    return response;
  }) as typeof fetch;
}
