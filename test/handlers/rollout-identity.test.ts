/**
 * Rollout identity through image-push (a real registry, the table on dynalite): a digest whose first 12 hex
 * digits equal an earlier digest's gets its own rollout; a tag moved back to an earlier digest is rolled out
 * again (a new rollout, the cause recorded) unless the fleet already runs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciRegistryClient, staticCredentials } from '../../functions/adapters/registry/index.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import {
  createRollout,
  getRollout,
  listRolloutsByTrack,
  putRolloutIfVersion,
} from '../../functions/adapters/store/rollouts.ts';
import { saveTrack } from '../../functions/adapters/store/tracks.ts';
import { type ImagePushed, type RolloutRecord, rolloutId } from '../../functions/core/model.ts';
import type { PlanRolloutMessage } from '../../functions/core/ports.ts';
import { parseTrack } from '../../functions/core/tracks/parse.ts';
import { type ImagePushDeps, processImagePush } from '../../functions/handlers/image-push.ts';
import { startTestTable, type TestTable } from '../support/dynalite.ts';
import {
  OciLayout,
  RecordingQueue,
  skopeoDigest,
  skopeoPush,
  startRegistry,
  type TestRegistry,
} from '../support/registry.ts';

let table: TestTable;
let registry: TestRegistry;
let layout: OciLayout;
const store = () => ({ doc: table.doc, tableName: table.tableName });
let clock = Date.parse('2026-03-01T00:00:00Z');

function deps(planQueue: RecordingQueue<PlanRolloutMessage>): ImagePushDeps {
  return {
    stores: dynamoStores(store()),
    resolver: new OciRegistryClient({ credentials: staticCredentials({ registries: {} }) }),
    planQueue,
    // Every call a second later: rollouts are ordered by creation time.
    now: () => {
      clock += 1000;
      return new Date(clock);
    },
    log: () => undefined,
  };
}

const push = (repository: string): ImagePushed => ({
  source: 'quay',
  host: registry.host,
  repository,
  tag: 'stable',
  digestHint: null,
  eventId: null,
  receivedAt: '2026-03-01T00:00:00.000Z',
});

/** Points `repository:stable` at the image labelled `label`; returns its digest. */
async function moveTag(repository: string, label: string): Promise<string> {
  layout.tag(label, layout.image(label));
  await skopeoPush(layout, label, `${registry.host}/${repository}:stable`);
  return skopeoDigest(`${registry.host}/${repository}:stable`);
}

/** Sets a rollout's status (and the clusters it activated), as the planner would. */
async function settle(id: string, status: RolloutRecord['status'], activated: string[]) {
  const current = (await getRollout(store(), id))!;
  const progress = { waves: [], wave: 0, waveCompletedAt: null, activated, completed: activated };
  await putRolloutIfVersion(store(), { ...current, status, progress }, current.version);
}

async function followedBy(track: string, repository: string) {
  await saveTrack(
    store(),
    parseTrack({ name: track, image: `${registry.host}/${repository}:stable` }, 'test'),
  );
}

beforeAll(async () => {
  table = await startTestTable();
  registry = await startRegistry();
  layout = new OciLayout();
});
afterAll(async () => {
  await registry?.stop();
  await table?.close();
  layout?.remove();
});

describe('rollout identity', () => {
  it('gives a digest sharing its first 12 hex digits with an earlier one its own rollout', async () => {
    // Prepare: the track's earlier rollout is of a digest with the same 12 first digits as the new one.
    await followedBy('collide', 'acme/collide');
    const digest = await moveTag('acme/collide', 'collide-b');
    const twin = `sha256:${digest.slice(7, 19)}${'0'.repeat(52)}`;
    const earlier = parseTrack({ name: 'collide', image: `${registry.host}/acme/collide:stable` }, 'test');
    await createRollout(store(), {
      id: rolloutId('collide', twin),
      track: 'collide',
      image: { host: registry.host, repository: 'acme/collide', digest: twin },
      strategy: earlier.strategy,
      targets: earlier.targets,
      status: 'Completed',
      cause: 'quay',
      createdAt: '2026-02-01T00:00:00.000Z',
      version: 1,
    });
    const planQueue = new RecordingQueue<PlanRolloutMessage>();
    // Act
    const outcome = await processImagePush(deps(planQueue), push('acme/collide'));
    // Assess
    const id = `${rolloutId('collide', digest)}-2`;
    expect(rolloutId('collide', digest)).toBe(rolloutId('collide', twin));
    expect(outcome).toMatchObject({ outcome: 'processed', created: [id] });
    expect((await getRollout(store(), id))?.image.digest).toBe(digest);
    expect((await getRollout(store(), rolloutId('collide', twin)))?.image.digest).toBe(twin);
    expect(planQueue.bodies).toEqual([{ rolloutId: id }]);
  });

  it('rolls a tag moved back to an earlier digest out again, recording why', async () => {
    // Prepare: A rolled out and completed, then B started on a cluster.
    await followedBy('back', 'acme/back');
    const planQueue = new RecordingQueue<PlanRolloutMessage>();
    const a = await moveTag('acme/back', 'back-a');
    await processImagePush(deps(planQueue), push('acme/back'));
    await settle(rolloutId('back', a), 'Completed', ['c1']);
    const b = await moveTag('acme/back', 'back-b');
    await processImagePush(deps(planQueue), push('acme/back'));
    await settle(rolloutId('back', b), 'Progressing', ['c1']);
    // Act: the tag moves back to A (a push of A was seen within the de-duplication window).
    await moveTag('acme/back', 'back-a');
    const outcome = await processImagePush(deps(planQueue), push('acme/back'));
    const repeat = await processImagePush(deps(planQueue), push('acme/back'));
    // Assess
    const again = `${rolloutId('back', a)}-2`;
    expect(outcome).toMatchObject({ outcome: 'processed', created: [again] });
    expect(repeat).toEqual({ outcome: 'duplicate', digest: a });
    const record = await getRollout(store(), again);
    expect(record).toMatchObject({ status: 'Pending', image: { digest: a } });
    expect(record?.cause).toBe(`quay; tag moved back from ${b} (earlier rollout ${rolloutId('back', a)})`);
    expect(planQueue.bodies.map((m) => m.rolloutId)).toEqual([
      rolloutId('back', a),
      rolloutId('back', b),
      again,
    ]);
  });

  it('starts nothing when the tag moves back to what the fleet runs (the rollout since changed no node)', async () => {
    // Prepare: A completed; B aborted before it activated a cluster.
    await followedBy('undo', 'acme/undo');
    const planQueue = new RecordingQueue<PlanRolloutMessage>();
    const a = await moveTag('acme/undo', 'undo-a');
    await processImagePush(deps(planQueue), push('acme/undo'));
    await settle(rolloutId('undo', a), 'Completed', ['c1']);
    const b = await moveTag('acme/undo', 'undo-b');
    await processImagePush(deps(planQueue), push('acme/undo'));
    await settle(rolloutId('undo', b), 'Aborted', []);
    // Act
    await moveTag('acme/undo', 'undo-a');
    const outcome = await processImagePush(deps(planQueue), push('acme/undo'));
    // Assess
    expect(outcome).toEqual({ outcome: 'duplicate', digest: a });
    expect((await listRolloutsByTrack(store(), 'undo')).map((r) => r.image.digest)).toEqual([a, b]);
    expect(planQueue.sent).toHaveLength(2);
  });
});
