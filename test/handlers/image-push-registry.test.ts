/**
 * End to end on a real registry: skopeo pushes an image to Debian's docker-registry, whose notifications
 * reach Strata's webhook through the local HTTP front; image-push resolves the tag against the same
 * registry and starts the rollouts of the tracks that follow it.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciRegistryClient, staticCredentials } from '../../functions/adapters/registry/index.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { getRollout } from '../../functions/adapters/store/rollouts.ts';
import { saveTrack } from '../../functions/adapters/store/tracks.ts';
import { parseWebhookConfig } from '../../functions/core/ingress/config.ts';
import { type ImagePushed, pinnedReference, rolloutId } from '../../functions/core/model.ts';
import type { PlanRolloutMessage } from '../../functions/core/ports.ts';
import { parseTrack } from '../../functions/core/tracks/parse.ts';
import { createImagePushHandler } from '../../functions/handlers/image-push.ts';
import { createWebhookHandler } from '../../functions/handlers/webhook.ts';
import { type HttpFront, startHttpFront } from '../../local/http-front.ts';
import { startTestTable, type TestTable } from '../support/dynalite.ts';
import {
  OciLayout,
  RecordingQueue,
  skopeoDigest,
  skopeoPush,
  startRegistry,
  type TestRegistry,
} from '../support/registry.ts';

const TOKEN = 'Bearer registry-notify-7c1e';

let table: TestTable;
let front: HttpFront;
let registry: TestRegistry;
let layout: OciLayout;
const imageQueue = new RecordingQueue<ImagePushed>();
const planQueue = new RecordingQueue<PlanRolloutMessage>();
/** How many image queue messages image-push has consumed so far. */
let consumed = 0;

const context = { functionName: 'image-push', awsRequestId: 'local' } as Context;

/** Feeds every not yet consumed image queue message to the image-push handler, as one SQS batch. */
async function drainImageQueue() {
  const bodies = imageQueue.bodies.slice(consumed);
  consumed += bodies.length;
  const event: SQSEvent = {
    Records: bodies.map((body, i) => ({
      messageId: `m-${consumed}-${i}`,
      receiptHandle: 'r',
      body: JSON.stringify(body),
      attributes: {} as SQSEvent['Records'][number]['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:image',
      awsRegion: 'us-east-1',
    })),
  };
  const imagePush = createImagePushHandler({
    stores: dynamoStores({ doc: table.doc, tableName: table.tableName }),
    resolver: new OciRegistryClient({ credentials: staticCredentials({ registries: {} }) }),
    planQueue,
    log: () => undefined,
  });
  return imagePush(event, context);
}

beforeAll(async () => {
  table = await startTestTable();
  const webhook = createWebhookHandler({
    log: () => undefined,
    config: parseWebhookConfig(
      { providers: { distribution: { auth: [{ kind: 'header', header: 'Authorization', value: TOKEN }] } } },
      'test',
    ),
    imageQueue,
    deliveries: dynamoStores({ doc: table.doc, tableName: table.tableName }).deliveries,
  });
  front = await startHttpFront({ routes: [{ routeKey: 'POST /hooks/{provider}', handler: webhook }] });
  registry = await startRegistry({
    notifyUrl: `${front.url}/hooks/distribution`,
    notifyHeaders: { Authorization: TOKEN },
  });
  layout = new OciLayout();
  const store = { doc: table.doc, tableName: table.tableName };
  for (const [name, tag] of [
    ['os-prod', 'prod'],
    ['os-multi', 'multi'],
  ] as const) {
    await saveTrack(
      store,
      parseTrack(
        { name, image: `${registry.host}/strata/os:${tag}`, targets: { pools: ['worker'] } },
        'test',
      ),
    );
  }
  // A track following another repository must not be touched.
  await saveTrack(store, parseTrack({ name: 'other', image: `${registry.host}/strata/other:prod` }, 'test'));
});

afterAll(async () => {
  await registry?.stop();
  await front?.close();
  await table?.close();
  layout?.remove();
});

describe('a push to a real registry', () => {
  it('starts the rollout of the following track, pinned to the digest the registry reports', async () => {
    // Prepare
    layout.tag('v1', layout.image('build-1'));

    // Act
    await skopeoPush(layout, 'v1', `${registry.host}/strata/os:prod`);
    const digest = await skopeoDigest(`${registry.host}/strata/os:prod`);
    await imageQueue.waitFor((p) => p.tag === 'prod' && p.digestHint === digest);
    const response = await drainImageQueue();

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    // Blob pushes and pulls are noise: only the tagged manifest push was enqueued.
    expect(imageQueue.bodies.every((p) => p.tag === 'prod' && p.repository === 'strata/os')).toBe(true);
    const rollout = await getRollout(
      { doc: table.doc, tableName: table.tableName },
      rolloutId('os-prod', digest),
    );
    expect(rollout).not.toBeNull();
    expect(pinnedReference(rollout!.image)).toBe(`${registry.host}/strata/os@${digest}`);
    expect(rollout!.status).toBe('Pending');
    expect(rollout!.cause).toBe('distribution');
    expect(planQueue.bodies).toEqual([{ rolloutId: rolloutId('os-prod', digest) }]);
  });

  it('pins a multi-arch image to its index digest, ignoring the untagged child manifests', async () => {
    // Prepare
    const index = layout.multiArch('build-2');
    layout.tag('v2', index);
    const before = planQueue.sent.length;

    // Act
    await skopeoPush(layout, 'v2', `${registry.host}/strata/os:multi`);
    const digest = await skopeoDigest(`${registry.host}/strata/os:multi`);
    await imageQueue.waitFor((p) => p.tag === 'multi');
    await drainImageQueue();

    // Assess
    expect(digest).toBe(index.digest);
    const rollout = await getRollout(
      { doc: table.doc, tableName: table.tableName },
      rolloutId('os-multi', digest),
    );
    expect(rollout?.image).toEqual({ host: registry.host, repository: 'strata/os', digest });
    expect(planQueue.bodies.slice(before)).toEqual([{ rolloutId: rolloutId('os-multi', digest) }]);
    // The children were pushed by digest: no enqueued push names one of them.
    expect(imageQueue.bodies.filter((p) => p.tag === 'multi').every((p) => p.digestHint === digest)).toBe(
      true,
    );
  });

  it('starts no second rollout when the same push is delivered again or pushed again', async () => {
    // Prepare
    const digest = await skopeoDigest(`${registry.host}/strata/os:prod`);
    const plans = planQueue.sent.length;
    const deliveries = imageQueue.sent.length;

    // Act: the same image pushed to the same tag again (new notifications), and every push redelivered.
    await skopeoPush(layout, 'v1', `${registry.host}/strata/os:prod`);
    await imageQueue.waitFor(() => imageQueue.sent.length > deliveries);
    await drainImageQueue();
    consumed = 0;
    await drainImageQueue();

    // Assess
    expect(planQueue.sent.length).toBe(plans);
    const rollout = await getRollout(
      { doc: table.doc, tableName: table.tableName },
      rolloutId('os-prod', digest),
    );
    expect(rollout?.version).toBe(1);
  });

  it('starts a new rollout when the tag moves to a new image', async () => {
    // Prepare
    layout.tag('v3', layout.image('build-3'));
    const plans = planQueue.sent.length;

    // Act
    await skopeoPush(layout, 'v3', `${registry.host}/strata/os:prod`);
    const digest = await skopeoDigest(`${registry.host}/strata/os:prod`);
    await imageQueue.waitFor((p) => p.tag === 'prod' && p.digestHint === digest);
    await drainImageQueue();

    // Assess
    expect(planQueue.bodies.slice(plans)).toEqual([{ rolloutId: rolloutId('os-prod', digest) }]);
    const rollout = await getRollout(
      { doc: table.doc, tableName: table.tableName },
      rolloutId('os-prod', digest),
    );
    expect(rollout?.image.digest).toBe(digest);
  });
});
