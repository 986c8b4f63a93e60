import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SqsMessageQueue } from '../adapters/queue/index.ts';
import {
  fileCredentials,
  secretsManagerCredentials,
  staticCredentials,
} from '../adapters/registry/credentials.ts';
import { ManifestUnknownError } from '../adapters/registry/errors.ts';
import type { TagResolver } from '../adapters/registry/oci-client.ts';
import { createTagResolver } from '../adapters/registry/resolver.ts';
import type { StoreContext } from '../adapters/store/context.ts';
import { createRollout, getRollout } from '../adapters/store/rollouts.ts';
import { createDocumentClient } from '../adapters/store/table.ts';
import { claimPush, findTracksForImage, releasePush } from '../adapters/store/tracks.ts';
import { ImagePushedSchema, parseMessage } from '../core/messages.ts';
import type { MessageQueue, PlanRolloutMessage } from '../core/ports.ts';
import { pushKey, rolloutForPush } from '../core/tracks/match.ts';
import { processSqsBatch } from './sqs-batch.ts';

/** What image-push needs. */
export interface ImagePushDeps {
  store: StoreContext;
  resolver: TagResolver;
  planQueue: MessageQueue<PlanRolloutMessage>;
  /** How long a processed push is remembered for de-duplication. Default one day. */
  pushKeyTtlSeconds?: number;
  now?: () => Date;
  log?: (line: Record<string, unknown>) => void;
}

/** What happened to one push. */
export type ImagePushOutcome =
  | { outcome: 'invalid'; reason: string }
  | { outcome: 'tag-not-found'; reason: string }
  | { outcome: 'duplicate'; digest: string }
  | { outcome: 'processed'; digest: string; tracks: string[]; created: string[] };

/**
 * Processes one push. Idempotent: a repeated push is a duplicate, a repeated rollout creation a no-op.
 * @throws on retryable failures (registry unavailable, table or queue errors); the message is retried.
 */
export async function processImagePush(deps: ImagePushDeps, message: unknown): Promise<ImagePushOutcome> {
  const log = deps.log ?? ((line) => console.log(JSON.stringify(line)));
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
    if (error instanceof ManifestUnknownError) {
      log({ level: 'WARN', message: 'pushed tag not found in the registry', error: error.message });
      return { outcome: 'tag-not-found', reason: error.message };
    }
    throw error;
  }
  if (push.digestHint !== null && push.digestHint !== digest) {
    log({
      level: 'WARN',
      message: 'digest hint differs from the registry; using the registry',
      ...tagged,
      hint: push.digestHint,
      digest,
    });
  }

  const key = pushKey({ ...tagged, digest });
  if (!(await claimPush(deps.store, key, deps.pushKeyTtlSeconds ?? 24 * 3600, now()))) {
    return { outcome: 'duplicate', digest };
  }
  try {
    const tracks = await findTracksForImage(deps.store, tagged);
    const created: string[] = [];
    for (const track of tracks) {
      const record = rolloutForPush(
        track,
        { host: push.host, repository: push.repository, digest },
        push.source,
        now().toISOString(),
      );
      const result = await createRollout(deps.store, record);
      if (result.created) created.push(record.id);
      // A rollout still Pending was created by an attempt that failed before its plan message went out.
      const needsPlan = result.created || (await getRollout(deps.store, record.id))?.status === 'Pending';
      if (needsPlan) await deps.planQueue.send({ rolloutId: record.id });
    }
    log({
      level: 'INFO',
      message: 'push processed',
      ...tagged,
      digest,
      tracks: tracks.map((t) => t.name),
      created,
    });
    return { outcome: 'processed', digest, tracks: tracks.map((t) => t.name), created };
  } catch (error) {
    await releasePush(deps.store, key).catch(() => undefined);
    throw error;
  }
}

/** Builds the SQS handler (partial batch failures reported). */
export function createImagePushHandler(
  deps: ImagePushDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return (event, context) => {
    return processSqsBatch(event, context, (body) => processImagePush(deps, body));
  };
}

let built: ReturnType<typeof createImagePushHandler> | undefined;

/**
 * Lambda entry point: TABLE_NAME, PLAN_QUEUE_URL, and REGISTRY_CREDENTIALS_SECRET_ID (Secrets Manager) or
 * REGISTRY_CREDENTIALS_FILE (a local JSON/YAML file); anonymous pulls when neither is set.
 */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  if (built === undefined) {
    const tableName = process.env.TABLE_NAME;
    const planQueueUrl = process.env.PLAN_QUEUE_URL;
    if (!tableName || !planQueueUrl) throw new Error('TABLE_NAME and PLAN_QUEUE_URL must be set');
    const credentials = process.env.REGISTRY_CREDENTIALS_SECRET_ID
      ? secretsManagerCredentials(process.env.REGISTRY_CREDENTIALS_SECRET_ID)
      : process.env.REGISTRY_CREDENTIALS_FILE
        ? fileCredentials(process.env.REGISTRY_CREDENTIALS_FILE)
        : staticCredentials({ registries: {} });
    built = createImagePushHandler({
      store: { doc: createDocumentClient(), tableName },
      resolver: createTagResolver(credentials),
      planQueue: new SqsMessageQueue<PlanRolloutMessage>({
        client: new SQSClient({}),
        queueUrl: planQueueUrl,
      }),
    });
  }
  return built(event, context);
};
