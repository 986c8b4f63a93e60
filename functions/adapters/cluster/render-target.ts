/**
 * Renders a pool's target for a pinned image from what its cluster serves (core/rollout/pool-render.ts), and
 * creates the rendered MachineConfig in clusters that serve MachineConfigs; or, for a dry run, only reads
 * and renders.
 */
import type { DryRunClusterInput } from '../../core/admin/dry-run.ts';
import { type ClusterRecord, clusterDriver } from '../../core/clusters.ts';
import { RenderError, UnreconcilableError } from '../../core/render/errors.ts';
import type { ClusterConnector, ClusterPort, ConnectedCluster } from '../../core/rollout/cluster-port.ts';
import { primaryPool } from '../../core/rollout/pool-membership.ts';
import { renderPoolTarget } from '../../core/rollout/pool-render.ts';
import { predictMcoTarget } from './mco-target.ts';

/** A rendered target for one pool. */
export interface RenderedTarget {
  /** `rendered-<pool>-<md5>`. */
  config: string;
  /** `host/repo@sha256:…`. */
  image: string;
  /** MachineConfigs merged, in merge order. */
  sources: string[];
  warnings: string[];
  /** Whether the cluster serves MachineConfigs (and now holds the rendered one). */
  createdInCluster: boolean;
}

/**
 * Renders (and, where served, creates) the pool's MachineConfig for `image`.
 * @throws RenderError for anything MCO would refuse to render, UnreconcilableError for a change the node
 * daemon would refuse against the pool's current rendered config: nothing is touched then.
 */
export async function renderTarget(port: ClusterPort, pool: string, image: string): Promise<RenderedTarget> {
  const sources = (await port.servesMachineConfigs()) ? await port.readPoolSources(pool) : null;
  const result = renderPoolTarget(pool, sources, image);
  if (sources) await port.ensureMachineConfig(result.machineConfig);
  return {
    config: result.name,
    image,
    sources: result.source.map((s) => s.name),
    warnings: result.warnings,
    createdInCluster: sources !== null,
  };
}

/** As {@link renderTarget}, with a render MCO would refuse as a result: `{ refusal }` (nothing touched). */
export async function renderTargetOrRefusal(
  port: ClusterPort,
  pool: string,
  image: string,
): Promise<RenderedTarget | { refusal: string }> {
  try {
    return await renderTarget(port, pool, image);
  } catch (error) {
    if (!(error instanceof RenderError || error instanceof UnreconcilableError)) throw error;
    return { refusal: error.message };
  }
}

/**
 * What a dry run reads of one cluster: per pool it targets, the pool's nodes and the rendered target (or
 * MCO's refusal), rendered exactly as the planner would but created nowhere. A cluster that cannot be
 * read is reported `unreachable`.
 */
export async function readDryRunCluster(
  clusters: ClusterConnector,
  c: ClusterRecord,
  pools: string[],
  image: string,
): Promise<DryRunClusterInput> {
  try {
    const connected = await clusters.connect(c.id);
    const { port } = connected;
    const [nodes, serves] = await Promise.all([port.listNodes(), port.servesMachineConfigs()]);
    const out: DryRunClusterInput = { id: c.id, labels: c.labels, pools: [] };
    for (const p of c.pools.filter((x) => pools.includes(x.name))) {
      let rendered: DryRunClusterInput['pools'][number]['rendered'];
      try {
        if (clusterDriver(connected.record) === 'mco') {
          // MCO renders on mco clusters: its name is predicted from the cluster's own inputs.
          const predicted = await predictMcoTarget(connected, p.name, image);
          rendered =
            'refusal' in predicted
              ? predicted
              : { config: predicted.config, image, sources: predicted.sources, warnings: predicted.warnings };
        } else {
          const result = renderPoolTarget(p.name, serves ? await port.readPoolSources(p.name) : null, image);
          const sources = result.source.map((s) => s.name);
          rendered = { config: result.name, image, sources, warnings: result.warnings };
        }
      } catch (error) {
        if (!(error instanceof RenderError || error instanceof UnreconcilableError)) throw error;
        rendered = { refusal: error.message };
      }
      out.pools.push({
        pool: p.name,
        ...(p.maxUnavailable !== undefined ? { maxUnavailable: p.maxUnavailable } : {}),
        nodes: nodes.filter((n) => primaryPool(n.labels, c.pools) === p.name),
        rendered,
      });
    }
    return out;
  } catch (error) {
    return { id: c.id, labels: c.labels, pools: [], unreachable: (error as Error).message };
  }
}

/**
 * A pool's target for `image` per the cluster's driver: on mco, MCO's rendered name predicted (nothing is
 * written: MCO renders); on agent, rendered by Strata and created where MachineConfigs are served.
 */
export function targetOrRefusal(
  cluster: Pick<ConnectedCluster, 'record' | 'port' | 'mco'>,
  pool: string,
  image: string,
): Promise<Pick<RenderedTarget, 'config' | 'sources'> | { refusal: string }> {
  return clusterDriver(cluster.record) === 'mco'
    ? predictMcoTarget(cluster, pool, image)
    : renderTargetOrRefusal(cluster.port, pool, image);
}
