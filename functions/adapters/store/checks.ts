/**
 * Update-check items (docs/store.md): per track the last check (`TRACK#<name>` / `CHECK`), per cluster the
 * drift findings (`CLUSTER#<id>` / `DRIFT`), and per (track, base digest) the BaseImageUpdated event
 * (`BASEEVENT#<id>` / `META`, the local event log and the publish-once claim). Check and drift items are
 * each written by the one check that owns them, conditional on their `version`.
 */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DriftFinding } from '../../core/checks/drift.ts';
import { type ClusterDrift, nextDrift } from '../../core/checks/drift-record.ts';
import type { BaseImageUpdated, LoggedBaseEvent } from '../../core/checks/events.ts';
import type { TrackCheck } from '../../core/checks/track-check.ts';
import { VersionConflictError } from '../../core/retry.ts';
import type { CheckStore } from '../../core/stores.ts';
import { isConditionFailed, type StoreContext } from './context.ts';
import { queryAll } from './query.ts';
import { putIfAbsent, putIfVersion, withoutKeys } from './versioned.ts';

/** Key of a track's check item (next to the track itself). */
export function trackCheckKey(track: string): { pk: string; sk: string } {
  return { pk: `TRACK#${track}`, sk: 'CHECK' };
}

/** Key of a cluster's drift item. */
export function driftKey(clusterId: string): { pk: string; sk: string } {
  return { pk: `CLUSTER#${clusterId}`, sk: 'DRIFT' };
}

/** Key of a BaseImageUpdated event item. */
export function baseEventKey(id: string): { pk: string; sk: string } {
  return { pk: `BASEEVENT#${id}`, sk: 'META' };
}

/** Drift findings of clusters that stop being checked expire after this (deregistered clusters). */
const DRIFT_TTL_SECONDS = 7 * 24 * 3600;
/** The event log keeps events this long. */
const EVENT_TTL_SECONDS = 90 * 24 * 3600;

function epoch(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** The check item of a track, or null before its first check. */
export async function getTrackCheck(store: StoreContext, track: string): Promise<TrackCheck | null> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: trackCheckKey(track), ConsistentRead: true }),
  );
  return out.Item ? withoutKeys<TrackCheck>(out.Item) : null;
}

/**
 * Writes a track's check: creates it when `check.version` is 0, else replaces version `check.version`.
 * @returns false when another check of the same track wrote first (its result stands).
 */
export async function saveTrackCheck(store: StoreContext, check: TrackCheck): Promise<boolean> {
  const item = { ...trackCheckKey(check.track), type: 'TrackCheck', gsi2pk: 'CHECKS', gsi2sk: check.track };
  if (check.version === 0) return putIfAbsent(store, { ...item, ...check, version: 1 });
  try {
    await putIfVersion(store, { ...item, ...check }, check.version, `check of track ${check.track}`);
    return true;
  } catch (error) {
    if (error instanceof VersionConflictError) return false;
    throw error;
  }
}

/** Every track's check item, by track name. */
export async function listTrackChecks(store: StoreContext): Promise<TrackCheck[]> {
  return (await queryGsi2(store, 'CHECKS')).map((i) => withoutKeys<TrackCheck>(i));
}

/** Deletes a track's check item (the track is gone). */
export async function deleteTrackCheck(store: StoreContext, track: string): Promise<void> {
  await store.doc.send(new DeleteCommand({ TableName: store.tableName, Key: trackCheckKey(track) }));
}

/** The drift item of a cluster, or null. */
export async function getClusterDrift(store: StoreContext, clusterId: string): Promise<ClusterDrift | null> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: driftKey(clusterId), ConsistentRead: true }),
  );
  if (!out.Item) return null;
  const { ttl: _ttl, ...rest } = withoutKeys<ClusterDrift & { ttl: number }>(out.Item);
  return rest;
}

/**
 * Replaces a cluster's findings with `findings` (found again: `since` kept; new: `since` = checkedAt;
 * corrected: gone), or, when the check failed (`findings` is an error message), keeps the previous
 * findings and records the error. @returns the stored item, or null when another drift check wrote first.
 */
export async function replaceClusterDrift(
  store: StoreContext,
  clusterId: string,
  findings: DriftFinding[] | { error: string },
  checkedAt: string,
): Promise<ClusterDrift | null> {
  const previous = await getClusterDrift(store, clusterId);
  const drift = nextDrift(previous, clusterId, findings, checkedAt);
  const item = {
    ...driftKey(clusterId),
    type: 'Drift',
    gsi2pk: 'DRIFT',
    gsi2sk: clusterId,
    ttl: epoch(checkedAt) + DRIFT_TTL_SECONDS,
    ...drift,
  };
  if (previous === null) {
    return (await putIfAbsent(store, { ...item, version: 1 })) ? { ...drift, version: 1 } : null;
  }
  try {
    await putIfVersion(store, item, previous.version, `drift of cluster ${clusterId}`);
    return { ...drift, version: previous.version + 1 };
  } catch (error) {
    if (error instanceof VersionConflictError) return null;
    throw error;
  }
}

/** The drift of every checked cluster, by cluster id. */
export async function listClusterDrift(store: StoreContext): Promise<ClusterDrift[]> {
  return (await queryGsi2(store, 'DRIFT')).map((i) => {
    const { ttl: _ttl, ...rest } = withoutKeys<ClusterDrift & { ttl: number }>(i);
    return rest;
  });
}

/**
 * Logs a BaseImageUpdated event unless its id is logged already.
 * @returns `new` (logged now: publish it), `unpublished` (logged earlier but its publish failed or was
 *   interrupted: publish it again) or `published` (nothing to do).
 */
export async function logBaseEvent(
  store: StoreContext,
  event: BaseImageUpdated,
): Promise<'new' | 'unpublished' | 'published'> {
  const created = await putIfAbsent(store, {
    ...baseEventKey(event.id),
    type: 'BaseEvent',
    gsi1pk: `BASEEVENTS#${event.track}`,
    gsi1sk: `${event.detectedAt}#${event.id}`,
    gsi2pk: 'BASEEVENTS',
    gsi2sk: `${event.detectedAt}#${event.id}`,
    ttl: epoch(event.detectedAt) + EVENT_TTL_SECONDS,
    event,
    published: false,
    publishedAt: null,
  });
  if (created) return 'new';
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: baseEventKey(event.id), ConsistentRead: true }),
  );
  return out.Item?.published === true ? 'published' : 'unpublished';
}

/** Marks a logged event as published (conditional: only once). */
export async function markBaseEventPublished(store: StoreContext, id: string, at: string): Promise<void> {
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: baseEventKey(id),
        UpdateExpression: 'SET published = :t, publishedAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND published = :f',
        ExpressionAttributeValues: { ':t': true, ':f': false, ':at': at },
      }),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

/** Logged BaseImageUpdated events, oldest first; of one track when `track` is given. */
export async function listBaseEvents(store: StoreContext, track?: string): Promise<LoggedBaseEvent[]> {
  const items =
    track === undefined
      ? await queryGsi2(store, 'BASEEVENTS')
      : await queryAll(store, { index: 'gsi1', partition: `BASEEVENTS#${track}` });
  return items.map((i) => ({
    event: i.event as BaseImageUpdated,
    published: i.published === true,
    publishedAt: (i.publishedAt as string | null) ?? null,
  }));
}

function queryGsi2(store: StoreContext, key: string): Promise<Record<string, unknown>[]> {
  return queryAll(store, { index: 'gsi2', partition: key });
}

/** The check store port (core/stores.ts) on one table. */
export function checkStore(store: StoreContext): CheckStore {
  return {
    getTrackCheck: (track) => getTrackCheck(store, track),
    saveTrackCheck: (check) => saveTrackCheck(store, check),
    listTrackChecks: () => listTrackChecks(store),
    deleteTrackCheck: (track) => deleteTrackCheck(store, track),
    replaceClusterDrift: (clusterId, findings, at) => replaceClusterDrift(store, clusterId, findings, at),
    listClusterDrift: () => listClusterDrift(store),
    logBaseEvent: (event) => logBaseEvent(store, event),
    markBaseEventPublished: (id, at) => markBaseEventPublished(store, id, at),
  };
}
