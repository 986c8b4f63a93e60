import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimDelivery,
  claimPush,
  deleteTrack,
  findTracksForImage,
  getTrack,
  listTracks,
  releaseDelivery,
  releasePush,
  saveTrack,
} from '../../../functions/adapters/store/tracks.ts';
import { VersionConflictError } from '../../../functions/core/retry.ts';
import { parseTrack } from '../../../functions/core/tracks/parse.ts';
import { startTestTable, type TestTable } from '../../support/dynalite.ts';

let table: TestTable;
let store: { doc: TestTable['doc']; tableName: string };

beforeAll(async () => {
  table = await startTestTable();
  store = { doc: table.doc, tableName: table.tableName };
});
afterAll(async () => {
  await table.close();
});

describe('track items', () => {
  it('creates, finds by followed image (any spelling of the host), lists and deletes tracks', async () => {
    // Prepare
    const prod = parseTrack({ name: 'hub-prod', image: 'docker.io/acme/os:prod' }, 'test');
    const alias = parseTrack({ name: 'hub-prod-2', image: 'registry-1.docker.io/acme/os:prod' }, 'test');
    const other = parseTrack({ name: 'hub-canary', image: 'acme/os:canary' }, 'test');

    // Act
    for (const track of [prod, alias, other]) await saveTrack(store, track);

    // Assess
    const following = await findTracksForImage(store, {
      host: 'index.docker.io',
      repository: 'acme/os',
      tag: 'prod',
    });
    expect(following.map((t) => t.name).sort()).toEqual(['hub-prod', 'hub-prod-2']);
    expect((await listTracks(store)).map((t) => t.name)).toEqual(['hub-canary', 'hub-prod', 'hub-prod-2']);
    expect(await getTrack(store, 'hub-prod')).toEqual({ track: prod, version: 1 });
    expect(await deleteTrack(store, 'hub-prod-2')).toBe(true);
    expect(await deleteTrack(store, 'hub-prod-2')).toBe(false);
    expect(await getTrack(store, 'hub-prod-2')).toBeNull();
  });

  it('keeps a build definition (a build pass and strata plan --track read it back)', async () => {
    const track = parseTrack(
      {
        name: 'layered',
        image: 'registry.local/acme/layered:prod',
        build: {
          containerfile: 'FROM quay.io/acme/os:stream\nRUN true\n',
          repository: 'registry.local/acme/layered',
          args: { FLAVOUR: 'prod' },
          rebuild: 'approval',
        },
      },
      'test',
    );
    expect(track.build).toBeDefined();
    await saveTrack(store, track);
    expect(await getTrack(store, 'layered')).toEqual({ track, version: 1 });
    expect((await listTracks(store)).find((t) => t.name === 'layered')?.build).toEqual(track.build);
  });

  it('updates only from the current version, and moves the image index with the image', async () => {
    const v1 = await saveTrack(store, parseTrack({ name: 'moving', image: 'quay.io/acme/os:a' }, 'test'));
    const next = parseTrack({ name: 'moving', image: 'quay.io/acme/os:b' }, 'test');

    await expect(saveTrack(store, next)).rejects.toBeInstanceOf(VersionConflictError);
    const v2 = await saveTrack(store, next, v1.version);
    await expect(saveTrack(store, next, v1.version)).rejects.toBeInstanceOf(VersionConflictError);

    expect(v2.version).toBe(2);
    expect(await findTracksForImage(store, { host: 'quay.io', repository: 'acme/os', tag: 'a' })).toEqual([]);
    expect(
      (await findTracksForImage(store, { host: 'quay.io', repository: 'acme/os', tag: 'b' }))[0]?.name,
    ).toBe('moving');
  });
});

describe('delivery and push keys', () => {
  it('claims a delivery id once within its window, again after release or expiry', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    expect(await claimDelivery(store, 'github', 'd-1', 60, t0)).toBe(true);
    expect(await claimDelivery(store, 'github', 'd-1', 60, t0)).toBe(false);
    expect(await claimDelivery(store, 'harbor', 'd-1', 60, t0)).toBe(true);
    await releaseDelivery(store, 'github', 'd-1');
    expect(await claimDelivery(store, 'github', 'd-1', 60, t0)).toBe(true);
    // Past its ttl, an item DynamoDB has not deleted yet no longer counts.
    expect(await claimDelivery(store, 'github', 'd-1', 60, new Date(t0.getTime() + 61_000))).toBe(true);
  });

  it('claims a push key once, again after release', async () => {
    const key = `quay.io/acme/os:prod@sha256:${'0f'.repeat(32)}`;
    expect(await claimPush(store, key, 3600)).toBe(true);
    expect(await claimPush(store, key, 3600)).toBe(false);
    await releasePush(store, key);
    expect(await claimPush(store, key, 3600)).toBe(true);
  });
});
