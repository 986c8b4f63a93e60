/**
 * Image pushes (image queue): resolves the tag to the digest the registry says (never trusting a hint),
 * de-duplicates the resolved push, and creates one rollout per track following the tag, each with a plan
 * message: unless the track's newest rollout is of this digest already (a repeat is a no-op), or the tag
 * moved back to a digest the fleet already runs (core/tracks/match.ts `rolloutForTagAt`).
 */
import { processSqsBatch, type SqsHandler } from '../adapters/lambda/sqs-batch.ts';
import { clearPushFailure, recordPushFailure } from '../adapters/store/push-failures.ts';
import { startTrackRollout } from '../adapters/store/track-rollouts.ts';
import type { Dependencies } from '../core/dependencies.ts';
import { ImagePushedSchema, parseMessage } from '../core/messages.ts';
import { ManifestUnknownError, RegistryError } from '../core/registry.ts';
import type { Stores } from '../core/stores.ts';
import { type ImagePushOutcome, pushKey } from '../core/tracks/match.ts';
import * as aws from '../wiring/aws.ts';

/** What image-push needs. */
export type ImagePushDeps = Pick<Dependencies, 'resolver' | 'planQueue' | 'now' | 'log'> & {
  stores: Pick<Stores, 'tracks' | 'rollouts' | 'pushes' | 'checks'>;
  /** How long a processed push is remembered for de-duplication. Default one day. */
  pushKeyTtlSeconds?: number;
};

/**
 * Processes one push. Idempotent: a repeated push is a duplicate, a repeated rollout creation a no-op.
 * @throws on retryable failures (registry unavailable, table or queue errors); the message is retried.
 */
export async function processImagePush(deps: ImagePushDeps, message: unknown): Promise<ImagePushOutcome> {
  const log = deps.log ?? (() => undefined);
  const now = deps.now ?? (() => new Date());
  const parsed = parseMessage(ImagePushedSchema, message, 'image queue message');
  if (!parsed.ok) {
    log({ level: 'WARN', message: 'invalid image queue message dropped', reason: parsed.reason });
    return { outcome: 'invalid', reason: parsed.reason };
  }
  const push = parsed.message;
  const tagged = { host: push.host, repository: push.repository, tag: push.tag };
  let digest: string;
  try {
    digest = (await deps.resolver.resolveTag(tagged)).digest;
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    if (!(error instanceof ManifestUnknownError)) {
      // Retried by the queue; said now, with the registry's answer, on the log and the tracks' checks.
      log({ level: 'ERROR', message: 'push resolution failed', ...tagged, error: error.message });
      const names = (await deps.stores.tracks.findTracksForImage(tagged)).map((t) => t.name);
      await recordPushFailure(deps.stores.checks, names, error.message, now().toISOString());
      throw error;
    }
    log({ level: 'WARN', message: 'pushed tag not found in the registry', error: error.message });
    return { outcome: 'tag-not-found', reason: error.message };
  }
  if (push.digestHint !== null && push.digestHint !== digest) {
    const message = 'digest hint differs from the registry; using the registry';
    log({ level: 'WARN', message, ...tagged, hint: push.digestHint, digest });
  }
  const { tracks, rollouts, pushes } = deps.stores;
  const key = pushKey({ ...tagged, digest });
  // A push seen within the window is a duplicate, unless the tag moved away and back to it since.
  const claimed = await pushes.claimPush(key, deps.pushKeyTtlSeconds ?? 24 * 3600, now());
  try {
    const following = await tracks.findTracksForImage(tagged);
    await clearPushFailure(
      deps.stores.checks,
      following.map((t) => t.name),
    );
    const created: string[] = [];
    const image = { host: push.host, repository: push.repository, digest };
    for (const track of following) {
      const decision = await startTrackRollout(rollouts, track, image, push.source, now);
      if (!claimed && !(decision.kind === 'start' && decision.movedBackFrom)) continue;
      if (decision.kind === 'already-running') {
        log({
          level: 'INFO',
          message: 'tag moved back to the digest the fleet runs',
          track: track.name,
          digest,
        });
        continue;
      }
      const id = decision.kind === 'start' ? decision.record.id : decision.id;
      if (decision.kind === 'start') {
        created.push(id);
        const { cause } = decision.record;
        log({ level: 'INFO', message: 'rollout created', rolloutId: id, track: track.name, digest, cause });
      }
      // A rollout still Pending was created by an attempt that failed before its plan message went out.
      const needsPlan = decision.kind === 'start' || (await rollouts.getRollout(id))?.status === 'Pending';
      if (needsPlan) await deps.planQueue.send({ rolloutId: id });
    }
    if (!claimed && created.length === 0) return { outcome: 'duplicate', digest };
    const names = following.map((t) => t.name);
    log({ level: 'INFO', message: 'push processed', ...tagged, digest, tracks: names, created });
    return { outcome: 'processed', digest, tracks: names, created };
  } catch (error) {
    if (claimed) await pushes.releasePush(key).catch(() => undefined);
    throw error;
  }
}

/** Builds the SQS handler (partial batch failures reported). */
export function createImagePushHandler(deps: ImagePushDeps): SqsHandler {
  return (event, context) => processSqsBatch(event, context, (body) => processImagePush(deps, body));
}

/** Lambda entry point (environment: functions/wiring/aws.ts). */
export const handler = aws.lambdaHandler('image-push', (log) =>
  createImagePushHandler(aws.imagePushDeps(log)),
);
