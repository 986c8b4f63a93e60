/**
 * The cluster registry: `CLUSTER#<id>` / `META` (docs/store.md), the items of core/clusters.ts's
 * ClusterRecord.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ClusterRecord } from '../../core/clusters.ts';
import type { ClusterLookup } from '../../core/stores.ts';
import type { StoreContext } from './context.ts';
import { queryAll } from './query.ts';
import { putIfAbsent, putIfVersion, withoutKeys } from './versioned.ts';

/** Key of a cluster item. */
export function clusterKey(id: string): { pk: string; sk: string } {
  return { pk: `CLUSTER#${id}`, sk: 'META' };
}

function toItem(c: ClusterRecord): Record<string, unknown> {
  return { ...clusterKey(c.id), type: 'Cluster', gsi2pk: 'CLUSTERS', gsi2sk: c.id, ...c };
}

/** Registers a cluster unless one with the id exists. @returns whether it was created. */
export async function registerCluster(store: StoreContext, c: ClusterRecord): Promise<boolean> {
  return putIfAbsent(store, toItem({ ...c, version: 1 }));
}

/** Replaces a cluster's registration if still at `expectedVersion`. */
export async function updateCluster(
  store: StoreContext,
  c: ClusterRecord,
  expectedVersion: number,
): Promise<void> {
  await putIfVersion(store, toItem(c), expectedVersion, `cluster ${c.id}`);
}

/** Reads a cluster, or null. */
export async function getCluster(store: StoreContext, id: string): Promise<ClusterRecord | null> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: clusterKey(id), ConsistentRead: true }),
  );
  return out.Item ? withoutKeys<ClusterRecord>(out.Item) : null;
}

/** All registered clusters, by id (index gsi2). */
export async function listClusters(store: StoreContext): Promise<ClusterRecord[]> {
  const items = await queryAll(store, { index: 'gsi2', partition: 'CLUSTERS' });
  return items.map((item) => withoutKeys<ClusterRecord>(item));
}

/**
 * Cluster registrations read through a per-process cache (they change rarely; events are frequent), each
 * kept `ttlSeconds` (0: always read). A changed registration (labels, windows, pools) is seen at most that
 * much later.
 */
export function createClusterCache(store: StoreContext, ttlSeconds = 5): ClusterLookup {
  const entries = new Map<string, { at: number; record: ClusterRecord | null }>();
  return {
    async get(id) {
      const hit = entries.get(id);
      if (hit && Date.now() - hit.at < ttlSeconds * 1000) return hit.record;
      const record = await getCluster(store, id);
      entries.set(id, { at: Date.now(), record });
      return record;
    },
  };
}
