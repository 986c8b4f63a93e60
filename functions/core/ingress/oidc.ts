/**
 * Verifying the OIDC token a Google Pub/Sub push subscription sends (`Authorization: Bearer <JWT>`, RS256,
 * signed by Google; registries.md §6.4): signature against the given public keys (JWKs), issuer, audience,
 * expiry and, when configured, the service account's email. Pure: the keys are fetched by the caller.
 * Hand-written because it is a few lines over node:crypto and no JOSE dependency is needed for RS256 only.
 */
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';

/** Google's issuers for Pub/Sub push tokens. */
export const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];
/** Where Google publishes its token-signing keys. */
export const GOOGLE_JWKS_URI = 'https://www.googleapis.com/oauth2/v3/certs';

/** What a token must satisfy. */
export interface OidcExpectation {
  audience: string;
  issuers?: readonly string[];
  /** The push subscription's service account; checked with `email_verified`. */
  email?: string;
}

/** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
const SKEW_SECONDS = 60;

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * True when `authorization` is `Bearer <JWT>` signed (RS256) by one of `keys` (matched by `kid`) and its
 * claims meet `expected` at `nowSeconds`.
 */
export function verifyOidcToken(
  authorization: string | undefined,
  keys: readonly JsonWebKey[],
  expected: OidcExpectation,
  nowSeconds: number,
): boolean {
  if (!Number.isFinite(nowSeconds)) return false;
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!match) return false;
  const [, headerPart, claimsPart, signaturePart] = match as unknown as [string, string, string, string];
  const header = decodeJson(headerPart);
  const claims = decodeJson(claimsPart);
  if (header === null || claims === null || header.alg !== 'RS256') return false;
  const jwk = keys.find((k) => k.kid === header.kid && (k.kty === 'RSA' || k.kty === undefined));
  if (jwk === undefined) return false;
  let valid: boolean;
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    valid = verify(
      'RSA-SHA256',
      Buffer.from(`${headerPart}.${claimsPart}`),
      key,
      Buffer.from(signaturePart, 'base64url'),
    );
  } catch {
    return false;
  }
  if (!valid) return false;
  const issuers = expected.issuers ?? GOOGLE_ISSUERS;
  if (typeof claims.iss !== 'string' || !issuers.includes(claims.iss)) return false;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expected.audience)) return false;
  if (typeof claims.exp !== 'number' || claims.exp + SKEW_SECONDS < nowSeconds) return false;
  if (typeof claims.nbf === 'number' && claims.nbf - SKEW_SECONDS > nowSeconds) return false;
  if (typeof claims.iat === 'number' && claims.iat - SKEW_SECONDS > nowSeconds) return false;
  if (expected.email !== undefined && (claims.email !== expected.email || claims.email_verified !== true))
    return false;
  return true;
}
