/**
 * What the drift rules need from a cluster that serves MachineConfigs: per pool whether its
 * MachineConfigPool is paused, and for each pool's target the name its stored content hashes to (an edited
 * rendered config no longer matches its name).
 */
import type { ClusterRenderedConfig } from '../../core/checks/drift.ts';
import { PauseAnnotations, STRATA } from '../../core/drivers/mco/keys.ts';
import { renderedName } from '../../core/render/name.ts';
import type { YamlValue } from '../../core/render/yamlv2/index.ts';
import type { ClusterPort } from '../../core/rollout/cluster-port.ts';

/** The MachineConfig state of the given pools, or undefined for a cluster without MachineConfigs. */
export async function readMachineConfigState(
  port: ClusterPort,
  pools: { name: string; target: { config: string } | null }[],
): Promise<
  | {
      paused: Record<string, { paused: boolean; byStrata: boolean }>;
      rendered: Record<string, ClusterRenderedConfig>;
    }
  | undefined
> {
  if (!(await port.servesMachineConfigs())) return undefined;
  const paused: Record<string, { paused: boolean; byStrata: boolean }> = {};
  const rendered: Record<string, ClusterRenderedConfig> = {};
  for (const pool of pools) {
    const sources = await port.readPoolSources(pool.name);
    if (sources === null) continue;
    // Only the mco driver pauses pools, and annotates its pauses: any other pause is someone else's.
    const byStrata = sources.pool.metadata.annotations?.[PauseAnnotations.pausedBy] === STRATA;
    paused[pool.name] = { paused: sources.pool.spec.paused === true, byStrata };
    const target = pool.target?.config;
    const mc = target ? sources.machineConfigs.find((m) => m.metadata.name === target) : undefined;
    if (mc && target) {
      rendered[target] = {
        name: target,
        contentName: renderedName(pool.name, mc.spec as unknown as YamlValue),
      };
    }
  }
  return { paused, rendered };
}
