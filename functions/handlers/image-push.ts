/**
 * Image pushes (image queue): resolves the tag to the digest the registry says (never trusting a hint),
 * de-duplicates the resolved push, and creates one rollout per track following the tag (its id is
 * `rolloutId(track, digest)`: a repeat is a no-op), each with a plan message.
 */
import { processSqsBatch, type SqsHandler } from '../adapters/lambda/sqs-batch.ts';
import type { Dependencies } from '../core/dependencies.ts';
import { ImagePushedSchema, parseMessage } from '../core/messages.ts';
import { ManifestUnknownError } from '../core/registry.ts';
import type { Stores } from '../core/stores.ts';
import { type ImagePushOutcome, pushKey, rolloutForPush } from '../core/tracks/match.ts';
import * as aws from '../wiring/aws.ts';

/** What image-push needs. */
export type ImagePushDeps = Pick<Dependencies, 'resolver' | 'planQueue' | 'now' | 'log'> & {
  stores: Pick<Stores, 'tracks' | 'rollouts' | 'pushes'>;
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
    if (!(error instanceof ManifestUnknownError)) throw error;
    log({ level: 'WARN', message: 'pushed tag not found in the registry', error: error.message });
    return { outcome: 'tag-not-found', reason: error.message };
  }
  if (push.digestHint !== null && push.digestHint !== digest) {
    const message = 'digest hint differs from the registry; using the registry';
    log({ level: 'WARN', message, ...tagged, hint: push.digestHint, digest });
  }
  const { tracks, rollouts, pushes } = deps.stores;
  const key = pushKey({ ...tagged, digest });
  if (!(await pushes.claimPush(key, deps.pushKeyTtlSeconds ?? 24 * 3600, now()))) {
    return { outcome: 'duplicate', digest };
  }
  try {
    const following = await tracks.findTracksForImage(tagged);
    const created: string[] = [];
    for (const track of following) {
      const image = { host: push.host, repository: push.repository, digest };
      const record = rolloutForPush(track, image, push.source, now().toISOString());
      const result = await rollouts.createRollout(record);
      if (result.created) {
        created.push(record.id);
        log({ level: 'INFO', message: 'rollout created', rolloutId: record.id, track: track.name, digest });
      }
      // A rollout still Pending was created by an attempt that failed before its plan message went out.
      const needsPlan = result.created || (await rollouts.getRollout(record.id))?.status === 'Pending';
      if (needsPlan) await deps.planQueue.send({ rolloutId: record.id });
    }
    const names = following.map((t) => t.name);
    log({ level: 'INFO', message: 'push processed', ...tagged, digest, tracks: names, created });
    return { outcome: 'processed', digest, tracks: names, created };
  } catch (error) {
    await pushes.releasePush(key).catch(() => undefined);
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
