import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  authenticate,
  constantTimeEqual,
  isAuthentic,
  UnauthorizedDeliveryError,
} from '../../../functions/core/ingress/index.ts';

const body = Buffer.from('Hello, World!');
const input = (headers: Record<string, string>, urlToken: string | null = null) => ({
  headers,
  body,
  urlToken,
});

describe('webhook authentication', () => {
  it("verifies GitHub's published X-Hub-Signature-256 test vector", () => {
    const auth = { kind: 'hmac-sha256' as const, secret: "It's a Secret to Everybody" };
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(isAuthentic(auth, input({ 'x-hub-signature-256': signature }))).toBe(true);
    expect(isAuthentic(auth, input({ 'x-hub-signature-256': `${signature.slice(0, -1)}8` }))).toBe(false);
    expect(isAuthentic(auth, input({ 'x-hub-signature-256': signature.slice(7) }))).toBe(false);
    expect(isAuthentic(auth, input({}))).toBe(false);
  });

  it('verifies JFrog: the raw secret, or the hex HMAC of the body when signing', () => {
    const hmac = createHmac('sha256', 'k').update(body).digest('hex');
    expect(isAuthentic({ kind: 'jfrog', secret: 'k' }, input({ 'x-jfrog-event-auth': 'k' }))).toBe(true);
    expect(isAuthentic({ kind: 'jfrog', secret: 'k' }, input({ 'x-jfrog-event-auth': hmac }))).toBe(false);
    expect(
      isAuthentic({ kind: 'jfrog', secret: 'k', signing: true }, input({ 'x-jfrog-event-auth': hmac })),
    ).toBe(true);
    expect(
      isAuthentic({ kind: 'jfrog', secret: 'k', signing: true }, input({ 'x-jfrog-event-auth': 'k' })),
    ).toBe(false);
  });

  it('compares a configured header exactly, and a URL token', () => {
    const header = { kind: 'header' as const, header: 'Authorization', value: 'Bearer abc' };
    expect(isAuthentic(header, input({ authorization: 'Bearer abc' }))).toBe(true);
    expect(isAuthentic(header, input({ authorization: 'Bearer abcd' }))).toBe(false);
    expect(isAuthentic(header, input({ authorization: 'bearer abc' }))).toBe(false);
    const token = { kind: 'url-token' as const, token: 'tok' };
    expect(isAuthentic(token, input({}, 'tok'))).toBe(true);
    expect(isAuthentic(token, input({}, 'to'))).toBe(false);
    expect(isAuthentic(token, input({}, null))).toBe(false);
  });

  it('never accepts an empty secret', () => {
    expect(isAuthentic({ kind: 'header', header: 'x', value: '' }, input({ x: '' }))).toBe(false);
    expect(isAuthentic({ kind: 'url-token', token: '' }, input({}, ''))).toBe(false);
  });

  it('accepts when any configured method accepts, and refuses with one generic error otherwise', () => {
    const auths = [
      { kind: 'url-token' as const, token: 'a' },
      { kind: 'header' as const, header: 'x-key', value: 'b' },
    ];
    expect(() => authenticate(auths, input({ 'x-key': 'b' }))).not.toThrow();
    expect(() => authenticate(auths, input({ 'x-key': 'c' }))).toThrow(UnauthorizedDeliveryError);
    expect(() => authenticate([], input({}))).toThrow('unauthorized');
  });

  it('constantTimeEqual distinguishes strings of different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
