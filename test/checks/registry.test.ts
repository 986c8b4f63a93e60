/**
 * Update checks on a real registry (Debian's docker-registry, no notifications configured): a tag moved
 * without a webhook starts exactly one rollout through image-push; a re-pushed base marks exactly the
 * tracks built on it stale and publishes one BaseImageUpdated per (track, base digest) to a real webhook
 * receiver; a registry that answers 429/503 is retried, reported on its track, and holds up no other track.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookPublisher } from '../../functions/adapters/events/webhook.ts';
import { createCheckRegistry } from '../../functions/adapters/registry/check-registry.ts';
import { OciRegistryClient, staticCredentials } from '../../functions/adapters/registry/index.ts';
import { getTrackCheck, listBaseEvents } from '../../functions/adapters/store/checks.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { createRollout, listRolloutsByTrack } from '../../functions/adapters/store/rollouts.ts';
import { getTrack, saveTrack } from '../../functions/adapters/store/tracks.ts';
import type { ImagePushed } from '../../functions/core/model.ts';
import type { CheckQueueMessage, PlanRolloutMessage } from '../../functions/core/ports.ts';
import { rolloutForPush } from '../../functions/core/tracks/match.ts';
import { parseTrack } from '../../functions/core/tracks/parse.ts';
import { createImagePushHandler } from '../../functions/handlers/image-push.ts';
import { runCheckTick } from '../../functions/handlers/update-check/tick.ts';
import { createUpdateCheckHandler, type UpdateCheckDeps } from '../../functions/handlers/update-check.ts';
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
import { annotatedImage, type EventReceiver, startEventReceiver } from './support.ts';

/** A second name for the same registry, reached through the fault proxy. */
const FLAKY_HOST = 'flaky.registry.test:5000';

let table: TestTable;
let registry: TestRegistry;
let proxy: FaultProxy;
let layout: OciLayout;
let receiver: EventReceiver;
let deps: UpdateCheckDeps;
const imageQueue = new RecordingQueue<ImagePushed>();
const checkQueue = new RecordingQueue<CheckQueueMessage>();
const planQueue = new RecordingQueue<PlanRolloutMessage>();
let checksConsumed = 0;
let pushesConsumed = 0;
const context = { functionName: 'update-check', awsRequestId: 'local' } as Context;

function sqsEvent(bodies: unknown[], prefix: string): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `${prefix}-${i}`,
      receiptHandle: 'r',
      body: JSON.stringify(body),
      attributes: {} as SQSEvent['Records'][number]['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:check',
      awsRegion: 'us-east-1',
    })),
  };
}

/** One check cycle: the tick, then the check queue's messages as one batch, then image-push on what moved. */
async function cycle(only?: { tracks?: string[] }) {
  const handler = createUpdateCheckHandler(deps);
  if (only) await runCheckTick(deps, only);
  else await handler({ source: 'aws.scheduler' } as never, context);
  const checks = checkQueue.bodies.slice(checksConsumed);
  checksConsumed += checks.length;
  const checkResult = await handler(sqsEvent(checks, `c${checksConsumed}`), context);
  const pushes = imageQueue.bodies.slice(pushesConsumed);
  pushesConsumed += pushes.length;
  const imagePush = createImagePushHandler({
    stores: dynamoStores({ doc: table.doc, tableName: table.tableName }),
    resolver: new OciRegistryClient({ credentials: staticCredentials({ registries: {} }) }),
    planQueue,
    log: () => undefined,
  });
  await imagePush(sqsEvent(pushes, `p${pushesConsumed}`), { ...context, functionName: 'image-push' });
  return { checkResult, pushes };
}

async function push(descriptor: ReturnType<typeof annotatedImage>, repositoryTag: string) {
  const name = `t${Math.random().toString(36).slice(2, 8)}`;
  layout.tag(name, descriptor);
  await skopeoPush(layout, name, `${registry.host}/${repositoryTag}`);
}

async function track(name: string, image: string, baseImageLabel?: string) {
  await saveTrack(table, parseTrack({ name, image, ...(baseImageLabel ? { baseImageLabel } : {}) }, 'test'));
}

beforeAll(async () => {
  table = await startTestTable();
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.url);
  layout = new OciLayout();
  receiver = await startEventReceiver();
  deps = {
    stores: dynamoStores({ doc: table.doc, tableName: table.tableName }),
    ...createCheckRegistry(staticCredentials({ registries: { [FLAKY_HOST]: { endpoint: proxy.url } } }), {
      retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    }),
    imageQueue,
    checkQueue,
    publisher: webhookPublisher({ url: receiver.url }),
    log: () => undefined,
  };
}, 60_000);

afterAll(async () => {
  await receiver?.close();
  await proxy?.close();
  await registry?.stop();
  layout?.remove();
  await table?.close();
});

describe('update checks on a real registry', { timeout: 60_000 }, () => {
  it('rolls a tag moved without any webhook out exactly once, however often the check runs', async () => {
    // Prepare: v1 is out (the track's first check only records it).
    await push(annotatedImage(layout, 'moved-v1'), 'acme/moved:prod');
    await track('moved', `${registry.host}/acme/moved:prod`);
    const first = await cycle({ tracks: ['moved'] });
    expect(first.pushes).toEqual([]);
    // Act: the tag moves; no notification reaches Strata. Two checks run.
    await push(annotatedImage(layout, 'moved-v2'), 'acme/moved:prod');
    const v2 = await skopeoDigest(`${registry.host}/acme/moved:prod`);
    const second = await cycle({ tracks: ['moved'] });
    const third = await cycle({ tracks: ['moved'] });
    // Assess: one update-check push, one rollout of v2, one plan message.
    expect(second.pushes).toMatchObject([
      { source: 'update-check', repository: 'acme/moved', digestHint: v2 },
    ]);
    expect(third.pushes).toEqual([]);
    const rollouts = await listRolloutsByTrack(table, 'moved');
    expect(rollouts.map((r) => [r.image.digest, r.cause])).toEqual([[v2, 'update-check']]);
    expect(planQueue.bodies.filter((m) => m.rolloutId === rollouts[0]!.id)).toHaveLength(1);
    const check = await getTrackCheck(table, 'moved');
    expect(check).toMatchObject({ lastDigest: v2, lastError: null, consecutiveFailures: 0 });
  });

  it('rolls out on its first check a tag that moved since the last rollout of the track (a webhook lost earlier)', async () => {
    // Prepare: the track rolled out v1 before checks began; v2 was pushed and its webhook lost.
    const v1 = annotatedImage(layout, 'early-v1');
    await push(v1, 'acme/early:prod');
    await track('early', `${registry.host}/acme/early:prod`);
    const stored = (await getTrack(table, 'early'))!.track;
    await createRollout(
      table,
      rolloutForPush(
        stored,
        { host: registry.host, repository: 'acme/early', digest: v1.digest },
        'distribution',
        '2026-01-01T00:00:00Z',
      ),
    );
    const v2 = annotatedImage(layout, 'early-v2');
    await push(v2, 'acme/early:prod');
    // Act
    const { pushes } = await cycle({ tracks: ['early'] });
    // Assess
    expect(pushes).toMatchObject([{ source: 'update-check', digestHint: v2.digest }]);
    expect((await listRolloutsByTrack(table, 'early')).map((r) => r.image.digest).sort()).toEqual(
      [v1.digest, v2.digest].sort(),
    );
  });

  it("recovers the lost push of a track's first digest (the tag did not exist when the track was first checked)", async () => {
    // Prepare: the track exists before its tag; the first check finds no tag.
    await track('first', `${registry.host}/acme/first:prod`);
    const before = await cycle({ tracks: ['first'] });
    expect(before.pushes).toEqual([]);
    expect(await getTrackCheck(table, 'first')).toMatchObject({ tagAbsent: true, consecutiveFailures: 1 });
    // Act: the first image is pushed; its webhook was answered 202 and then lost. Two checks run.
    const v1 = annotatedImage(layout, 'first-v1');
    await push(v1, 'acme/first:prod');
    const recovered = await cycle({ tracks: ['first'] });
    const again = await cycle({ tracks: ['first'] });
    // Assess: one push, one rollout of the first digest.
    expect(recovered.pushes).toMatchObject([{ source: 'update-check', digestHint: v1.digest }]);
    expect(again.pushes).toEqual([]);
    expect((await listRolloutsByTrack(table, 'first')).map((r) => r.image.digest)).toEqual([v1.digest]);
  });

  it('recovers a push whose rollout is missing although the check had already seen the digest', async () => {
    // Prepare: v1 rolled out; the check saw v2 (and sent its push), which was lost before image-push.
    const v1 = annotatedImage(layout, 'lost-v1');
    await push(v1, 'acme/lost:prod');
    await track('lost', `${registry.host}/acme/lost:prod`);
    const stored = (await getTrack(table, 'lost'))!.track;
    const image = { host: registry.host, repository: 'acme/lost' };
    await createRollout(
      table,
      rolloutForPush(stored, { ...image, digest: v1.digest }, 'quay', '2026-01-01T00:00:00Z'),
    );
    await cycle({ tracks: ['lost'] });
    const v2 = annotatedImage(layout, 'lost-v2');
    await push(v2, 'acme/lost:prod');
    await runCheckTick(deps, { tracks: ['lost'] });
    const handler = createUpdateCheckHandler(deps);
    const checks = checkQueue.bodies.slice(checksConsumed);
    checksConsumed += checks.length;
    await handler(sqsEvent(checks, 'lost'), context);
    pushesConsumed = imageQueue.bodies.length; // the push is lost
    expect(await getTrackCheck(table, 'lost')).toMatchObject({ lastDigest: v2.digest });
    // Act
    const { pushes } = await cycle({ tracks: ['lost'] });
    // Assess
    expect(pushes).toMatchObject([{ source: 'update-check', digestHint: v2.digest }]);
    expect((await listRolloutsByTrack(table, 'lost')).map((r) => r.image.digest)).toEqual([
      v1.digest,
      v2.digest,
    ]);
  });

  it('marks exactly the tracks built on a re-pushed base stale and publishes one event per track and base digest', async () => {
    // Prepare: base:9 (b1); two layered images built on it (annotations), one on another base, one without.
    const b1 = annotatedImage(layout, 'base-b1');
    await push(b1, 'acme/base:9');
    const other = annotatedImage(layout, 'other-base');
    await push(other, 'acme/otherbase:1');
    const onBase = (label: string, digest: string, base = 'acme/base:9') =>
      annotatedImage(layout, label, {
        annotations: {
          'org.opencontainers.image.base.name': `${registry.host}/${base}`,
          'org.opencontainers.image.base.digest': digest,
        },
      });
    await push(onBase('web-1', b1.digest), 'acme/web:prod');
    // This one names its base in a config label only (no digest: the first check's base digest counts).
    await push(
      annotatedImage(layout, 'db-1', {
        labels: { 'org.opencontainers.image.base.name': `${registry.host}/acme/base:9` },
      }),
      'acme/db:prod',
    );
    // And this one in a label the track names.
    await push(
      annotatedImage(layout, 'api-1', {
        labels: { 'com.acme.base': `${registry.host}/acme/base:9@${b1.digest}` },
      }),
      'acme/api:prod',
    );
    await push(onBase('cache-1', other.digest, 'acme/otherbase:1'), 'acme/cache:prod');
    await push(annotatedImage(layout, 'plain-1'), 'acme/plain:prod');
    const names = ['web', 'db', 'api', 'cache', 'plain'];
    for (const n of names) {
      await track(n, `${registry.host}/acme/${n}:prod`, n === 'api' ? 'com.acme.base' : undefined);
    }
    await cycle({ tracks: names });
    for (const n of names) expect((await getTrackCheck(table, n))?.base?.stale ?? false).toBe(false);
    expect(receiver.bodies).toEqual([]);

    // Act: the base is re-pushed (b2); two checks run.
    const b2 = annotatedImage(layout, 'base-b2');
    await push(b2, 'acme/base:9');
    await cycle({ tracks: names });
    await cycle({ tracks: names });

    // Assess: web and db are stale (since the first check after the push, behind by one); the others not.
    const web = await getTrackCheck(table, 'web');
    expect(web?.base).toMatchObject({
      base: `${registry.host}/acme/base:9`,
      builtOnDigest: b1.digest,
      builtOnFrom: 'image',
      latestDigest: b2.digest,
      stale: true,
      behind: 1,
    });
    expect(web?.base?.staleSince).not.toBeNull();
    expect((await getTrackCheck(table, 'db'))?.base).toMatchObject({
      builtOnFrom: 'observed',
      stale: true,
      latestDigest: b2.digest,
    });
    expect((await getTrackCheck(table, 'api'))?.base).toMatchObject({
      builtOnDigest: b1.digest,
      builtOnFrom: 'image',
      stale: true,
    });
    expect((await getTrackCheck(table, 'cache'))?.base?.stale).toBe(false);
    expect((await getTrackCheck(table, 'plain'))?.base).toBeNull();
    const received = receiver.bodies.map((b) => [b.detail.track, b.detail.baseDigest]).sort();
    expect(received).toEqual([
      ['api', b2.digest],
      ['db', b2.digest],
      ['web', b2.digest],
    ]);
    expect((await listBaseEvents(table)).every((e) => e.published)).toBe(true);

    // And a further base push is one more event per track (one per base digest), behind by two.
    const b3 = annotatedImage(layout, 'base-b3');
    await push(b3, 'acme/base:9');
    await cycle({ tracks: names });
    expect(receiver.bodies.filter((b) => b.detail.baseDigest === b3.digest)).toHaveLength(3);
    expect(receiver.bodies).toHaveLength(6);
    expect((await getTrackCheck(table, 'web'))?.base).toMatchObject({
      behind: 2,
      staleSince: web?.base?.staleSince,
    });

    // A rebuilt image on the current base is current again.
    await push(onBase('web-2', b3.digest), 'acme/web:prod');
    await cycle({ tracks: ['web'] });
    expect((await getTrackCheck(table, 'web'))?.base).toMatchObject({
      stale: false,
      behind: 0,
      staleSince: null,
    });
  });

  it('publishes an event whose webhook failed on the next check, still once', async () => {
    // Prepare: a track on a base that then moves, while the receiver is failing.
    const c1 = annotatedImage(layout, 'c-base-1');
    await push(c1, 'acme/cbase:1');
    await push(
      annotatedImage(layout, 'svc-1', {
        annotations: {
          'org.opencontainers.image.base.name': `${registry.host}/acme/cbase:1`,
          'org.opencontainers.image.base.digest': c1.digest,
        },
      }),
      'acme/svc:prod',
    );
    await track('svc', `${registry.host}/acme/svc:prod`);
    await cycle({ tracks: ['svc'] });
    await push(annotatedImage(layout, 'c-base-2'), 'acme/cbase:1');
    receiver.failNext = 1;
    const before = receiver.bodies.length;
    // Act
    await cycle({ tracks: ['svc'] });
    const failed = await getTrackCheck(table, 'svc');
    await cycle({ tracks: ['svc'] });
    await cycle({ tracks: ['svc'] });
    // Assess
    expect(failed?.baseError).toMatch(/not published yet.*HTTP 503/);
    expect(receiver.bodies.slice(before).map((b) => b.detail.track)).toEqual(['svc']);
    expect((await getTrackCheck(table, 'svc'))?.baseError).toBeNull();
  });

  it('retries a registry answering 429, reports the error on its track, and checks the other tracks', async () => {
    // Prepare: one track behind the fault proxy, one direct.
    await push(annotatedImage(layout, 'flaky-1'), 'acme/flaky:prod');
    await push(annotatedImage(layout, 'steady-1'), 'acme/steady:prod');
    await track('flaky', `${FLAKY_HOST}/acme/flaky:prod`);
    await track('steady', `${registry.host}/acme/steady:prod`);
    await cycle({ tracks: ['flaky', 'steady'] });
    const steadyV2 = annotatedImage(layout, 'steady-2');
    await push(steadyV2, 'acme/steady:prod');
    proxy.faults.failNext = 1000;
    proxy.faults.failStatus = 429;
    proxy.faults.retryAfter = '0';
    const seen = proxy.requests.length;
    // Act
    const { pushes } = await cycle({ tracks: ['flaky', 'steady'] });
    // Assess: three attempts (the retry policy), the error on the track, the other track's move handled.
    expect(proxy.requests.slice(seen).filter((r) => r.startsWith('HEAD'))).toHaveLength(3);
    const flaky = await getTrackCheck(table, 'flaky');
    expect(flaky).toMatchObject({ consecutiveFailures: 1 });
    expect(flaky?.lastError).toMatch(/registry unavailable: HTTP 429 after 3 attempts/);
    expect(flaky?.lastDigest).not.toBeNull();
    expect(pushes.map((p) => p.repository)).toEqual(['acme/steady']);

    // Recovery: the registry answers again; the error is cleared.
    proxy.faults.failNext = 0;
    proxy.faults.failStatus = 503;
    await cycle({ tracks: ['flaky'] });
    expect(await getTrackCheck(table, 'flaky')).toMatchObject({ lastError: null, consecutiveFailures: 0 });
  });

  it('sends an unchanged tag one conditional HEAD per cycle', async () => {
    // Prepare
    await push(annotatedImage(layout, 'quiet-1'), 'acme/quiet:prod');
    await track('quiet', `${FLAKY_HOST}/acme/quiet:prod`);
    await cycle({ tracks: ['quiet'] });
    const seen = proxy.requests.length;
    // Act
    await cycle({ tracks: ['quiet'] });
    await cycle({ tracks: ['quiet'] });
    // Assess: nothing but the HEAD of the tag, once per cycle.
    expect(proxy.requests.slice(seen)).toEqual([
      'HEAD /v2/acme/quiet/manifests/prod',
      'HEAD /v2/acme/quiet/manifests/prod',
    ]);
  });
});
