/**
 * Registering a cluster with its pools: the cluster item plus one pool item per pool, each created only
 * if absent (re-registering is a no-op for what exists).
 */
import { type ClusterRegistration, validateRegistration } from '../../core/clusters.ts';
import { newPool } from '../../core/rollout/pool-state.ts';
import { registerCluster } from './clusters.ts';
import type { StoreContext } from './context.ts';
import { createPool } from './pools.ts';

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
