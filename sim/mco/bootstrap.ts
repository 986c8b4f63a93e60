/**
 * MCO's part of a new or upgraded OpenShift cluster running its controllers: the MachineConfigs its
 * template controller generates (per role, for the release's controller version), the pools (MCO's default
 * selectors: custom pools inherit the worker MachineConfigs), and each pool rendered at bootstrap
 * (`RunBootstrap`: `spec.configuration` and `status.configuration` both set), so nodes boot their pool's
 * rendered config.
 */
import type { MachineConfigPool } from '../../functions/core/render/index.ts';
import { type ClusterHooks, MCO_GROUP, machineConfigSelectorOf, type SimCluster } from '../cluster.ts';
import { FleetError } from '../errors.ts';
import { baseMachineConfigs } from '../openshift.ts';
import type { KObject } from '../store.ts';
import { RenderFailure, renderFromCluster } from './render-controller.ts';

/** Roles MCO generates MachineConfigs for: worker always (custom pools inherit them), master if present. */
function roles(cluster: SimCluster): string[] {
  return cluster.pools.some((p) => p.name === 'master') ? ['master', 'worker'] : ['worker'];
}

/** Creates base MachineConfigs and pools, and renders each pool (before nodes exist). */
export function bootstrapPools(cluster: SimCluster): void {
  const release = cluster.release;
  if (!release) throw new FleetError(`cluster "${cluster.name}": MCO's controllers need a release`);
  for (const role of roles(cluster))
    for (const mc of baseMachineConfigs(role, release))
      cluster.machineConfigs.create(cluster.newObjectRecord(mc, undefined));
  for (const pool of cluster.pools) {
    const object: KObject = {
      apiVersion: `${MCO_GROUP}/v1`,
      kind: 'MachineConfigPool',
      metadata: {
        name: pool.name,
        labels: { [`pools.operator.machineconfiguration.openshift.io/${pool.name}`]: '' },
      },
      spec: {
        machineConfigSelector: machineConfigSelectorOf(pool.spec.machineConfigSelector, pool.name, true),
        nodeSelector: { matchLabels: pool.selector },
        maxUnavailable: pool.spec.maxUnavailable,
        paused: pool.spec.paused,
      },
      status: {},
    };
    cluster.machineConfigPools.create(cluster.newObjectRecord(object, undefined));
  }
  for (const record of cluster.machineConfigPools.list()) {
    let result: ReturnType<typeof renderFromCluster>;
    try {
      result = renderFromCluster(cluster, record.object as unknown as MachineConfigPool);
    } catch (error) {
      if (error instanceof RenderFailure)
        throw new FleetError(
          `cluster "${cluster.name}": cannot render pool "${record.name}" at start: ${error.message}`,
        );
      throw error;
    }
    const rendered = structuredClone(result.machineConfig) as unknown as KObject;
    rendered.metadata.ownerReferences = [
      { ...(rendered.metadata.ownerReferences as object[])[0], uid: record.uid },
    ];
    if (!cluster.machineConfigs.get(undefined, result.name))
      cluster.machineConfigs.create(cluster.newObjectRecord(rendered, undefined));
    const configuration = { name: result.name, source: result.source };
    cluster.machineConfigPools.update({
      ...record,
      object: {
        ...record.object,
        spec: { ...(record.object.spec as object), configuration },
        status: { configuration: structuredClone(configuration) },
      },
    });
  }
}

/** After a release change: the template controller regenerates the role MachineConfigs for its version. */
export function regenerate(cluster: SimCluster): void {
  const release = cluster.release;
  if (!release || !cluster.mcoControllers) return;
  cluster.asActor('machine-config-controller', () => {
    for (const role of roles(cluster)) {
      for (const mc of baseMachineConfigs(role, release)) {
        const name = String(mc.metadata.name);
        const existing = cluster.machineConfigs.get(undefined, name);
        if (!existing) {
          cluster.machineConfigs.create(cluster.newObjectRecord(mc, undefined));
          continue;
        }
        if (JSON.stringify(existing.object.metadata.annotations) === JSON.stringify(mc.metadata.annotations))
          continue;
        cluster.machineConfigs.update({
          ...existing,
          object: {
            ...existing.object,
            metadata: {
              ...existing.object.metadata,
              annotations: mc.metadata.annotations,
              generation: Number(existing.object.metadata.generation ?? 1) + 1,
            },
            spec: mc.spec,
          },
        });
      }
    }
  });
}

/** The hooks a cluster running MCO's controllers is built with. */
export const mcoHooks: ClusterHooks = { bootstrapPools, regenerate };
