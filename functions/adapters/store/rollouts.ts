/**
 * Rollout items (docs/store.md): `ROLLOUT#<id>` / `META`. Creation is idempotent by key; every update is
 * conditional on `version`.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RolloutRecord } from '../../core/model.ts';
import { retryOnConflict } from '../../core/retry.ts';
import type { RolloutStore } from '../../core/stores.ts';
import { isConditionFailed, type StoreContext } from './context.ts';
import { queryAll } from './query.ts';
import { putIfVersion } from './versioned.ts';

/** Partition key of a rollout. */
export function rolloutKey(id: string): { pk: string; sk: string } {
  return { pk: `ROLLOUT#${id}`, sk: 'META' };
}

function toItem(record: RolloutRecord): Record<string, unknown> {
  return {
    ...rolloutKey(record.id),
    type: 'Rollout',
    gsi1pk: `TRACK#${record.track}`,
    gsi1sk: `ROLLOUT#${record.createdAt}`,
    gsi2pk: 'ROLLOUTS',
    gsi2sk: record.createdAt,
    ...record,
  };
}

function fromItem(item: Record<string, unknown>): RolloutRecord {
  const { pk: _pk, sk: _sk, type: _type, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...rest } = item;
  return rest as unknown as RolloutRecord;
}

/**
 * Creates a rollout unless one with the same id already exists (conditional put). The id is
 * `rolloutId(track, digest)`, so a repeated start for one (track, digest) is a no-op.
 * @returns `{ created: true }` when this call created it, `{ created: false }` when it already existed.
 */
export async function createRollout(
  store: StoreContext,
  record: RolloutRecord,
): Promise<{ created: boolean }> {
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: toItem({ ...record, version: record.version || 1 }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { created: true };
  } catch (error) {
    if (isConditionFailed(error)) return { created: false };
    throw error;
  }
}

/** Reads a rollout (strongly consistent), or `null` when there is none with this id. */
export async function getRollout(store: StoreContext, id: string): Promise<RolloutRecord | null> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: rolloutKey(id), ConsistentRead: true }),
  );
  return out.Item ? fromItem(out.Item) : null;
}

/**
 * Replaces a rollout if its stored version is still `expected.version`; the written item has version + 1.
 * @throws VersionConflictError when another writer got there first.
 */
export async function putRolloutIfVersion(
  store: StoreContext,
  next: RolloutRecord,
  expectedVersion: number,
): Promise<RolloutRecord> {
  await putIfVersion(store, toItem(next), expectedVersion, `rollout ${next.id}`);
  return { ...next, version: expectedVersion + 1 };
}

/** Rollouts of one track, oldest first (index gsi1). */
export async function listRolloutsByTrack(store: StoreContext, track: string): Promise<RolloutRecord[]> {
  const items = await queryAll(store, { index: 'gsi1', partition: `TRACK#${track}`, sortPrefix: 'ROLLOUT#' });
  return items.map((item) => fromItem(item));
}

/** All rollouts, oldest first (index gsi2). */
export async function listRollouts(store: StoreContext): Promise<RolloutRecord[]> {
  const items = await queryAll(store, { index: 'gsi2', partition: 'ROLLOUTS' });
  return items.map((item) => fromItem(item));
}

/** The rollout store port (core/stores.ts) on one table. */
export function createRolloutStore(store: StoreContext): RolloutStore {
  return {
    createRollout: (record) => createRollout(store, record),
    getRollout: (id) => getRollout(store, id),
    putRolloutIfVersion: (next, expected) => putRolloutIfVersion(store, next, expected),
    updateRollout: (id, change) =>
      retryOnConflict(`rollout ${id}`, async () => {
        const current = await getRollout(store, id);
        const next = change(current);
        return current && next ? putRolloutIfVersion(store, next, current.version) : null;
      }),
    listRolloutsByTrack: (track) => listRolloutsByTrack(store, track),
    listRollouts: () => listRollouts(store),
  };
}
