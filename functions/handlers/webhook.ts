/**
 * `POST /hooks/{provider}[/{token}]` (API Gateway HTTP API v2): registry webhooks. Validates, authenticates
 * and normalises the delivery, drops noise, refuses replays of a delivery id, and enqueues `ImagePushed`
 * on the image queue. Nothing slow happens here (registries time out in seconds); tag resolution and
 * rollouts are image-push's work.
 */
import type { JsonWebKey } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SqsMessageQueue } from '../adapters/queue/index.ts';
import { SecretReader } from '../adapters/secrets/index.ts';
import type { StoreContext } from '../adapters/store/context.ts';
import { createDocumentClient } from '../adapters/store/table.ts';
import { claimDelivery, releaseDelivery } from '../adapters/store/tracks.ts';
import { parseWebhookConfig, type WebhookConfig } from '../core/ingress/config.ts';
import { DeliveryRejectedError } from '../core/ingress/errors.ts';
import { jwksUrisOf, receiveDelivery } from '../core/ingress/receive.ts';
import type { ImagePushed } from '../core/model.ts';
import type { MessageQueue } from '../core/ports.ts';

/** Replay protection: remembers delivery ids for a while. */
export interface DeliveryLedger {
  /** `false` when the id was already claimed within its window. */
  claim(source: string, deliveryId: string, ttlSeconds: number): Promise<boolean>;
  release(source: string, deliveryId: string): Promise<void>;
}

/** The ledger on the table (`DELIVERY#<source>#<id>` items with a ttl). */
export function tableDeliveryLedger(store: StoreContext): DeliveryLedger {
  return {
    claim: (source, id, ttl) => claimDelivery(store, source, id, ttl),
    release: (source, id) => releaseDelivery(store, source, id),
  };
}

/** What the webhook handler needs. */
export interface WebhookHandlerDeps {
  config: WebhookConfig;
  imageQueue: MessageQueue<ImagePushed>;
  deliveries: DeliveryLedger;
  /** Public keys of a JWKS URI, for `oidc` authentication. Default: fetched over HTTPS, cached for an hour. */
  jwks?: (uri: string) => Promise<readonly JsonWebKey[]>;
  now?: () => Date;
  /** Structured log lines (default: JSON on stdout). Never given secrets or bodies. */
  log?: (line: Record<string, unknown>) => void;
}

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

type Result = APIGatewayProxyStructuredResultV2;

function reply(statusCode: number, body: Record<string, unknown>): Result {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** `/hooks/<provider>[/<token>]` → parts (a stage prefix before `/hooks` is tolerated). */
export function parseHookPath(path: string): { provider: string; token: string | null } | null {
  const match = /(?:^|\/)hooks\/([a-z0-9-]+)(?:\/([^/]+))?\/?$/.exec(path);
  if (!match) return null;
  return { provider: match[1]!, token: match[2] !== undefined ? decodeURIComponent(match[2]) : null };
}

function lowercaseHeaders(headers: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/** Builds the webhook handler. */
export function createWebhookHandler(
  deps: WebhookHandlerDeps,
): (event: APIGatewayProxyEventV2) => Promise<Result> {
  const now = deps.now ?? (() => new Date());
  const jwks = deps.jwks ?? cachedJwks();
  const log = deps.log ?? ((line) => console.log(JSON.stringify(line)));
  return async (event) => {
    if (event.requestContext?.http?.method && event.requestContext.http.method !== 'POST') {
      return reply(405, { error: 'use POST' });
    }
    const route =
      event.pathParameters?.provider !== undefined
        ? { provider: event.pathParameters.provider, token: event.pathParameters.token ?? null }
        : parseHookPath(event.rawPath ?? '');
    if (route === null) return reply(404, { error: 'no such webhook' });
    const raw = event.body ?? '';
    // Reject by the encoded length first: never decode or hash more than the limit allows. A UTF-8 body
    // has at least as many bytes as UTF-16 units; base64 decodes to at least 3/4 of its length minus padding.
    const limit = deps.config.maxBodyBytes;
    if (event.isBase64Encoded ? raw.length > Math.ceil((limit * 4) / 3) + 4 : raw.length > limit) {
      return reply(413, { error: `body larger than ${limit} bytes` });
    }
    const body = Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8');
    let keys: Map<string, readonly JsonWebKey[]> | undefined;
    const uris = jwksUrisOf(deps.config, route.provider);
    if (uris.length > 0) {
      try {
        keys = new Map(await Promise.all(uris.map(async (uri) => [uri, await jwks(uri)] as const)));
      } catch {
        // Without the keys nothing can be verified; the sender retries later.
        return reply(503, { error: 'cannot verify deliveries right now' });
      }
    }
    let filtered: ReturnType<typeof receiveDelivery>;
    try {
      filtered = receiveDelivery(deps.config, {
        provider: route.provider,
        headers: lowercaseHeaders(event.headers),
        body,
        urlToken: route.token ?? event.queryStringParameters?.token ?? null,
        receivedAt: now().toISOString(),
        ...(keys ? { jwks: keys } : {}),
      });
    } catch (error) {
      if (error instanceof DeliveryRejectedError) {
        log({
          level: 'WARN',
          message: 'delivery refused',
          provider: route.provider,
          status: error.status,
          reason: error.message,
        });
        return reply(error.status, { error: error.message });
      }
      throw error;
    }

    // Replay protection where the source has a delivery id: claim each id once.
    const claimed: { source: string; id: string }[] = [];
    const fresh: ImagePushed[] = [];
    let replayed = 0;
    const seen = new Map<string, boolean>();
    for (const push of filtered.pushes) {
      if (push.eventId === null) {
        fresh.push(push);
        continue;
      }
      let ok = seen.get(push.eventId);
      if (ok === undefined) {
        ok = await deps.deliveries.claim(push.source, push.eventId, deps.config.replayWindowSeconds);
        seen.set(push.eventId, ok);
        if (ok) claimed.push({ source: push.source, id: push.eventId });
      }
      if (ok) fresh.push(push);
      else replayed++;
    }
    if (replayed > 0 && fresh.length === 0) {
      const status = deps.config.providers[route.provider]?.replayStatus ?? 409;
      log({ level: 'WARN', message: 'delivery replayed', provider: route.provider, status, replayed });
      return reply(
        status,
        status === 409 ? { error: 'delivery already received' } : { accepted: 0, replayed },
      );
    }

    try {
      for (const push of fresh) await deps.imageQueue.send(push);
    } catch (error) {
      // Let the sender's retry through: forget the ids this delivery claimed.
      await Promise.allSettled(claimed.map((c) => deps.deliveries.release(c.source, c.id)));
      throw error;
    }
    log({
      level: 'INFO',
      message: 'delivery accepted',
      provider: route.provider,
      pushes: fresh.map((p) => `${p.host}/${p.repository}:${p.tag}`),
      ignored: filtered.dropped.length,
      replayed,
    });
    return reply(202, {
      accepted: fresh.length,
      ignored: filtered.dropped.map((d) => d.reason),
      ...(replayed > 0 ? { replayed } : {}),
    });
  };
}

/**
 * The configuration as stored: the full document (`{ providers: { … } }`), or just the providers object
 * keyed by provider name, which is how the stack's webhook secret is described.
 */
export function webhookConfigFrom(value: unknown, origin: string): WebhookConfig {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  const full =
    isObject && ('providers' in value || 'maxBodyBytes' in value || 'replayWindowSeconds' in value);
  return parseWebhookConfig(isObject && !full ? { providers: value } : value, origin);
}

async function loadConfig(): Promise<WebhookConfig> {
  const secretId = process.env.WEBHOOK_CONFIG_SECRET_ID ?? process.env.WEBHOOK_SECRETS_ARN;
  if (secretId) {
    const text = await new SecretReader().read(secretId);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error(`${secretId}: webhook configuration secret is not JSON`);
    }
    return webhookConfigFrom(value, secretId);
  }
  let value: unknown;
  try {
    value = JSON.parse(process.env.WEBHOOK_CONFIG ?? '{}');
  } catch {
    throw new Error('WEBHOOK_CONFIG: not JSON');
  }
  return webhookConfigFrom(value, 'WEBHOOK_CONFIG');
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

let built: Promise<(event: APIGatewayProxyEventV2) => Promise<Result>> | undefined;

/**
 * Lambda entry point: TABLE_NAME, IMAGE_QUEUE_URL, and the configuration from the secret named by
 * WEBHOOK_CONFIG_SECRET_ID (or WEBHOOK_SECRETS_ARN), else from WEBHOOK_CONFIG.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<Result> => {
  built ??= loadConfig().then((config) =>
    createWebhookHandler({
      config,
      imageQueue: new SqsMessageQueue<ImagePushed>({
        client: new SQSClient({}),
        queueUrl: requireEnv('IMAGE_QUEUE_URL'),
      }),
      deliveries: tableDeliveryLedger({ doc: createDocumentClient(), tableName: requireEnv('TABLE_NAME') }),
    }),
  );
  return (await built)(event);
};
