/**
 * Checks one cluster for drift (core/checks/drift.ts): what differs from what Strata rolled out while no
 * rollout is moving it. The findings replace the cluster's previous ones (corrected ones disappear); a
 * cluster that cannot be read keeps its previous findings with the error recorded (the next cycle retries).
 */
import { readMachineConfigState } from '../../adapters/cluster/machine-configs.ts';
import { clusterDrift, type DriftFinding, driftPool } from '../../core/checks/drift.ts';
import type { DriftCheckOutcome } from '../../core/checks/drift-record.ts';
import type { Dependencies } from '../../core/dependencies.ts';
import type { Stores } from '../../core/stores.ts';

/** What a drift check needs (without `clusters`, drift checks fail, recorded). */
export type DriftCheckDeps = Partial<Pick<Dependencies, 'clusters'>> &
  Pick<Dependencies, 'now' | 'log'> & { stores: Pick<Stores, 'pools' | 'rollouts' | 'checks'> };

/** @throws on table errors (the message is retried). */
export async function checkClusterDrift(
  deps: DriftCheckDeps,
  clusterId: string,
  cycle: string,
): Promise<DriftCheckOutcome> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  let findings: DriftFinding[];
  try {
    findings = await readClusterDrift(deps, clusterId);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await deps.stores.checks.replaceClusterDrift(clusterId, { error: message }, now);
    deps.log?.({ level: 'WARN', message: 'drift check failed', clusterId, cycle, error: message });
    return { outcome: 'drift-failed', clusterId, error: message };
  }
  await deps.stores.checks.replaceClusterDrift(clusterId, findings, now);
  deps.log?.({ level: 'INFO', message: 'drift checked', clusterId, cycle, findings: findings.length });
  return { outcome: 'drift', clusterId, findings: findings.length };
}

/** Reads what the drift rules need from the store and the cluster, and applies them. */
async function readClusterDrift(deps: DriftCheckDeps, clusterId: string): Promise<DriftFinding[]> {
  if (!deps.clusters) throw new Error('drift checks need cluster access (deps.clusters)');
  const { port } = await deps.clusters.connect(clusterId);
  const records = await deps.stores.pools.listClusterPools(clusterId);
  const statuses = await Promise.all(
    records.map((p) => p.target && deps.stores.rollouts.getRollout(p.target.rolloutId)),
  );
  const pools = records.map((p, i) => driftPool(p, statuses[i]?.status));
  const nodes = await port.listNodes();
  const machineConfigs = await readMachineConfigState(port, pools);
  return clusterDrift({ clusterId, pools, nodes, ...(machineConfigs ? { machineConfigs } : {}) });
}
