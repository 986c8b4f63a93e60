/**
 * A pool's target on an mco cluster: MCO's rendered name predicted from what the cluster serves (the pool,
 * its MachineConfigs, the ControllerConfig's inputs, the release, the pool's nodes), or the reason MCO would
 * refuse it (core/drivers/mco/prepare.ts). Nothing is written: MCO renders once the image layer is applied.
 */
import { type McoPrediction, prepareMcoTarget } from '../../core/drivers/mco/index.ts';
import type { ConnectedCluster } from '../../core/rollout/cluster-port.ts';
import { primaryPool } from '../../core/rollout/pool-membership.ts';

/** The predicted target of `pool` for `image` (null: the pool's base), or `{ refusal }`. */
export async function predictMcoTarget(
  cluster: Pick<ConnectedCluster, 'record' | 'port' | 'mco'>,
  pool: string,
  image: string | null,
): Promise<McoPrediction | { refusal: string }> {
  const [sources, facts, nodes] = await Promise.all([
    cluster.port.readPoolSources(pool),
    cluster.mco.readCluster(),
    cluster.port.listNodes(),
  ]);
  if (!sources) return { refusal: `pool ${pool}: the cluster has no MachineConfigPool ${pool}` };
  return prepareMcoTarget({
    pool,
    sources,
    controller: facts.controller,
    // The release from ClusterVersion, else from MCO's osimageurl ConfigMap (ClusterVersion not readable).
    clusterVersion: facts.version ?? (facts.osImageUrl?.releaseVersion || null),
    nodes: nodes.filter((n) => primaryPool(n.labels, cluster.record.pools) === pool),
    image,
  });
}
