/**
 * EventBridge target for ECR image actions (`source: aws.ecr`): normalises a successful push (or
 * replication into this region) of a tagged image to `ImagePushed` and enqueues it on the image queue.
 * Noise (deletes, scans, untagged children, failures) is dropped. A malformed event is logged and dropped,
 * not retried: retrying cannot fix it.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { EventBridgeEvent } from 'aws-lambda';
import { SqsMessageQueue } from '../adapters/queue/index.ts';
import { createDocumentClient } from '../adapters/store/table.ts';
import { DeliveryRejectedError } from '../core/ingress/errors.ts';
import { parsePayload } from '../core/ingress/hint.ts';
import { filterNoise } from '../core/ingress/noise.ts';
import { ecr } from '../core/ingress/sources/ecr.ts';
import type { ImagePushed } from '../core/model.ts';
import type { MessageQueue } from '../core/ports.ts';
import { type DeliveryLedger, tableDeliveryLedger } from './webhook.ts';

/** What the ECR event handler needs. */
export interface EcrEventHandlerDeps {
  imageQueue: MessageQueue<ImagePushed>;
  /** Replay protection on the EventBridge event id (EventBridge delivers at least once). */
  deliveries?: DeliveryLedger;
  /** Accounts whose events are accepted (all when absent). */
  allowedAccounts?: readonly string[];
  replayWindowSeconds?: number;
  now?: () => Date;
  log?: (line: Record<string, unknown>) => void;
}

/** What happened to one event. */
export type EcrEventOutcome =
  | { outcome: 'enqueued'; push: ImagePushed }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'rejected'; reason: string };

/** Builds the handler. */
export function createEcrEventHandler(
  deps: EcrEventHandlerDeps,
): (event: EventBridgeEvent<string, unknown>) => Promise<EcrEventOutcome> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? ((line) => console.log(JSON.stringify(line)));
  return async (event) => {
    let pushes: ImagePushed[];
    let dropped: string[];
    try {
      const parsed = parsePayload(ecr, event);
      if (deps.allowedAccounts !== undefined && !deps.allowedAccounts.includes(parsed.account)) {
        log({ level: 'WARN', message: 'ECR event from an account not allowed', account: parsed.account });
        return { outcome: 'rejected', reason: `account ${parsed.account} not allowed` };
      }
      const filtered = filterNoise('ecr', ecr.hints(parsed, {}), now().toISOString());
      pushes = filtered.pushes;
      dropped = filtered.dropped.map((d) => d.reason);
    } catch (error) {
      if (!(error instanceof DeliveryRejectedError)) throw error;
      log({ level: 'WARN', message: 'malformed ECR event dropped', error: error.message });
      return { outcome: 'rejected', reason: error.message };
    }
    const push = pushes[0];
    if (push === undefined) return { outcome: 'ignored', reason: dropped[0] ?? 'no push' };
    if (deps.deliveries && push.eventId !== null) {
      const fresh = await deps.deliveries.claim(
        'ecr',
        push.eventId,
        deps.replayWindowSeconds ?? 7 * 24 * 3600,
      );
      if (!fresh) return { outcome: 'ignored', reason: 'replayed' };
      try {
        await deps.imageQueue.send(push);
      } catch (error) {
        await deps.deliveries.release('ecr', push.eventId);
        throw error;
      }
    } else {
      await deps.imageQueue.send(push);
    }
    return { outcome: 'enqueued', push };
  };
}

let built: ReturnType<typeof createEcrEventHandler> | undefined;

/**
 * Lambda entry point: IMAGE_QUEUE_URL; optional ECR_ALLOWED_ACCOUNTS (comma separated) and
 * ECR_REPLAY_TABLE_NAME (the table, for replay protection on event ids; needs write access).
 */
export const handler = (event: EventBridgeEvent<string, unknown>): Promise<EcrEventOutcome> => {
  if (built === undefined) {
    const queueUrl = process.env.IMAGE_QUEUE_URL;
    if (!queueUrl) throw new Error('IMAGE_QUEUE_URL must be set');
    const accounts = process.env.ECR_ALLOWED_ACCOUNTS?.split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    const tableName = process.env.ECR_REPLAY_TABLE_NAME;
    built = createEcrEventHandler({
      imageQueue: new SqsMessageQueue<ImagePushed>({ client: new SQSClient({}), queueUrl }),
      // Optional: image-push de-duplicates repeated events anyway; this only saves their resolution.
      ...(tableName ? { deliveries: tableDeliveryLedger({ doc: createDocumentClient(), tableName }) } : {}),
      ...(accounts && accounts.length > 0 ? { allowedAccounts: accounts } : {}),
    });
  }
  return built(event);
};
