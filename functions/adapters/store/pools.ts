/**
 * Pool items: `CLUSTER#<id>` / `POOL#<name>` (docs/store.md). The pool item is the unit of mutual
 * exclusion: its node slots are taken and freed with writes conditional on its `version`, so two
 * reconciles racing on one pool cannot both start a node.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { retryOnConflict } from '../../core/retry.ts';
import type { PoolRecord } from '../../core/rollout/pool-state.ts';
import type { PoolStore } from '../../core/stores.ts';
import type { StoreContext } from './context.ts';
import { type PartitionQuery, queryAll } from './query.ts';
import { putIfAbsent, putIfVersion, withoutKeys } from './versioned.ts';

/** Key of a pool item. */
export function poolKey(clusterId: string, pool: string): { pk: string; sk: string } {
  return { pk: `CLUSTER#${clusterId}`, sk: `POOL#${pool}` };
}

function toItem(p: PoolRecord): Record<string, unknown> {
  return {
    ...poolKey(p.clusterId, p.pool),
    type: 'Pool',
    gsi2pk: 'POOLS',
    gsi2sk: `${p.clusterId}#${p.pool}`,
    ...(p.target ? { gsi1pk: `POOLTARGET#${p.target.rolloutId}`, gsi1sk: `${p.clusterId}#${p.pool}` } : {}),
    ...p,
  };
}

/** Creates a pool unless it exists. @returns whether it was created. */
export async function createPool(store: StoreContext, p: PoolRecord): Promise<boolean> {
  return putIfAbsent(store, toItem({ ...p, version: 1 }));
}

/** Reads a pool (strongly consistent), or null. */
export async function getPool(
  store: StoreContext,
  clusterId: string,
  pool: string,
): Promise<PoolRecord | null> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: poolKey(clusterId, pool), ConsistentRead: true }),
  );
  return out.Item ? withoutKeys<PoolRecord>(out.Item) : null;
}

/**
 * Replaces a pool if it is still at `expected.version`.
 * @returns the written record (version + 1).
 * @throws VersionConflictError when another reconcile changed it first.
 */
export async function putPoolIfVersion(
  store: StoreContext,
  next: PoolRecord,
  expectedVersion: number,
): Promise<PoolRecord> {
  await putIfVersion(store, toItem(next), expectedVersion, `pool ${next.clusterId}/${next.pool}`);
  return { ...next, version: expectedVersion + 1 };
}

async function queryPools(store: StoreContext, query: PartitionQuery): Promise<PoolRecord[]> {
  return (await queryAll(store, query)).map((item) => withoutKeys<PoolRecord>(item));
}

/** The pools of one cluster (strongly consistent; one partition). */
export function listClusterPools(store: StoreContext, clusterId: string): Promise<PoolRecord[]> {
  return queryPools(store, { partition: `CLUSTER#${clusterId}`, sortPrefix: 'POOL#', consistent: true });
}

/** Every pool of the fleet (index gsi2; the resync tick walks it). */
export function listAllPools(store: StoreContext): Promise<PoolRecord[]> {
  return queryPools(store, { index: 'gsi2', partition: 'POOLS' });
}

/** Pools whose target belongs to a rollout (index gsi1; eventually consistent). */
export function listPoolsTargetedBy(store: StoreContext, rolloutId: string): Promise<PoolRecord[]> {
  return queryPools(store, { index: 'gsi1', partition: `POOLTARGET#${rolloutId}` });
}

/** Read-change-write of one pool under optimistic concurrency (core/retry.ts). */
export function updatePool(
  store: StoreContext,
  clusterId: string,
  pool: string,
  change: (current: PoolRecord) => PoolRecord | null,
): Promise<PoolRecord | null> {
  return retryOnConflict(`pool ${clusterId}/${pool}`, async () => {
    const current = await getPool(store, clusterId, pool);
    const next = current && change(current);
    return current && next ? putPoolIfVersion(store, next, current.version) : null;
  });
}

/** The pool store port (core/stores.ts) on one table. */
export function poolStore(store: StoreContext): PoolStore {
  return {
    getPool: (clusterId, pool) => getPool(store, clusterId, pool),
    putPoolIfVersion: (next, expected) => putPoolIfVersion(store, next, expected),
    updatePool: (clusterId, pool, change) => updatePool(store, clusterId, pool, change),
    listClusterPools: (clusterId) => listClusterPools(store, clusterId),
    listAllPools: () => listAllPools(store),
  };
}
