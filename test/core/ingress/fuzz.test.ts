/** Property tests: whatever a sender posts, the receiver answers with a result or a 4xx, never a crash. */
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Delivery,
  DeliveryRejectedError,
  PROVIDERS,
  parseWebhookConfig,
  receiveDelivery,
  SHA256_DIGEST,
} from '../../../functions/core/ingress/index.ts';

const fixturesDir = new URL('../../fixtures/registries/', import.meta.url);
const fixtures: { provider: string; body: unknown }[] = readdirSync(fixturesDir).flatMap((provider) =>
  readdirSync(new URL(`${provider}/`, fixturesDir)).map((file) => ({
    provider,
    body: JSON.parse(readFileSync(new URL(`${provider}/${file}`, fixturesDir), 'utf8')),
  })),
);

const config = parseWebhookConfig(
  {
    maxBodyBytes: 16 * 1024,
    providers: Object.fromEntries(
      Object.keys(PROVIDERS).map((p) => [p, { auth: [{ kind: 'hmac-sha256', secret: 'fuzz' }] }]),
    ),
  },
  'fuzz',
);

function delivery(provider: string, body: Buffer, contentType = 'application/json'): Delivery {
  const signature = `sha256=${createHmac('sha256', 'fuzz').update(body).digest('hex')}`;
  return {
    provider,
    headers: { 'content-type': contentType, 'x-hub-signature-256': signature, 'x-github-event': 'package' },
    body,
    urlToken: null,
    receivedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** Runs the receiver; a thrown error must be a rejection with a 4xx status. */
function receive(d: Delivery) {
  try {
    return { pushes: receiveDelivery(config, d).pushes, status: 202 };
  } catch (error) {
    if (!(error instanceof DeliveryRejectedError)) throw error;
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.status).toBeLessThan(500);
    return { pushes: [], status: error.status };
  }
}

/** Replaces the value at a random path of a JSON value by `replacement`. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return replacement;
  const [key, child] = entries[path[0]! % entries.length]!;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? [...value]
    : { ...(value as object) };
  (copy as Record<string, unknown>)[key] = mutate(child, path.slice(1), replacement);
  return copy;
}

const providers = fc.constantFrom(...Object.keys(PROVIDERS));

describe('webhook parsers under fuzzing', () => {
  it('never crash on arbitrary bytes', () => {
    fc.assert(
      fc.property(providers, fc.uint8Array({ maxLength: 2048 }), (provider, bytes) => {
        receive(delivery(provider, Buffer.from(bytes)));
      }),
      { numRuns: 500 },
    );
  });

  it('never crash on arbitrary JSON', () => {
    fc.assert(
      fc.property(providers, fc.jsonValue({ maxDepth: 5 }), (provider, value) => {
        receive(delivery(provider, Buffer.from(JSON.stringify(value) ?? 'null')));
      }),
      { numRuns: 500 },
    );
  });

  it('never crash on mutated real payloads, and only emit well-formed pushes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.jsonValue({ maxDepth: 2 }),
        (f, path, replacement) => {
          const provider = f.provider;
          const body = Buffer.from(JSON.stringify(mutate(f.body, path, replacement)));
          const type =
            provider === 'distribution' || provider === 'gitlab'
              ? 'application/vnd.docker.distribution.events.v2+json'
              : 'application/json';
          const { pushes } = receive(delivery(provider, body, type));
          for (const push of pushes) {
            expect(push.tag).toMatch(/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/);
            expect(push.repository).not.toBe('');
            if (push.digestHint !== null) expect(push.digestHint).toMatch(SHA256_DIGEST);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses every wrongly signed delivery with 401', () => {
    fc.assert(
      fc.property(providers, fc.uint8Array({ maxLength: 512 }), fc.string(), (provider, bytes, signature) => {
        const d = delivery(provider, Buffer.from(bytes));
        d.headers['x-hub-signature-256'] = signature;
        expect(receive(d).status).toBe(d.body.length > config.maxBodyBytes ? 413 : 401);
      }),
      { numRuns: 300 },
    );
  });
});
