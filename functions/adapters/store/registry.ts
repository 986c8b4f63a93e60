/**
 * Registering a cluster with its pools: the cluster item plus one pool item per pool, each created only
 * if absent (re-registering is a no-op for what exists); and removing them again.
 */

import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { type ClusterRegistration, validateRegistration } from '../../core/clusters.ts';
import { newPool } from '../../core/rollout/pool-state.ts';
import type { ClusterStore } from '../../core/stores.ts';
import { clusterKey, getCluster, listClusters, registerCluster, updateCluster } from './clusters.ts';
import type { StoreContext } from './context.ts';
import { createPool, poolKey } from './pools.ts';

/**
 * Validates (core/clusters.ts) and registers a cluster and its pools.
 * @throws InvalidPolicyError naming the cluster and field, before anything is written.
 * @returns whether the cluster item was new.
 */
export async function registerClusterWithPools(
  store: StoreContext,
  input: ClusterRegistration,
  now: Date = new Date(),
): Promise<boolean> {
  validateRegistration(input);
  const at = now.toISOString();
  const created = await registerCluster(store, { ...input, registeredAt: at, version: 1 });
  for (const p of input.pools) {
    await createPool(store, newPool(input.id, p.name, p.nodeSelector, at, p.maxUnavailable));
  }
  return created;
}

/** Deletes the pool items named, then the cluster item (pools first: a cluster is never left half-gone). */
export async function unregisterCluster(store: StoreContext, id: string, pools: string[]): Promise<void> {
  for (const pool of pools) {
    await store.doc.send(new DeleteCommand({ TableName: store.tableName, Key: poolKey(id, pool) }));
  }
  await store.doc.send(new DeleteCommand({ TableName: store.tableName, Key: clusterKey(id) }));
}

/** The cluster store port (core/stores.ts) on one table. */
export function clusterStore(store: StoreContext): ClusterStore {
  return {
    getCluster: (id) => getCluster(store, id),
    listClusters: () => listClusters(store),
    registerClusterWithPools: (input, now) => registerClusterWithPools(store, input, now),
    updateCluster: (c, expected) => updateCluster(store, c, expected),
    unregisterCluster: (id, pools) => unregisterCluster(store, id, pools),
  };
}
