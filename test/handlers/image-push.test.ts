/** image-push on its own: resolution failures, invalid messages, and recovery after a failure half-way. */
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushFailure } from '../../bin/views/checks.ts';
import { OciRegistryClient, staticCredentials } from '../../functions/adapters/registry/index.ts';
import { getTrackCheck } from '../../functions/adapters/store/checks.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { getRollout } from '../../functions/adapters/store/rollouts.ts';
import { saveTrack } from '../../functions/adapters/store/tracks.ts';
import { type ImagePushed, rolloutId } from '../../functions/core/model.ts';
import type { MessageQueue, PlanRolloutMessage } from '../../functions/core/ports.ts';
import { parseTrack } from '../../functions/core/tracks/parse.ts';
import {
  createImagePushHandler,
  type ImagePushDeps,
  processImagePush,
} from '../../functions/handlers/image-push.ts';
import { startTestTable, type TestTable } from '../support/dynalite.ts';
import {
  type FaultProxy,
  OciLayout,
  RecordingQueue,
  skopeoDigest,
  skopeoPush,
  startFaultProxy,
  startRegistry,
  type TestRegistry,
} from '../support/registry.ts';

let table: TestTable;
let registry: TestRegistry;
let layout: OciLayout;
let digest: string;
let proxy: FaultProxy;
const FLAKY = 'flaky.registry.test:5000';
const logged: Record<string, unknown>[] = [];

/** A plan queue that is down: every send fails. */
class UnavailableQueue implements MessageQueue<PlanRolloutMessage> {
  async send(): Promise<void> {
    throw new Error('plan queue unavailable');
  }
}

const push = (over: Partial<ImagePushed> = {}): ImagePushed => ({
  source: 'quay',
  host: registry.host,
  repository: 'acme/node',
  tag: 'stable',
  digestHint: null,
  eventId: null,
  receivedAt: '2026-03-01T00:00:00.000Z',
  ...over,
});

function deps(planQueue: MessageQueue<PlanRolloutMessage>): ImagePushDeps {
  return {
    stores: dynamoStores({ doc: table.doc, tableName: table.tableName }),
    resolver: new OciRegistryClient({
      credentials: staticCredentials({
        registries: { 'down.test': { endpoint: 'http://127.0.0.1:1' }, [FLAKY]: { endpoint: proxy.url } },
      }),
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    }),
    planQueue,
    log: (entry) => logged.push(entry as Record<string, unknown>),
  };
}

beforeAll(async () => {
  table = await startTestTable();
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.url);
  layout = new OciLayout();
  layout.tag('stable', layout.image('image-push-unit'));
  await skopeoPush(layout, 'stable', `${registry.host}/acme/node:stable`);
  digest = await skopeoDigest(`${registry.host}/acme/node:stable`);
  await saveTrack(
    { doc: table.doc, tableName: table.tableName },
    parseTrack({ name: 'node-stable', image: `${registry.host}/acme/node:stable` }, 'test'),
  );
});
afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
  await table?.close();
  layout?.remove();
});

describe('image-push', () => {
  it('drops a message that is not an ImagePushed, naming the field', async () => {
    const planQueue = new RecordingQueue<PlanRolloutMessage>();
    const outcome = await processImagePush(deps(planQueue), { ...push(), tag: 7 });
    expect(outcome).toEqual({ outcome: 'invalid', reason: expect.stringContaining('tag') });
    expect(planQueue.sent).toHaveLength(0);
  });

  it('drops a push whose tag the registry does not know', async () => {
    const planQueue = new RecordingQueue<PlanRolloutMessage>();
    const outcome = await processImagePush(deps(planQueue), push({ tag: 'gone' }));
    expect(outcome.outcome).toBe('tag-not-found');
    expect(planQueue.sent).toHaveLength(0);
  });

  it('reports an unreachable registry as a batch item failure, to be retried', async () => {
    const handler = createImagePushHandler(deps(new RecordingQueue()));
    const event = {
      Records: [
        { messageId: 'down-1', body: JSON.stringify(push({ host: 'down.test' })) },
        { messageId: 'bad-json', body: '{not json' },
      ],
    } as unknown as SQSEvent;
    const response = await handler(event, {} as Context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'down-1' }]);
  });

  it('recovers when the plan queue fails after the rollout was created', async () => {
    // Act: the first attempt creates the rollout, then cannot send the plan message.
    await expect(processImagePush(deps(new UnavailableQueue()), push())).rejects.toThrow(
      'plan queue unavailable',
    );
    const planQueue = new RecordingQueue<PlanRolloutMessage>();
    const retried = await processImagePush(deps(planQueue), push());
    const again = await processImagePush(deps(planQueue), push());

    // Assess: the retry was not taken for a duplicate and sent the plan message; the next one was.
    const store = { doc: table.doc, tableName: table.tableName };
    expect(retried).toEqual({ outcome: 'processed', digest, tracks: ['node-stable'], created: [] });
    expect(again).toEqual({ outcome: 'duplicate', digest });
    expect(planQueue.bodies).toEqual([{ rolloutId: rolloutId('node-stable', digest) }]);
    expect((await getRollout(store, rolloutId('node-stable', digest)))?.status).toBe('Pending');
  });

  it('records a push the registry refuses (500) at once on the following track, and clears it on success', async () => {
    // Prepare: a track following the image through a registry that answers 500 for a while.
    const store = { doc: table.doc, tableName: table.tableName };
    await saveTrack(store, parseTrack({ name: 'flaky', image: `${FLAKY}/acme/node:stable` }, 'test'));
    proxy.faults.failStatus = 500;
    proxy.faults.failNext = 100;
    const planQueue = new RecordingQueue<PlanRolloutMessage>();
    // Act
    const failed = processImagePush(deps(planQueue), push({ host: FLAKY }));
    // Assess: retried by the queue (it throws), and visible now: logged and on the track's check.
    await expect(failed).rejects.toThrow(/500/);
    const check = await getTrackCheck(store, 'flaky');
    expect(check?.pushError).toMatch(/500/);
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'push resolution failed', tag: 'stable' }),
    );
    expect(pushFailure(check!, new Date())).toMatch(/^push resolution failing: .*500.* ago\)$/);
    expect(planQueue.sent).toHaveLength(0);

    // Act: the registry answers again; the queue's retry resolves the push.
    proxy.faults.failNext = 0;
    const retried = await processImagePush(deps(planQueue), push({ host: FLAKY }));
    // Assess
    expect(retried.outcome).toBe('processed');
    const after = await getTrackCheck(store, 'flaky');
    expect(after?.pushError).toBeNull();
    expect(pushFailure(after!, new Date())).toBeNull();
  });
});
