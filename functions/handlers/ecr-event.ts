/**
 * EventBridge target for ECR image actions (`source: aws.ecr`): a successful push of a tagged image
 * (core/ingress/ecr-event.ts) is enqueued on the image queue as `ImagePushed`, once per event id; noise is
 * ignored; a malformed event is logged and dropped, not retried.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { claimPushes } from '../adapters/ingress/claims.ts';
import type { Dependencies } from '../core/dependencies.ts';
import { judgeEcrEvent } from '../core/ingress/ecr-event.ts';
import type { ImagePushed } from '../core/messages.ts';
import type { DeliveryClaims } from '../core/stores.ts';
import * as aws from '../wiring/aws.ts';

/** What the ECR event handler needs (without `deliveries` no replay protection: image-push de-duplicates). */
export type EcrEventHandlerDeps = Pick<Dependencies, 'imageQueue' | 'now' | 'log'> & {
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
  return async (event) => {
    const verdict = judgeEcrEvent(event, deps.allowedAccounts, now().toISOString());
    if ('rejected' in verdict) {
      const message = verdict.account
        ? 'ECR event from an account not allowed'
        : 'malformed ECR event dropped';
      deps.log?.({ level: 'WARN', message, account: verdict.account, error: verdict.rejected });
      return { outcome: 'rejected', reason: verdict.rejected };
    }
    if ('ignored' in verdict) return { outcome: 'ignored', reason: verdict.ignored };
    const { push } = verdict;
    const ttl = deps.replayWindowSeconds ?? 7 * 24 * 3600;
    const claims = deps.deliveries && (await claimPushes(deps.deliveries, [push], ttl));
    if (claims?.replayed) return { outcome: 'ignored', reason: 'replayed' };
    try {
      await deps.imageQueue.send(push);
    } catch (error) {
      await claims?.release();
      throw error;
    }
    deps.log?.({
      level: 'INFO',
      message: 'ECR push enqueued',
      image: `${push.host}/${push.repository}:${push.tag}`,
    });
    return { outcome: 'enqueued', push };
  };
}

/** Lambda entry point (environment: functions/wiring/aws.ts). */
export const handler = aws.lambdaHandler('ecr-event', (log) => createEcrEventHandler(aws.ecrEventDeps(log)));
