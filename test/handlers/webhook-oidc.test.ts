/** GAR through a Pub/Sub push subscription with OIDC authentication, keys served by a loopback JWKS endpoint. */
import { generateKeyPairSync, type JsonWebKey, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedJwks } from '../../functions/adapters/ingress/jwks.ts';
import { parseWebhookConfig } from '../../functions/core/ingress/config.ts';
import type { ImagePushed } from '../../functions/core/model.ts';
import { createWebhookHandler } from '../../functions/handlers/webhook.ts';
import { RecordingQueue } from '../support/registry.ts';
import { fixture, hookEvent, MemoryLedger } from './webhook-support.ts';

const AUDIENCE = 'https://strata.example/hooks/gar';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256' };
let server: Server;
let jwksUri: string;
let served = 0;
let available = true;

function token(claims: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${header}.${body}.${sign('RSA-SHA256', Buffer.from(`${header}.${body}`), privateKey).toString('base64url')}`;
}

beforeAll(async () => {
  server = createServer((_req, res) => {
    served++;
    if (!available) return void res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/certs`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('GAR push with OIDC authentication', () => {
  it('accepts a signed push, refuses a wrong audience, and fetches the keys once', async () => {
    const queue = new RecordingQueue<ImagePushed>();
    const config = parseWebhookConfig(
      { providers: { gar: { auth: [{ kind: 'oidc', audience: AUDIENCE, jwksUri }] } } },
      'test',
    );
    const handle = createWebhookHandler({
      log: () => undefined,
      config,
      imageQueue: queue,
      deliveries: new MemoryLedger(),
      jwks: cachedJwks(),
    });
    const now = Math.floor(Date.now() / 1000);
    const good = { iss: 'https://accounts.google.com', aud: AUDIENCE, iat: now, exp: now + 3600 };
    const before = served;

    const accepted = await handle(
      hookEvent('gar', fixture('gar/insert-tagged.json'), {
        headers: { authorization: `Bearer ${token(good)}` },
      }),
    );
    const wrongAudience = await handle(
      hookEvent('gar', fixture('gar/insert-untagged.json'), {
        headers: { authorization: `Bearer ${token({ ...good, aud: 'https://elsewhere.example' })}` },
      }),
    );

    expect(accepted.statusCode).toBe(202);
    expect(wrongAudience.statusCode).toBe(401);
    expect(queue.bodies.map((p) => p.tag)).toEqual(['prod']);
    expect(served - before).toBe(1);
  });

  it('answers 503 and enqueues nothing when the keys cannot be fetched', async () => {
    available = false;
    try {
      const queue = new RecordingQueue<ImagePushed>();
      const config = parseWebhookConfig(
        { providers: { gar: { auth: [{ kind: 'oidc', audience: AUDIENCE, jwksUri }] } } },
        'test',
      );
      const handle = createWebhookHandler({
        log: () => undefined,
        config,
        imageQueue: queue,
        deliveries: new MemoryLedger(),
        jwks: cachedJwks(),
      });
      const result = await handle(
        hookEvent('gar', fixture('gar/insert-tagged.json'), { headers: { authorization: 'Bearer x.y.z' } }),
      );
      expect(result.statusCode).toBe(503);
      expect(queue.sent).toHaveLength(0);
    } finally {
      available = true;
    }
  });
});
