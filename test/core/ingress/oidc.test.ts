import { generateKeyPairSync, type JsonWebKey, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyOidcToken } from '../../../functions/core/ingress/index.ts';

const NOW = 1_800_000_000;

function keyPair(kid: string): { privateKey: KeyObject; jwk: JsonWebKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

/** Signs a JWT the way Google signs Pub/Sub push tokens (RS256). */
function signJwt(privateKey: KeyObject, kid: string, claims: Record<string, unknown>, alg = 'RS256'): string {
  const header = Buffer.from(JSON.stringify({ alg, kid, typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${body}`), privateKey).toString('base64url');
  return `${header}.${body}.${signature}`;
}

const google = keyPair('google-1');
const other = keyPair('other-1');
const expected = { audience: 'https://strata.example/hooks/gar', email: 'push@acme.iam.gserviceaccount.com' };
const claims = {
  iss: 'https://accounts.google.com',
  aud: expected.audience,
  email: expected.email,
  email_verified: true,
  iat: NOW - 10,
  exp: NOW + 3590,
  sub: '1234567890',
};
const bearer = (jwt: string) => `Bearer ${jwt}`;

describe('Pub/Sub push OIDC tokens', () => {
  it('accepts a token signed by a published key with the expected claims', () => {
    expect(
      verifyOidcToken(bearer(signJwt(google.privateKey, 'google-1', claims)), [google.jwk], expected, NOW),
    ).toBe(true);
  });

  it.each([
    ['signed by another key under the same kid', signJwt(other.privateKey, 'google-1', claims)],
    ['an unknown kid', signJwt(other.privateKey, 'other-1', claims)],
    ['another audience', signJwt(google.privateKey, 'google-1', { ...claims, aud: 'https://evil.example' })],
    ['another issuer', signJwt(google.privateKey, 'google-1', { ...claims, iss: 'https://evil.example' })],
    ['expired', signJwt(google.privateKey, 'google-1', { ...claims, exp: NOW - 120 })],
    ['issued in the future', signJwt(google.privateKey, 'google-1', { ...claims, iat: NOW + 600 })],
    ['another service account', signJwt(google.privateKey, 'google-1', { ...claims, email: 'x@y.z' })],
    ['an unverified email', signJwt(google.privateKey, 'google-1', { ...claims, email_verified: false })],
    ['alg none', signJwt(google.privateKey, 'google-1', claims, 'none')],
  ])('refuses a token with %s', (_why, jwt) => {
    expect(verifyOidcToken(bearer(jwt), [google.jwk], expected, NOW)).toBe(false);
  });

  it('refuses everything when the clock is unusable', () => {
    expect(
      verifyOidcToken(
        bearer(signJwt(google.privateKey, 'google-1', claims)),
        [google.jwk],
        expected,
        Number.NaN,
      ),
    ).toBe(false);
  });

  it('refuses malformed headers', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer a.b',
      'Basic abc',
      'Bearer a.b.c',
      `Bearer ${'!'.repeat(10)}`,
    ]) {
      expect(verifyOidcToken(header, [google.jwk], expected, NOW)).toBe(false);
    }
  });
});
