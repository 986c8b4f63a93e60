/**
 * Renders a pool's target for a pinned image with the render engine (functions/core/render): the pool's
 * own MachineConfigs plus an image layer (`osImageURL` pinned by digest), merged and named exactly as MCO
 * would. Clusters that serve MachineConfigs get the rendered one created; elsewhere (node-agent clusters)
 * the name is rendered from the image layer alone so every cluster names the same content the same way.
 */
import { RoleLabel } from '../../core/model.ts';
import {
  checkReconcilable,
  type MachineConfig,
  type MachineConfigPool,
  mcoApiVersion,
  renderPool,
} from '../../core/render/index.ts';
import type { ClusterPort } from '../../core/rollout/cluster-port.ts';

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

/** The image-layer MachineConfig Strata adds to a pool's own MachineConfigs. */
export function imageLayer(
  pool: string,
  image: string,
  selectorLabels: Record<string, string>,
): MachineConfig {
  return {
    apiVersion: mcoApiVersion,
    kind: 'MachineConfig',
    metadata: { name: `99-strata-${pool}-os-image`, labels: selectorLabels },
    spec: { osImageURL: image },
  };
}

/**
 * Renders (and, where served, creates) the pool's MachineConfig for `image`.
 * @throws RenderError for anything MCO would refuse to render, UnreconcilableError for a change the node
 * daemon would refuse against the pool's current rendered config: nothing is touched then.
 */
export async function renderTarget(port: ClusterPort, pool: string, image: string): Promise<RenderedTarget> {
  const sources = (await port.servesMachineConfigs()) ? await port.readPoolSources(pool) : null;
  const mcp: MachineConfigPool = sources?.pool ?? {
    apiVersion: mcoApiVersion,
    kind: 'MachineConfigPool',
    metadata: { name: pool },
    spec: { machineConfigSelector: { matchLabels: { [RoleLabel]: pool } } },
  };
  const selectorLabels = mcp.spec.machineConfigSelector?.matchLabels ?? { [RoleLabel]: pool };
  const own = (sources?.machineConfigs ?? []).filter(
    (mc) => !mc.metadata.name.startsWith('rendered-') && mc.metadata.name !== `99-strata-${pool}-os-image`,
  );
  const result = renderPool({ pool: mcp, machineConfigs: [...own, imageLayer(pool, image, selectorLabels)] });
  // Refuse what the node daemon would refuse (Unreconcilable) before any node is pointed at it.
  const currentName = mcp.spec.configuration?.name;
  const current = sources?.machineConfigs.find((mc) => mc.metadata.name === currentName);
  if (current && current.metadata.name !== result.name) checkReconcilable(current, result.machineConfig);
  if (sources) await port.ensureMachineConfig(result.machineConfig);
  return {
    config: result.name,
    image,
    sources: result.source.map((s) => s.name),
    warnings: result.warnings,
    createdInCluster: sources !== null,
  };
}
