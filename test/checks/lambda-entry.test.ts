/**
 * The Lambda entry points, built from the environment as on AWS (TABLE_NAME, IMAGE_QUEUE_URL,
 * CHECK_QUEUE_URL, PLAN_QUEUE_URL, SDK endpoints), run by the embedded runtime: the update-check tick and
 * consumer, then image-push, roll out a tag moved on a real registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTrackCheck } from '../../functions/adapters/store/checks.ts';
import { listRolloutsByTrack } from '../../functions/adapters/store/rollouts.ts';
import { saveTrack } from '../../functions/adapters/store/tracks.ts';
import { parseTrack } from '../../functions/core/tracks/parse.ts';
import { handler as imagePush } from '../../functions/handlers/image-push.ts';
import { handler as updateCheck } from '../../functions/handlers/update-check.ts';
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

beforeAll(async () => {
  registry = await startRegistry();
  layout = new OciLayout();
  runtime = await startRuntime({
    exportEnvironment: true,
    updateCheckIntervalSeconds: 1,
    waitTimeSeconds: 1,
    handlers: { 'update-check': updateCheck, 'image-push': imagePush },
  });
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  await registry?.stop();
  layout?.remove();
});

describe('update-check as a Lambda entry point', { timeout: 60_000 }, () => {
  it('checks on its tick and hands a moved tag to image-push', async () => {
    // Prepare
    const store = runtime.context.store;
    expect(runtime.context.environment.CHECK_QUEUE_URL).toBe(runtime.context.queueAddresses.check.url);
    layout.tag('v1', annotatedImage(layout, 'entry-v1'));
    await skopeoPush(layout, 'v1', `${registry.host}/acme/entry:prod`);
    await saveTrack(store, parseTrack({ name: 'entry', image: `${registry.host}/acme/entry:prod` }, 'test'));
    await eventually('the first check', async () => (await getTrackCheck(store, 'entry'))?.lastDigest);
    // Act
    layout.tag('v2', annotatedImage(layout, 'entry-v2'));
    await skopeoPush(layout, 'v2', `${registry.host}/acme/entry:prod`);
    const v2 = await skopeoDigest(`${registry.host}/acme/entry:prod`);
    // Assess
    const rollouts = await eventually('the rollout of v2', async () => {
      const found = await listRolloutsByTrack(store, 'entry');
      return found.length > 0 ? found : undefined;
    });
    expect(rollouts.map((r) => [r.image.digest, r.cause])).toEqual([[v2, 'update-check']]);
  });
});
