/** The webhook handler under fuzzing: any request gets a 2xx or a 4xx, and a 4xx never enqueues anything. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImagePushed } from '../../functions/core/model.ts';
import { createWebhookHandler } from '../../functions/handlers/webhook.ts';
import { RecordingQueue } from '../support/registry.ts';
import {
  authenticEvent,
  contentTypes,
  fixture,
  hookEvent,
  MemoryLedger,
  testConfig,
} from './webhook-support.ts';

const providers = Object.keys(contentTypes);

describe('webhook handler under fuzzing', () => {
  it('answers arbitrary authentic bodies with 202 or 4xx, enqueueing only on 202', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...providers),
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
          fc.constantFrom('', '{}', '[]', 'null', '{"events":[{}]}', '{"message":{"data":"!!"}}'),
        ),
        fc.boolean(),
        async (provider, body, base64) => {
          const queue = new RecordingQueue<ImagePushed>();
          const handle = createWebhookHandler({
            log: () => undefined,
            config: testConfig,
            imageQueue: queue,
            deliveries: new MemoryLedger(),
          });
          const event = authenticEvent(provider, body);
          if (base64) {
            event.body = Buffer.from(event.body ?? '').toString('base64');
            event.isBase64Encoded = true;
          }
          const result = await handle(event);
          expect([202, 400, 401, 409, 413, 415]).toContain(result.statusCode);
          if (result.statusCode !== 202) expect(queue.sent).toHaveLength(0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('answers forged deliveries of real payloads with 401 and enqueues nothing', async () => {
    const payloads = [
      'acr/push.json',
      'github/package-published-tagged.json',
      'jfrog/pushed.json',
      'dockerhub/push.json',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...payloads),
        fc.dictionary(
          fc.constantFrom('authorization', 'x-hub-signature-256', 'x-jfrog-event-auth', 'x-api-key'),
          fc.string(),
        ),
        fc.option(
          fc.string({ minLength: 1 }).filter((t) => !t.includes('/')),
          { nil: undefined },
        ),
        async (file, headers, token) => {
          const queue = new RecordingQueue<ImagePushed>();
          const handle = createWebhookHandler({
            log: () => undefined,
            config: testConfig,
            imageQueue: queue,
            deliveries: new MemoryLedger(),
          });
          const provider = file.split('/')[0]!;
          const result = await handle(
            hookEvent(provider, fixture(file), { headers, ...(token ? { token } : {}) }),
          );
          expect(result.statusCode).toBe(401);
          expect(queue.sent).toHaveLength(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
