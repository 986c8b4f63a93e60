/**
 * A pool's target for a pinned image: the pool's own MachineConfigs plus Strata's image layer (`osImageURL`
 * pinned by digest), merged and named exactly as MCO would (core/render), and refused when MCO would refuse
 * it: a render error, or a change the node daemon cannot apply over the pool's current rendered config.
 * The planner and the dry run both render through here.
 */
import { RoleLabel } from '../model.ts';
import {
  checkReconcilable,
  type MachineConfig,
  type MachineConfigPool,
  mcoApiVersion,
  type RenderResult,
  renderPool,
} from '../render/index.ts';
import type { PoolSources } from './cluster-port.ts';

/** Name of the image-layer MachineConfig Strata adds to a pool. */
export function imageLayerName(pool: string): string {
  return `99-strata-${pool}-os-image`;
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
    metadata: { name: imageLayerName(pool), labels: selectorLabels },
    spec: { osImageURL: image },
  };
}

/**
 * Renders the pool's target for `image`. `sources` are what the cluster serves (its MachineConfigPool and
 * MachineConfigs), or null for a cluster without MachineConfigs (node-agent clusters): the name is then
 * rendered from the image layer alone, so every cluster names the same content the same way. Rendered
 * configs and an earlier image layer of the pool are not sources.
 * @throws RenderError for anything MCO would refuse to render; UnreconcilableError for a change the node
 *   daemon would refuse against the pool's current rendered config.
 */
export function renderPoolTarget(pool: string, sources: PoolSources | null, image: string): RenderResult {
  const mcp: MachineConfigPool = sources?.pool ?? {
    apiVersion: mcoApiVersion,
    kind: 'MachineConfigPool',
    metadata: { name: pool },
    spec: { machineConfigSelector: { matchLabels: { [RoleLabel]: pool } } },
  };
  const selectorLabels = mcp.spec.machineConfigSelector?.matchLabels ?? { [RoleLabel]: pool };
  const own = (sources?.machineConfigs ?? []).filter(
    (mc) => !mc.metadata.name.startsWith('rendered-') && mc.metadata.name !== imageLayerName(pool),
  );
  const result = renderPool({ pool: mcp, machineConfigs: [...own, imageLayer(pool, image, selectorLabels)] });
  const currentName = mcp.spec.configuration?.name;
  const current = sources?.machineConfigs.find((mc) => mc.metadata.name === currentName);
  if (current && current.metadata.name !== result.name) checkReconcilable(current, result.machineConfig);
  return result;
}
