/**
 * ECR pushes from EventBridge, and the same push arriving twice (the Lambda target and an API destination
 * to the webhook): one rollout. The ECR host is served by a real docker-registry through the credentials
 * file's `endpoint` and `api: oci` settings, since ECR itself cannot run here.
 */
import type { Context, EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTagResolver, staticCredentials } from '../../functions/adapters/registry/index.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { getRollout } from '../../functions/adapters/store/rollouts.ts';
import { saveTrack } from '../../functions/adapters/store/tracks.ts';
import { type ImagePushed, rolloutId } from '../../functions/core/model.ts';
import type { PlanRolloutMessage } from '../../functions/core/ports.ts';
import { parseTrack } from '../../functions/core/tracks/parse.ts';
import { createEcrEventHandler } from '../../functions/handlers/ecr-event.ts';
import { createImagePushHandler } from '../../functions/handlers/image-push.ts';
import { createWebhookHandler } from '../../functions/handlers/webhook.ts';
import { startTestTable, type TestTable } from '../support/dynalite.ts';
import {
  OciLayout,
  RecordingQueue,
  skopeoDigest,
  skopeoPush,
  startRegistry,
  type TestRegistry,
} from '../support/registry.ts';
import { authenticEvent, fixture, testConfig } from './webhook-support.ts';

const ECR_HOST = '210987654321.dkr.ecr.eu-central-1.amazonaws.com';

let table: TestTable;
let registry: TestRegistry;
let layout: OciLayout;
let digest: string;
let imageQueue: RecordingQueue<ImagePushed>;
let planQueue: RecordingQueue<PlanRolloutMessage>;

function ecrEvent(id: string, overrides: Record<string, unknown> = {}): EventBridgeEvent<string, unknown> {
  const event = JSON.parse(fixture('ecr/push.json').toString());
  return { ...event, id, detail: { ...event.detail, 'image-digest': digest, ...overrides } };
}

async function runImagePush(bodies: ImagePushed[]) {
  const handler = createImagePushHandler({
    stores: dynamoStores({ doc: table.doc, tableName: table.tableName }),
    resolver: createTagResolver(
      staticCredentials({ registries: { [ECR_HOST]: { endpoint: registry.url, api: 'oci' } } }),
    ),
    planQueue,
    log: () => undefined,
  });
  const event = {
    Records: bodies.map((body, i) => ({ messageId: `m${i}`, body: JSON.stringify(body) })),
  } as unknown as SQSEvent;
  return handler(event, {} as Context);
}

beforeAll(async () => {
  table = await startTestTable();
  registry = await startRegistry();
  layout = new OciLayout();
  layout.tag('prod', layout.multiArch('ecr-build'));
  await skopeoPush(layout, 'prod', `${registry.host}/fleet/rhcos-layered:prod`);
  digest = await skopeoDigest(`${registry.host}/fleet/rhcos-layered:prod`);
  await saveTrack(
    { doc: table.doc, tableName: table.tableName },
    parseTrack({ name: 'ecr-prod', image: `${ECR_HOST}/fleet/rhcos-layered:prod` }, 'test'),
  );
});
afterAll(async () => {
  await registry?.stop();
  await table?.close();
  layout?.remove();
});
beforeEach(() => {
  imageQueue = new RecordingQueue();
  planQueue = new RecordingQueue();
});

describe('ecr-event', () => {
  it('enqueues a successful tagged push and drops noise and malformed events', async () => {
    const handle = createEcrEventHandler({
      imageQueue,
      allowedAccounts: ['210987654321'],
      log: () => undefined,
    });

    const pushed = await handle(ecrEvent('e-1'));
    const untagged = await handle(ecrEvent('e-2', { 'image-tag': undefined }));
    const deleted = await handle(ecrEvent('e-3', { 'action-type': 'DELETE' }));
    const failed = await handle(ecrEvent('e-4', { result: 'FAILED' }));
    const malformed = await handle({ id: 'e-5', source: 'aws.ecr' } as EventBridgeEvent<string, unknown>);
    const foreign = await handle({ ...ecrEvent('e-6'), account: '123456789012' });

    expect(pushed.outcome).toBe('enqueued');
    expect([untagged, deleted, failed].map((o) => o.outcome)).toEqual(['ignored', 'ignored', 'ignored']);
    expect(malformed.outcome).toBe('rejected');
    expect(foreign.outcome).toBe('rejected');
    expect(imageQueue.bodies).toEqual([
      expect.objectContaining({
        source: 'ecr',
        host: ECR_HOST,
        repository: 'fleet/rhcos-layered',
        tag: 'prod',
        digestHint: digest,
        eventId: 'e-1',
      }),
    ]);
  });

  it('starts one rollout when the same push arrives through EventBridge and the webhook', async () => {
    // Prepare: the Lambda target and an API destination both deliver the push (EventBridge also retries).
    const ledger = dynamoStores({ doc: table.doc, tableName: table.tableName }).deliveries;
    const fromEventBridge = createEcrEventHandler({ imageQueue, deliveries: ledger, log: () => undefined });
    const webhook = createWebhookHandler({
      log: () => undefined,
      config: testConfig,
      imageQueue,
      deliveries: ledger,
    });

    // Act
    const first = await fromEventBridge(ecrEvent('dup-1'));
    const retried = await fromEventBridge(ecrEvent('dup-1'));
    const viaWebhook = await webhook(authenticEvent('ecr', JSON.stringify(ecrEvent('dup-2'))));
    const result = await runImagePush(imageQueue.bodies);

    // Assess
    expect(first.outcome).toBe('enqueued');
    expect(retried).toEqual({ outcome: 'ignored', reason: 'replayed' });
    expect(viaWebhook.statusCode).toBe(202);
    expect(imageQueue.sent).toHaveLength(2);
    expect(result.batchItemFailures).toEqual([]);
    expect(planQueue.bodies).toEqual([{ rolloutId: rolloutId('ecr-prod', digest) }]);
    const rollout = await getRollout(
      { doc: table.doc, tableName: table.tableName },
      rolloutId('ecr-prod', digest),
    );
    expect(rollout?.image).toEqual({ host: ECR_HOST, repository: 'fleet/rhcos-layered', digest });
    expect(rollout?.cause).toBe('ecr');
  });

  it('trusts the registry over a wrong digest hint', async () => {
    const forgedHint = `sha256:${'ab'.repeat(32)}`;
    const handle = createEcrEventHandler({ imageQueue, log: () => undefined });
    await handle(ecrEvent('hint-1', { 'image-digest': forgedHint, 'image-tag': 'prod' }));

    await runImagePush(imageQueue.bodies);

    const store = { doc: table.doc, tableName: table.tableName };
    expect(await getRollout(store, rolloutId('ecr-prod', forgedHint))).toBeNull();
    expect(await getRollout(store, rolloutId('ecr-prod', digest))).not.toBeNull();
    expect(planQueue.bodies.every((b) => b.rolloutId === rolloutId('ecr-prod', digest))).toBe(true);
  });
});
