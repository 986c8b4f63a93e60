/**
 * Points an activated cluster's pools where its rollout says (core/rollout/pool-targets.ts): forward, each
 * pool not yet on the rollout's target gets it, rendered from what the cluster serves (a render MCO would
 * refuse is reported and nothing is touched), or, on agent clusters, the pinned image alone; back, each pool goes to its rollback target. Pools on the
 * target but not done are nudged. Each change is a conditional write, then a reconcile message.
 */
import { targetOrRefusal } from '../../adapters/cluster/render-target.ts';
import { sendAll } from '../../adapters/queue/send-all.ts';
import { imageForCluster } from '../../core/builds/gate.ts';
import { clusterDriver } from '../../core/clusters.ts';
import type { Dependencies } from '../../core/dependencies.ts';
import { pinnedReference, type RolloutRecord } from '../../core/model.ts';
import { VersionConflictError } from '../../core/retry.ts';
import * as core from '../../core/rollout/index.ts';
import type { Stores } from '../../core/stores.ts';

/** What pointing pools needs. */
export type TargetDeps = Pick<Dependencies, 'clusters' | 'reconcileQueue'> & {
  stores: Pick<Stores, 'pools' | 'rendered'>;
};

/** Points one activated cluster's pools; returns `cluster/pool` touched and `cluster/pool: why` refused. */
export async function applyTargets(
  deps: TargetDeps,
  rollout: RolloutRecord,
  direction: 'forward' | 'rollback',
  clusterId: string,
  pools: core.PoolRecord[],
  at: string,
): Promise<{ touched: string[]; refused: string[] }> {
  const out = { touched: [] as string[], refused: [] as string[] };
  const retarget = async (pool: core.PoolRecord, target: core.RolloutTarget) => {
    const change = (p: core.PoolRecord) => core.retargetPool(p, target, direction === 'rollback');
    // A pool rewritten by others five times over is left to the next pass.
    const written = await deps.stores.pools.updatePool(clusterId, pool.pool, change).catch((error) => {
      if (error instanceof VersionConflictError) return null;
      throw error;
    });
    if (!written) return;
    out.touched.push(`${clusterId}/${pool.pool}`);
    await deps.reconcileQueue.send({ clusterId, pool: pool.pool });
  };
  if (direction === 'rollback') {
    for (const { pool, target } of core.rollbackWork(rollout.id, pools)) await retarget(pool, target);
    return out;
  }
  const work = core.forwardWork(rollout.id, pools);
  await sendAll(
    deps.reconcileQueue,
    work.nudge.map((pool) => ({ clusterId, pool: pool.pool })),
  );
  if (work.target.length === 0) return out;
  const built = imageForCluster(rollout, clusterId); // a rollout of builds: the build on this cluster's base
  if (!built)
    return { ...out, refused: work.target.map((p) => `${clusterId}/${p.pool}: no build for its base`) };
  const connected = await deps.clusters.connect(clusterId);
  const image = pinnedReference(built);
  // Clusters whose nodes run the Strata agent: the target is the image alone, nothing is rendered.
  if (clusterDriver(connected.record) === 'agent' && !(await connected.port.servesMachineConfigs())) {
    for (const pool of work.target)
      await retarget(pool, { ...core.imageTarget(image), rolloutId: rollout.id });
    return out;
  }
  for (const pool of work.target) {
    const rendered = await targetOrRefusal(connected, pool.pool, image); // per driver (mco: predicted)
    if ('refusal' in rendered) {
      out.refused.push(`${clusterId}/${pool.pool}: ${rendered.refusal}`);
      continue;
    }
    const { config, sources } = rendered;
    const ref = { clusterId, pool: pool.pool, name: config, image, sources, renderedAt: at };
    await deps.stores.rendered.recordRendered(ref);
    await retarget(pool, { config, image, rolloutId: rollout.id });
  }
  return out;
}
