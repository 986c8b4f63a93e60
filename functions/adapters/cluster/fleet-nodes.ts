/**
 * Nodes read live from several clusters at once (the admin API's `GET /v1/nodes`): an unreachable
 * cluster does not fail the read, it is listed under `errors` with its cause (refused, TLS, 401/403, …).
 */
import { nodeView } from '../../core/admin/listing.ts';
import type { NodeView } from '../../core/admin/views.ts';
import type { ClusterRecord } from '../../core/clusters.ts';
import type { ClusterConnector } from '../../core/rollout/cluster-port.ts';
import { clusterErrorText } from './probe.ts';

/** Every node of `clusters` as the admin API lists it, and the clusters that could not be read. */
export async function readFleetNodes(
  connector: ClusterConnector,
  clusters: ClusterRecord[],
): Promise<{ items: NodeView[]; errors: { cluster: string; error: string }[] }> {
  const items: NodeView[] = [];
  const errors: { cluster: string; error: string }[] = [];
  await Promise.all(
    clusters.map(async (c) => {
      try {
        const { port } = await connector.connect(c.id);
        for (const n of await port.listNodes()) items.push(nodeView(c.id, n, c.pools));
      } catch (error) {
        errors.push({ cluster: c.id, error: clusterErrorText(error) });
      }
    }),
  );
  return { items, errors };
}
