/**
 * The acceptance path in the embedded runtime: the update-check tick (every second here, every 15 minutes
 * by default), the check queue and its consumer, the image queue and the real image-push consumer, on a
 * registry that sends no notifications. A moved tag is rolled out within one check interval, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logOnlyPublisher } from '../../functions/adapters/events/publisher.ts';
import { createCheckRegistry } from '../../functions/adapters/registry/check-registry.ts';
import { OciRegistryClient, staticCredentials } from '../../functions/adapters/registry/index.ts';
import { getTrackCheck } from '../../functions/adapters/store/checks.ts';
import { listRolloutsByTrack } from '../../functions/adapters/store/rollouts.ts';
import { saveTrack } from '../../functions/adapters/store/tracks.ts';
import { parseTrack } from '../../functions/core/tracks/parse.ts';
import { createImagePushHandler } from '../../functions/handlers/image-push.ts';
import { createUpdateCheckHandler } from '../../functions/handlers/update-check.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { eventually } from '../local/helpers.ts';
import {
  OciLayout,
  skopeoDigest,
  skopeoPush,
  startRegistry,
  type TestRegistry,
} from '../support/registry.ts';
import { annotatedImage } from './support.ts';

let registry: TestRegistry;
let layout: OciLayout;
let runtime: Runtime;
const ticks: number[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  layout = new OciLayout();
  runtime = await startRuntime({
    updateCheckIntervalSeconds: 1,
    waitTimeSeconds: 1,
    handlers: (ctx) => {
      const updateCheck = createUpdateCheckHandler({
        stores: ctx.stores,
        ...createCheckRegistry(staticCredentials({ registries: {} })),
        imageQueue: ctx.queues.image,
        checkQueue: ctx.queues.check,
        publisher: logOnlyPublisher,
        log: (line) => {
          if (line.message === 'update check fanned out') ticks.push(Date.now());
        },
      });
      return {
        'update-check': updateCheck,
        'image-push': createImagePushHandler({
          stores: ctx.stores,
          resolver: new OciRegistryClient({ credentials: staticCredentials({ registries: {} }) }),
          planQueue: ctx.queues.plan,
          log: () => undefined,
        }),
      };
    },
  });
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  await registry?.stop();
  layout?.remove();
});

describe('the update check in the embedded runtime', { timeout: 60_000 }, () => {
  it('rolls a tag moved with notifications off out within one check interval, once', async () => {
    // Prepare: v1 is what the track's first check sees.
    const store = runtime.context.store;
    layout.tag('v1', annotatedImage(layout, 'rt-v1'));
    await skopeoPush(layout, 'v1', `${registry.host}/acme/rt:prod`);
    await saveTrack(store, parseTrack({ name: 'rt', image: `${registry.host}/acme/rt:prod` }, 'test'));
    await eventually(
      'the first check of the track',
      async () => (await getTrackCheck(store, 'rt'))?.lastDigest,
    );

    // Act: the tag moves; no webhook.
    layout.tag('v2', annotatedImage(layout, 'rt-v2'));
    await skopeoPush(layout, 'v2', `${registry.host}/acme/rt:prod`);
    const v2 = await skopeoDigest(`${registry.host}/acme/rt:prod`);
    const pushedAt = Date.now();
    const rollouts = await eventually('a rollout of v2', async () => {
      const found = await listRolloutsByTrack(store, 'rt');
      return found.length > 0 ? found : undefined;
    });
    const ticksBefore = ticks.filter((t) => t > pushedAt).length;
    // Three more check cycles.
    await eventually('three more ticks', () => ticks.filter((t) => t > pushedAt).length >= ticksBefore + 3);

    // Assess: v2 rolled out by the update check, after at most one tick plus its processing; still once.
    expect(rollouts.map((r) => [r.image.digest, r.cause])).toEqual([[v2, 'update-check']]);
    expect(ticksBefore).toBeLessThanOrEqual(2);
    expect(await listRolloutsByTrack(store, 'rt')).toHaveLength(1);
  });
});
