/**
 * EventBridge target for ECR image actions (`source: aws.ecr`): normalises a successful push (or
 * replication into this region) of a tagged image to `ImagePushed` and enqueues it on the image queue.
 * Noise (deletes, scans, untagged children, failures) is dropped. A malformed event is logged and dropped,
 * not retried: retrying cannot fix it.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import type { Dependencies } from '../core/dependencies.ts';
import { DeliveryRejectedError } from '../core/ingress/errors.ts';
import { parsePayload } from '../core/ingress/hint.ts';
import { filterNoise } from '../core/ingress/noise.ts';
import { ecr } from '../core/ingress/sources/ecr.ts';
import type { ImagePushed } from '../core/messages.ts';
import type { DeliveryClaims } from '../core/stores.ts';
import * as aws from '../wiring/aws.ts';

/** What the ECR event handler needs. */
export type EcrEventHandlerDeps = Pick<Dependencies, 'imageQueue' | 'now' | 'log'> & {
  /** Replay protection on the EventBridge event id (EventBridge delivers at least once). */
  deliveries?: DeliveryClaims | undefined;
  /** Accounts whose events are accepted (all when absent). */
  allowedAccounts?: readonly string[] | undefined;
  replayWindowSeconds?: number;
};

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
  const log = deps.log ?? (() => undefined);
  return async (event) => {
    let filtered: ReturnType<typeof filterNoise>;
    try {
      const parsed = parsePayload(ecr, event);
      if (deps.allowedAccounts !== undefined && !deps.allowedAccounts.includes(parsed.account)) {
        log({ level: 'WARN', message: 'ECR event from an account not allowed', account: parsed.account });
        return { outcome: 'rejected', reason: `account ${parsed.account} not allowed` };
      }
      filtered = filterNoise('ecr', ecr.hints(parsed, {}), now().toISOString());
    } catch (error) {
      if (!(error instanceof DeliveryRejectedError)) throw error;
      log({ level: 'WARN', message: 'malformed ECR event dropped', error: error.message });
      return { outcome: 'rejected', reason: error.message };
    }
    const push = filtered.pushes[0];
    if (push === undefined) return { outcome: 'ignored', reason: filtered.dropped[0]?.reason ?? 'no push' };
    const id = deps.deliveries ? push.eventId : null;
    if (
      id !== null &&
      !(await deps.deliveries!.claim('ecr', id, deps.replayWindowSeconds ?? 7 * 24 * 3600))
    ) {
      return { outcome: 'ignored', reason: 'replayed' };
    }
    try {
      await deps.imageQueue.send(push);
    } catch (error) {
      if (id !== null) await deps.deliveries!.release('ecr', id);
      throw error;
    }
    log({
      level: 'INFO',
      message: 'ECR push enqueued',
      image: `${push.host}/${push.repository}:${push.tag}`,
    });
    return { outcome: 'enqueued', push };
  };
}

/** Lambda entry point (environment: functions/wiring/aws.ts). */
export const handler = aws.lambdaHandler('ecr-event', (log) => createEcrEventHandler(aws.ecrEventDeps(log)));
