/**
 * Registering a cluster with its pools: the cluster item plus one pool item per pool, each created only
 * if absent (re-registering is a no-op for what exists).
 */
import { InvalidPolicyError } from '../../core/rollout/errors.ts';
import { resolveMaxUnavailable } from '../../core/rollout/max-unavailable.ts';
import { validateWindows } from '../../core/rollout/windows.ts';
import { type ClusterRecord, registerCluster } from './clusters.ts';
import type { StoreContext } from './context.ts';
import { createPool, newPool } from './pools.ts';

/** Registration input: a cluster record without the bookkeeping fields. */
export type ClusterRegistration = Omit<ClusterRecord, 'version' | 'registeredAt'>;

/**
 * Validates and registers a cluster and its pools.
 * @throws InvalidPolicyError naming the cluster and field, before anything is written.
 * @returns whether the cluster item was new.
 */
export async function registerClusterWithPools(
  store: StoreContext,
  input: ClusterRegistration,
  now: Date = new Date(),
): Promise<boolean> {
  const where = `cluster ${input.id}`;
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(input.id)) {
    throw new InvalidPolicyError(`${where}: id must be lower-case letters, digits, '-' or '.'`);
  }
  if (!/^https?:\/\//.test(input.endpoint)) {
    throw new InvalidPolicyError(`${where}: endpoint "${input.endpoint}" must be an http(s) URL`);
  }
  if (input.pools.length === 0) throw new InvalidPolicyError(`${where}: pools must name at least one pool`);
  input.pools.forEach((p, i) => {
    if (p.maxUnavailable !== undefined) {
      try {
        resolveMaxUnavailable(p.maxUnavailable, 1);
      } catch (error) {
        throw new InvalidPolicyError(`${where}: pools[${i}] (${p.name}).${(error as Error).message}`);
      }
    }
  });
  if (input.windows) validateWindows(input.windows, `${where}: windows`);
  const at = now.toISOString();
  const created = await registerCluster(store, { ...input, registeredAt: at, version: 1 });
  for (const p of input.pools) {
    await createPool(store, newPool(input.id, p.name, p.nodeSelector, at, p.maxUnavailable));
  }
  return created;
}
