/**
 * Ingress items (docs/store.md): image tracks (`TRACK#<name>`, found by image through gsi1 and listed
 * through gsi2), webhook delivery ids (replay protection) and resolved-push keys (de-duplication), the
 * last two with a `ttl`. Every write is a single-item conditional write.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Track } from '../../core/model.ts';
import { VersionConflictError } from '../../core/retry.ts';
import type { DeliveryClaims, PushClaims, StoredTrack, TrackStore } from '../../core/stores.ts';
import { followedImageKey } from '../../core/tracks/match.ts';
import { isConditionFailed, type StoreContext } from './context.ts';
import { queryAll } from './query.ts';

/** Primary key of a track. */
export function trackKey(name: string): { pk: string; sk: string } {
  return { pk: `TRACK#${name}`, sk: 'META' };
}

/** gsi1 partition of the tracks following an image. */
export function imageIndexKey(image: Track['image']): string {
  return `IMAGE#${followedImageKey(image)}`;
}

function toTrack(item: Record<string, unknown>): StoredTrack {
  return {
    track: {
      name: item.name,
      image: item.image,
      targets: item.targets,
      strategy: item.strategy,
      ...(typeof item.baseImageLabel === 'string' ? { baseImageLabel: item.baseImageLabel } : {}),
      ...(item.build !== undefined ? { build: item.build } : {}),
    } as Track,
    version: item.version as number,
  };
}

/**
 * Creates a track, or replaces it when `expectedVersion` is its stored version.
 * @throws VersionConflictError when the track exists and `expectedVersion` is not given or is stale, or
 *   when `expectedVersion` is given and the track no longer exists.
 */
export async function saveTrack(
  store: StoreContext,
  track: Track,
  expectedVersion?: number,
): Promise<StoredTrack> {
  const version = (expectedVersion ?? 0) + 1;
  const item = {
    ...trackKey(track.name),
    type: 'Track',
    gsi1pk: imageIndexKey(track.image),
    gsi1sk: `TRACK#${track.name}`,
    gsi2pk: 'TRACKS',
    gsi2sk: track.name,
    name: track.name,
    image: track.image,
    targets: track.targets,
    strategy: track.strategy,
    ...(track.baseImageLabel !== undefined ? { baseImageLabel: track.baseImageLabel } : {}),
    ...(track.build !== undefined ? { build: track.build } : {}),
    version,
  };
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: item,
        ...(expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': 'version' },
              ExpressionAttributeValues: { ':v': expectedVersion },
            }),
      }),
    );
  } catch (error) {
    if (isConditionFailed(error)) {
      throw new VersionConflictError(
        expectedVersion === undefined
          ? `track "${track.name}" already exists`
          : `track "${track.name}" changed since version ${expectedVersion}`,
      );
    }
    throw error;
  }
  return { track, version };
}

/** Reads a track, or `null`. */
export async function getTrack(store: StoreContext, name: string): Promise<StoredTrack | null> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: trackKey(name), ConsistentRead: true }),
  );
  return out.Item ? toTrack(out.Item) : null;
}

/** Deletes a track if it exists; returns whether it did. */
export async function deleteTrack(store: StoreContext, name: string): Promise<boolean> {
  const out = await store.doc.send(
    new DeleteCommand({ TableName: store.tableName, Key: trackKey(name), ReturnValues: 'ALL_OLD' }),
  );
  return out.Attributes !== undefined;
}

/** All tracks, by name. */
export async function listTracks(store: StoreContext): Promise<Track[]> {
  return (await queryAll(store, { index: 'gsi2', partition: 'TRACKS' })).map((i) => toTrack(i).track);
}

/** The tracks following `host/repository:tag` (canonical spelling). */
export async function findTracksForImage(store: StoreContext, image: Track['image']): Promise<Track[]> {
  return (await queryAll(store, { index: 'gsi1', partition: imageIndexKey(image) })).map(
    (i) => toTrack(i).track,
  );
}

async function claim(store: StoreContext, pk: string, type: string, ttlSeconds: number, now: Date) {
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          pk,
          sk: 'META',
          type,
          createdAt: now.toISOString(),
          ttl: Math.floor(now.getTime() / 1000) + ttlSeconds,
        },
        // An expired key that TTL has not deleted yet does not count (TTL deletion lags by up to days).
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

async function release(store: StoreContext, pk: string): Promise<void> {
  await store.doc.send(new DeleteCommand({ TableName: store.tableName, Key: { pk, sk: 'META' } }));
}

/** Primary key of a remembered webhook delivery. */
export function deliveryKey(source: string, deliveryId: string): string {
  return `DELIVERY#${source}#${deliveryId}`;
}

/** Remembers a delivery id; `false` when it was already seen within its window (a replay). */
export function claimDelivery(
  store: StoreContext,
  source: string,
  deliveryId: string,
  ttlSeconds: number,
  now = new Date(),
): Promise<boolean> {
  return claim(store, deliveryKey(source, deliveryId), 'Delivery', ttlSeconds, now);
}

/** Forgets a delivery id (its processing failed, so the sender's retry must be accepted). */
export function releaseDelivery(store: StoreContext, source: string, deliveryId: string): Promise<void> {
  return release(store, deliveryKey(source, deliveryId));
}

/** Primary key of a processed push; `key` is `pushKey()` from core/tracks. */
export function pushClaimKey(key: string): string {
  return `PUSH#${key}`;
}

/** Marks a resolved push as processed; `false` when it already was (a duplicate delivery). */
export function claimPush(
  store: StoreContext,
  key: string,
  ttlSeconds: number,
  now = new Date(),
): Promise<boolean> {
  return claim(store, pushClaimKey(key), 'Push', ttlSeconds, now);
}

/** Forgets a processed push (processing failed half-way, so the retry must run again). */
export function releasePush(store: StoreContext, key: string): Promise<void> {
  return release(store, pushClaimKey(key));
}

/** The track store port (core/stores.ts) on one table. */
export function trackStore(store: StoreContext): TrackStore {
  return {
    saveTrack: (track, expected) => saveTrack(store, track, expected),
    getTrack: (name) => getTrack(store, name),
    deleteTrack: (name) => deleteTrack(store, name),
    listTracks: () => listTracks(store),
    findTracksForImage: (image) => findTracksForImage(store, image),
  };
}

/** Delivery claims (core/stores.ts) on one table: `DELIVERY#<source>#<id>` items with a ttl. */
export function deliveryClaims(store: StoreContext): DeliveryClaims {
  return {
    claim: (source, id, ttl) => claimDelivery(store, source, id, ttl),
    release: (source, id) => releaseDelivery(store, source, id),
  };
}

/** Push claims (core/stores.ts) on one table: `PUSH#<key>` items with a ttl. */
export function pushClaims(store: StoreContext): PushClaims {
  return {
    claimPush: (key, ttl, now) => claimPush(store, key, ttl, now),
    releasePush: (key) => releasePush(store, key),
  };
}
