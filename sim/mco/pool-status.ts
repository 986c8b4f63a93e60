/**
 * MachineConfigPool status as MCO's node controller computes it (`calculateStatus`, reference/mco.md
 * §2.5): machine counts from the node predicates (§2.4), the Updated / Updating / NodeDegraded / Degraded
 * conditions, `status.configuration` moving forward only when every node is updated, and MCO's condition
 * bookkeeping (an unchanged condition is kept as is; a changed one moves to the end; the transition time
 * changes only with the status).
 */
import { NodeAnnotations as A } from '../../functions/core/model.ts';
import type { NodeRecord } from '../cluster.ts';
import { isDegraded, isNodeDone, isNodeReady, isUnavailableForUpdate } from '../node-state.ts';

/** A pool condition as stored. */
export interface PoolCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/**
 * `SetMachineConfigPoolCondition`: returns `conditions` itself when nothing changes, else a new list with
 * the condition of that type replaced (appended at the end).
 */
export function setPoolCondition(
  conditions: readonly Record<string, unknown>[],
  next: Omit<PoolCondition, 'lastTransitionTime'>,
  now: string,
): Record<string, unknown>[] {
  const current = conditions.find((c) => c.type === next.type);
  if (
    current &&
    current.status === next.status &&
    (current.reason ?? '') === next.reason &&
    (current.message ?? '') === next.message
  )
    return conditions as Record<string, unknown>[];
  const lastTransitionTime =
    current && current.status === next.status ? String(current.lastTransitionTime ?? now) : now;
  return [...conditions.filter((c) => c.type !== next.type), { ...next, lastTransitionTime }];
}

/** MCO's non-layered `IsDone`: the node is done, on the pool's target, and carries no desiredImage. */
export function isUpdatedToPool(node: NodeRecord, target: string): boolean {
  return (
    isNodeDone(node) &&
    node.annotations[A.desiredConfig] === target &&
    node.annotations[A.desiredImage] === undefined
  );
}

/** The machine counts of a pool (`GetMachinesByState`). */
export interface PoolCounts {
  machineCount: number;
  updatedMachineCount: number;
  readyMachineCount: number;
  unavailableMachineCount: number;
  degradedMachineCount: number;
  degraded: NodeRecord[];
}

export function poolCounts(nodes: readonly NodeRecord[], target: string): PoolCounts {
  let updated = 0;
  let ready = 0;
  let unavailable = 0;
  const degraded: NodeRecord[] = [];
  for (const node of nodes) {
    if (isUpdatedToPool(node, target)) {
      updated++;
      if (isNodeReady(node)) ready++;
    }
    if (isDegraded(node)) degraded.push(node);
    if (isUnavailableForUpdate(node)) unavailable++;
  }
  return {
    machineCount: nodes.length,
    updatedMachineCount: updated,
    readyMachineCount: ready,
    unavailableMachineCount: unavailable,
    degradedMachineCount: degraded.length,
    degraded,
  };
}

type Json = Record<string, unknown>;

/**
 * The status MCO writes for `pool` (an MCP object) with `nodes` (its primary-pool nodes). `previous` is
 * the stored status (its configuration and RenderDegraded are carried over).
 */
export function calculatePoolStatus(pool: Json, nodes: readonly NodeRecord[], now: string): Json {
  const metadata = (pool.metadata ?? {}) as Json;
  const spec = (pool.spec ?? {}) as { configuration?: { name?: string }; paused?: boolean };
  const previous = (pool.status ?? {}) as Json & { conditions?: Json[] };
  const target = spec.configuration?.name ?? '';
  const counts = poolCounts(nodes, target);
  const allUpdated =
    counts.updatedMachineCount === counts.machineCount &&
    counts.readyMachineCount === counts.machineCount &&
    counts.unavailableMachineCount === 0;
  let conditions: Json[] = previous.conditions ?? [];
  const set = (type: string, status: boolean, message = '', reason = '') => {
    conditions = setPoolCondition(
      conditions,
      { type, status: status ? 'True' : 'False', reason, message },
      now,
    );
  };
  const status: Json = {
    ...previous,
    observedGeneration: metadata.generation ?? 1,
    machineCount: counts.machineCount,
    updatedMachineCount: counts.updatedMachineCount,
    readyMachineCount: counts.readyMachineCount,
    unavailableMachineCount: counts.unavailableMachineCount,
    degradedMachineCount: counts.degradedMachineCount,
  };
  if (allUpdated) {
    set('Updated', true, `All nodes are updated with MachineConfig ${target}`);
    set('Updating', false);
    if (spec.configuration) status.configuration = structuredClone(spec.configuration);
  } else {
    set('Updated', false);
    if (spec.paused) set('Updating', false, `Pool is paused; will not update to MachineConfig ${target}`);
    else set('Updating', true, `All nodes are updating to MachineConfig ${target}`);
  }
  let nodeDegradedMessage = '';
  if (counts.degradedMachineCount > 0) {
    nodeDegradedMessage = counts.degraded
      .map((n) => `Node ${n.name} is reporting: ${JSON.stringify(n.annotations[A.reason] ?? '')}`)
      .join(', ');
    set(
      'NodeDegraded',
      true,
      nodeDegradedMessage,
      `${counts.degradedMachineCount} nodes are reporting degraded status on sync`,
    );
  } else {
    set('NodeDegraded', false);
  }
  const renderDegraded = conditions.some((c) => c.type === 'RenderDegraded' && c.status === 'True');
  if (counts.degradedMachineCount > 0 || renderDegraded) set('Degraded', true, nodeDegradedMessage);
  else set('Degraded', false);
  status.conditions = conditions;
  return status;
}
