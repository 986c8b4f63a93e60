/**
 * The mco driver's target for a pool: the rendered name MCO's render controller will compute once Strata's
 * image-layer MachineConfig is in place (the pool's selected MachineConfigs as the cluster serves them, the
 * new image layer instead of the old one, the ControllerConfig's base images and controller version), or
 * the reason MCO would refuse it: a render error, a change its daemon calls Unreconcilable, or the
 * 4.16/4.17 layered → non-layered trap. Strata creates no rendered config; MCO does.
 */
import { type LabelSelector, NodeAnnotations, RoleLabel } from '../../model.ts';
import {
  type ConfigLike,
  checkRenderedReconcilable,
  RenderError,
  renderPool,
  selectMachineConfigs,
  UnreconcilableError,
} from '../../render/index.ts';
import type { MachineConfig } from '../../render/types.ts';
import type { PoolSources } from '../../rollout/cluster-port.ts';
import type { NodeFacts } from '../../rollout/node-facts.ts';
import { imageLayer, imageLayerName } from '../../rollout/pool-render.ts';
import type { ControllerInputs } from './port.ts';

/** What predicting a pool's rendered config reads. */
export interface McoPrepareInput {
  pool: string;
  sources: PoolSources;
  controller: ControllerInputs | null;
  /** ClusterVersion's version (`4.18.12`), or null. */
  clusterVersion: string | null;
  /** The pool's nodes (the 4.16/4.17 trap looks at their `currentImage`). */
  nodes: NodeFacts[];
  /** The image (`repo@sha256:…`), or null for the pool's base (the image layer deleted). */
  image: string | null;
}

/** A predicted target: MCO's name to be, the MachineConfigs merged, non-fatal findings. */
export interface McoPrediction {
  config: string;
  sources: string[];
  warnings: string[];
  /** The rendered config's `osImageURL`. */
  osImageURL: string;
}

/**
 * The labels the image layer carries: the pool's `machineConfigSelector.matchLabels` (its role label), or
 * the role label of the pool's name for a pool selecting by expressions (a custom pool: `role In [worker,
 * <pool>]`).
 */
export function layerLabels(
  pool: string,
  selector: LabelSelector | null | undefined,
): Record<string, string> {
  return selector?.matchLabels && Object.keys(selector.matchLabels).length > 0
    ? { ...selector.matchLabels }
    : { [RoleLabel]: pool };
}

/** The image-layer MachineConfig of a pool for `image`. */
export function poolImageLayer(
  pool: string,
  image: string,
  selector: LabelSelector | null | undefined,
): MachineConfig {
  return imageLayer(pool, image, layerLabels(pool, selector));
}

/** 4.16.x and 4.17.x: the daemon refuses to take a node with `currentImage` back to a non-layered config. */
export function layeredRollbackTrap(version: string | null, nodes: NodeFacts[]): string | null {
  if (!version || !/^4\.1[67]\./.test(version)) return null;
  const layered = nodes.filter((n) => n.annotations[NodeAnnotations.currentImage]);
  if (layered.length === 0) return null;
  return (
    `OpenShift ${version}: node(s) ${layered.map((n) => n.name).join(', ')} carry a currentImage annotation ` +
    '(they were moved through desiredImage); MCO 4.16/4.17 refuses to take such a node to a non-layered ' +
    'config ("rolling back from a layered to non-layered configuration is not currently supported") and ' +
    'would leave it Degraded: return them to their pool config by hand first, or upgrade the cluster to 4.18+'
  );
}

/**
 * Predicts the pool's rendered config for `image` as MCO will render it.
 * @returns the prediction, or `{ refusal }` with MCO's reason (nothing is written then).
 */
export function prepareMcoTarget(input: McoPrepareInput): McoPrediction | { refusal: string } {
  const { pool, sources, controller } = input;
  if (!controller) {
    return {
      refusal: `pool ${pool}: the cluster has no ControllerConfig machine-config-controller, so MCO cannot render it (is MCO running?)`,
    };
  }
  const trap = layeredRollbackTrap(input.clusterVersion, input.nodes);
  if (trap) return { refusal: `pool ${pool}: ${trap}` };
  const own = sources.machineConfigs.filter(
    (mc) => !mc.metadata.name.startsWith('rendered-') && mc.metadata.name !== imageLayerName(pool),
  );
  const machineConfigs = input.image
    ? [...own, poolImageLayer(pool, input.image, sources.pool.spec.machineConfigSelector)]
    : own;
  try {
    const result = renderPool({
      pool: sources.pool,
      machineConfigs,
      baseOSImage: controller.baseOSContainerImage,
      baseOSExtensionsImage: controller.baseOSExtensionsContainerImage,
      ...(controller.controllerVersion ? { controllerVersion: controller.controllerVersion } : {}),
      ...(controller.releaseImageVersion ? { releaseImageVersion: controller.releaseImageVersion } : {}),
    });
    const currentName = sources.pool.spec.configuration?.name;
    const current = sources.machineConfigs.find((mc) => mc.metadata.name === currentName);
    if (current && current.metadata.name !== result.name) {
      type Named = ConfigLike & { metadata: { name: string } };
      const selected = selectMachineConfigs(sources.pool, machineConfigs) as unknown as Named[];
      checkRenderedReconcilable(current as unknown as Named, result.machineConfig, selected);
    }
    return {
      config: result.name,
      sources: result.source.map((s) => s.name),
      warnings: result.warnings,
      osImageURL: result.machineConfig.spec.osImageURL,
    };
  } catch (error) {
    if (error instanceof RenderError || error instanceof UnreconcilableError) {
      return { refusal: `pool ${pool}: ${error.message}` };
    }
    throw error;
  }
}
