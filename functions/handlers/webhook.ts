/**
 * `POST /hooks/{provider}[/{token}]` (API Gateway HTTP API v2): registry webhooks. Validates, authenticates
 * and normalises the delivery (core/ingress), refuses replays of a delivery id, and enqueues `ImagePushed`
 * on the image queue. Nothing slow happens here: registries time out in seconds.
 */
import type { JsonWebKey } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { claimPushes } from '../adapters/ingress/claims.ts';
import { cachedJwks, keysOf } from '../adapters/ingress/jwks.ts';
import { jsonResult } from '../adapters/lambda/http.ts';
import { sendAll } from '../adapters/queue/send-all.ts';
import type { Dependencies } from '../core/dependencies.ts';
import * as ingress from '../core/ingress/index.ts';
import { hookDelivery, replayAnswer } from '../core/ingress/webhook.ts';
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

const reply = jsonResult;

/** Builds the webhook handler. */
export function createWebhookHandler(
  deps: WebhookHandlerDeps,
): (event: APIGatewayProxyEventV2) => Promise<Result> {
  const { config } = deps;
  const jwks = deps.jwks ?? cachedJwks();
  const log = deps.log ?? (() => undefined);
  return async (event) => {
    const request = hookDelivery(config, { ...event, method: event.requestContext?.http?.method });
    if ('status' in request) return reply(request.status, { error: request.error });
    const { provider } = request;
    const uris = ingress.jwksUrisOf(config, provider);
    const keys = await keysOf(jwks, uris);
    if (keys === null) return reply(503, { error: 'cannot verify deliveries right now' });
    let delivery: ingress.FilteredDelivery;
    try {
      const receivedAt = (deps.now ?? (() => new Date()))().toISOString();
      delivery = ingress.receiveDelivery(config, {
        ...request,
        receivedAt,
        ...(uris.length > 0 ? { jwks: keys } : {}),
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
    const claims = await claimPushes(deps.deliveries, delivery.pushes, config.replayWindowSeconds);
    const { fresh, replayed } = claims;
    if (replayed > 0 && fresh.length === 0) {
      const answer = replayAnswer(config, provider, replayed);
      log({ level: 'WARN', message: 'delivery replayed', provider, status: answer.status, replayed });
      return reply(answer.status, answer.body);
    }
    try {
      await sendAll(deps.imageQueue, fresh); // batched where the queue sends batches
    } catch (error) {
      await claims.release(); // the sender's retry must get through
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
