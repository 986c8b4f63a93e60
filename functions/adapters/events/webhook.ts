/**
 * BaseImageUpdated to an outgoing webhook (local use): a JSON POST shaped like an EventBridge event, so
 * the same CI receiver works with both. Optionally signed: `X-Strata-Signature-256: sha256=<hex HMAC>`.
 */
import { createHmac } from 'node:crypto';
import { BASE_IMAGE_UPDATED, type BaseImageUpdated } from '../../core/checks/events.ts';
import { EventPublishError, type EventPublisher } from './publisher.ts';

/** Options of {@link webhookPublisher}. */
export interface WebhookPublisherOptions {
  url: string;
  /** HMAC-SHA256 key for the signature header; unsigned when absent. */
  secret?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** POSTs each event to `url`; any non-2xx answer is a failure (published again by the next check). */
export function webhookPublisher(options: WebhookPublisherOptions): EventPublisher {
  const send = options.fetch ?? globalThis.fetch;
  return {
    async publish(event: BaseImageUpdated) {
      const body = JSON.stringify({
        id: event.id,
        source: BASE_IMAGE_UPDATED.source,
        'detail-type': BASE_IMAGE_UPDATED.detailType,
        time: event.detectedAt,
        detail: event,
      });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.secret !== undefined) {
        headers['x-strata-signature-256'] =
          `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
      }
      let response: Response;
      try {
        response = await send(options.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        throw new EventPublishError(event.id, `POST ${options.url}: ${(error as Error).message}`);
      }
      await response.body?.cancel();
      if (response.status < 200 || response.status > 299) {
        throw new EventPublishError(event.id, `POST ${options.url}: HTTP ${response.status}`);
      }
    },
  };
}
