/**
 * Webhook authentication, per source, over the raw body bytes. Every comparison is constant-time
 * (`timingSafeEqual` on equal-length SHA-256 digests, so that lengths leak nothing either).
 */
import { createHash, createHmac, type JsonWebKey, timingSafeEqual } from 'node:crypto';
import { UnauthorizedDeliveryError } from './errors.ts';
import { GOOGLE_JWKS_URI, verifyOidcToken } from './oidc.ts';

/** How one source proves a delivery is genuine (registries.md §9.2). */
export type SourceAuth =
  /** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`. */
  | { kind: 'hmac-sha256'; secret: string; header?: string }
  /** JFrog: `X-JFrog-Event-Auth` is the secret itself, or with `signing` the hex HMAC-SHA256 of the body. */
  | { kind: 'jfrog'; secret: string; signing?: boolean }
  /** A static header configured at the sender (Harbor, ACR, distribution, GitLab, EventBridge connections). */
  | { kind: 'header'; header: string; value: string }
  /** A secret token in the URL (`/hooks/<provider>/<token>` or `?token=`): Docker Hub, Quay, Pub/Sub push. */
  | { kind: 'url-token'; token: string }
  /**
   * An OIDC token in `Authorization: Bearer` (Pub/Sub push authentication): RS256 signed by a key from
   * `jwksUri` (Google's by default), with this audience (and service-account email, when given).
   */
  | { kind: 'oidc'; audience: string; email?: string; issuers?: string[]; jwksUri?: string };

/** What authentication looks at: lowercase header names, the raw body, and a token taken from the URL. */
export interface AuthInput {
  headers: Record<string, string | undefined>;
  body: Buffer;
  urlToken: string | null;
  /** Public keys per JWKS URI, fetched beforehand for `oidc` methods. */
  jwks?: ReadonlyMap<string, readonly JsonWebKey[]>;
  /** Current time in epoch seconds (token expiry). */
  nowSeconds?: number;
}

/** Constant-time string equality (hashing first makes both sides the same length). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

function hmacHex(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** True when the delivery satisfies `auth`. */
export function isAuthentic(auth: SourceAuth, input: AuthInput): boolean {
  switch (auth.kind) {
    case 'hmac-sha256': {
      const given = input.headers[(auth.header ?? 'x-hub-signature-256').toLowerCase()];
      if (auth.secret === '' || given === undefined) return false;
      return constantTimeEqual(given.trim().toLowerCase(), `sha256=${hmacHex(auth.secret, input.body)}`);
    }
    case 'jfrog': {
      const given = input.headers['x-jfrog-event-auth'];
      if (auth.secret === '' || given === undefined) return false;
      const expected = auth.signing ? hmacHex(auth.secret, input.body) : auth.secret;
      return constantTimeEqual(auth.signing ? given.trim().toLowerCase() : given, expected);
    }
    case 'header': {
      const given = input.headers[auth.header.toLowerCase()];
      if (auth.value === '' || given === undefined) return false;
      return constantTimeEqual(given, auth.value);
    }
    case 'url-token':
      if (auth.token === '' || input.urlToken === null) return false;
      return constantTimeEqual(input.urlToken, auth.token);
    case 'oidc': {
      const keys = input.jwks?.get(auth.jwksUri ?? GOOGLE_JWKS_URI) ?? [];
      return verifyOidcToken(input.headers.authorization, keys, auth, input.nowSeconds ?? Date.now() / 1000);
    }
  }
}

/**
 * Accepts the delivery when any configured method accepts it.
 * @throws UnauthorizedDeliveryError (generic) otherwise, also when nothing is configured.
 */
export function authenticate(auths: readonly SourceAuth[], input: AuthInput): void {
  let ok = false;
  // Evaluate every method so that the time taken does not depend on which one matched.
  for (const auth of auths) ok = isAuthentic(auth, input) || ok;
  if (!ok) throw new UnauthorizedDeliveryError();
}
