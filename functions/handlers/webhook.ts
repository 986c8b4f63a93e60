/**
 * `POST /hooks/{provider}[/{token}]` (API Gateway HTTP API v2): registry webhooks. Validates, authenticates
 * and normalises the delivery (core/ingress), drops noise, refuses replays of a delivery id, and enqueues
 * `ImagePushed` on the image queue. Nothing slow happens here (registries time out in seconds); resolving
 * tags and starting rollouts is image-push's work.
 */
import type { JsonWebKey } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { claimPushes } from '../adapters/ingress/claims.ts';
import { cachedJwks } from '../adapters/ingress/jwks.ts';
import type { Dependencies } from '../core/dependencies.ts';
import * as ingress from '../core/ingress/index.ts';
import { bodyOverLimit, lowercaseHeaders, parseHookPath, replayAnswer } from '../core/ingress/webhook.ts';
import type { DeliveryClaims } from '../core/stores.ts';
import * as aws from '../wiring/aws.ts';

/** What the webhook handler needs; log lines never carry secrets or bodies. */
export type WebhookHandlerDeps = Pick<Dependencies, 'imageQueue' | 'now' | 'log'> & {
  config: ingress.WebhookConfig;
  deliveries: DeliveryClaims;
  /** Public keys of a JWKS URI (`oidc` authentication). Default: fetched over HTTPS, cached for an hour. */
  jwks?: (uri: string) => Promise<readonly JsonWebKey[]>;
};

type Result = APIGatewayProxyStructuredResultV2;

function reply(statusCode: number, body: Record<string, unknown>): Result {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Builds the webhook handler. */
export function createWebhookHandler(
  deps: WebhookHandlerDeps,
): (event: APIGatewayProxyEventV2) => Promise<Result> {
  const now = deps.now ?? (() => new Date());
  const jwks = deps.jwks ?? cachedJwks();
  const log = deps.log ?? (() => undefined);
  return async (event) => {
    if (event.requestContext?.http?.method && event.requestContext.http.method !== 'POST') {
      return reply(405, { error: 'use POST' });
    }
    const path = event.pathParameters;
    const route = path?.provider
      ? { provider: path.provider, token: path.token ?? null }
      : parseHookPath(event.rawPath ?? '');
    if (route === null) return reply(404, { error: 'no such webhook' });
    const { provider } = route;
    const raw = event.body ?? '';
    const limit = deps.config.maxBodyBytes;
    if (bodyOverLimit(raw, event.isBase64Encoded, limit))
      return reply(413, { error: `body larger than ${limit} bytes` });
    let keys: Map<string, readonly JsonWebKey[]> | undefined;
    const uris = ingress.jwksUrisOf(deps.config, provider);
    try {
      if (uris.length > 0)
        keys = new Map(await Promise.all(uris.map(async (u) => [u, await jwks(u)] as const)));
    } catch {
      // Without the keys nothing can be verified; the sender retries later.
      return reply(503, { error: 'cannot verify deliveries right now' });
    }
    let delivery: ingress.FilteredDelivery;
    try {
      delivery = ingress.receiveDelivery(deps.config, {
        provider,
        headers: lowercaseHeaders(event.headers),
        body: Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8'),
        urlToken: route.token ?? event.queryStringParameters?.token ?? null,
        receivedAt: now().toISOString(),
        ...(keys ? { jwks: keys } : {}),
      });
    } catch (error) {
      if (!(error instanceof ingress.DeliveryRejectedError)) throw error;
      log({
        level: 'WARN',
        message: 'delivery refused',
        provider,
        status: error.status,
        reason: error.message,
      });
      return reply(error.status, { error: error.message });
    }
    const { fresh, replayed, release } = await claimPushes(
      deps.deliveries,
      delivery.pushes,
      deps.config.replayWindowSeconds,
    );
    if (replayed > 0 && fresh.length === 0) {
      const answer = replayAnswer(deps.config, provider, replayed);
      log({ level: 'WARN', message: 'delivery replayed', provider, status: answer.status, replayed });
      return reply(answer.status, answer.body);
    }
    try {
      for (const push of fresh) await deps.imageQueue.send(push);
    } catch (error) {
      await release(); // the sender's retry must get through
      throw error;
    }
    const pushes = fresh.map((p) => `${p.host}/${p.repository}:${p.tag}`);
    log({
      level: 'INFO',
      message: 'delivery accepted',
      provider,
      pushes,
      ignored: delivery.dropped.length,
      replayed,
    });
    const ignored = delivery.dropped.map((d) => d.reason);
    return reply(202, { accepted: fresh.length, ignored, ...(replayed > 0 ? { replayed } : {}) });
  };
}

/** Lambda entry point (environment: functions/wiring/aws.ts; configuration: a secret or WEBHOOK_CONFIG). */
export const handler = aws.lambdaHandler('webhook', async (log) =>
  createWebhookHandler(await aws.webhookDeps(log)),
);
