/** Public keys of OIDC issuers (webhook `oidc` authentication), fetched over HTTPS and cached. */
import type { JsonWebKey } from 'node:crypto';

/** A JWKS source that fetches each URI at most once per `ttlMs` (Google rotates keys with days of overlap). */
export function cachedJwks(ttlMs = 3_600_000): (uri: string) => Promise<readonly JsonWebKey[]> {
  const cache = new Map<string, { keys: readonly JsonWebKey[]; at: number }>();
  return async (uri) => {
    const hit = cache.get(uri);
    if (hit && Date.now() - hit.at < ttlMs) return hit.keys;
    const response = await fetch(uri, { signal: AbortSignal.timeout(3_000) });
    if (!response.ok) throw new Error(`${uri}: HTTP ${response.status}`);
    const body = (await response.json()) as { keys?: JsonWebKey[] };
    const keys = Array.isArray(body.keys) ? body.keys : [];
    cache.set(uri, { keys, at: Date.now() });
    return keys;
  };
}

/**
 * The keys of every JWKS URI a provider's `oidc` authentication names, or `null` when one cannot be fetched
 * (nothing can be verified then; the sender retries later).
 */
export async function keysOf(
  jwks: (uri: string) => Promise<readonly JsonWebKey[]>,
  uris: readonly string[],
): Promise<Map<string, readonly JsonWebKey[]> | null> {
  try {
    return new Map(await Promise.all(uris.map(async (uri) => [uri, await jwks(uri)] as const)));
  } catch {
    return null;
  }
}
