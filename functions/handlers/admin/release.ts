/**
 * `POST /v1/clusters/{id}/release` `{ pool }`: gives a pool of an mco cluster back to its administrators:
 * the pool item forgets its target (written first), then the image-layer MachineConfig is deleted (the pool
 * returns to its base image), `maxUnavailable` is restored and Strata's pause (only Strata's) is lifted.
 */
import { parseRequest, ReleasePoolSchema } from '../../core/admin/index.ts';
import { AdminHttpError } from '../../core/admin/route.ts';
import { clusterDriver } from '../../core/clusters.ts';
import { releasedPool, releasePatch } from '../../core/drivers/mco/index.ts';
import { imageLayerName, isLive, NotFoundError } from '../../core/rollout/index.ts';
import type { Resource } from './resource.ts';

/** Releases one pool; idempotent (a second release finds nothing left to undo). */
export const releasePool: Resource = async (deps, req) => {
  const clusterId = req.id!;
  const { pool } = parseRequest(ReleasePoolSchema, req.body(), 'body');
  const item = await deps.stores.pools.getPool(clusterId, pool);
  if (!item) throw new NotFoundError(`pool ${clusterId}/${pool}: not registered`);
  const cluster = await deps.clusters.connect(clusterId);
  if (clusterDriver(cluster.record) !== 'mco') {
    throw new AdminHttpError(
      409,
      `pool ${clusterId}/${pool}: release applies to mco clusters (this one's driver is ${clusterDriver(cluster.record)})`,
    );
  }
  const rolloutId = item.target?.rolloutId;
  const rollout = rolloutId ? await deps.stores.rollouts.getRollout(rolloutId) : null;
  if (rollout && isLive(rollout.status)) {
    throw new AdminHttpError(
      409,
      `pool ${clusterId}/${pool}: rollout ${rollout.id} is ${rollout.status}; pause or abort it first`,
    );
  }
  await deps.stores.pools.updatePool(clusterId, pool, (p) => (p.target || p.mco ? releasedPool(p) : null));
  const observed = await cluster.mco.readPool(pool);
  if (!observed)
    throw new NotFoundError(`pool ${clusterId}/${pool}: the cluster has no MachineConfigPool ${pool}`);
  const layer = imageLayerName(pool);
  const hadLayer = observed.layerImage !== null;
  if (hadLayer) await cluster.mco.deleteImageLayer(layer);
  const patch = releasePatch(observed, item.mco);
  if (patch) await cluster.mco.patchPool(pool, patch);
  await cluster.mco.recordEvent(pool, {
    type: 'Normal',
    reason: 'Released',
    message: `Strata released pool ${pool}${hadLayer ? `: deleted ${layer}` : ''}`,
  });
  await deps.reconcileQueue.send({ clusterId, pool });
  return [
    200,
    {
      released: `${clusterId}/${pool}`,
      deletedMachineConfig: hadLayer ? layer : null,
      ...(patch?.maxUnavailable !== undefined ? { restoredMaxUnavailable: patch.maxUnavailable } : {}),
      unpaused: patch?.paused === false,
    },
  ];
};
