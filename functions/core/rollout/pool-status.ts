/** MachineConfigPool status as MCO's `calculateStatus` counts it (reference/mco.md §2.5). */
import {
  machinesByState,
  mcoNodes,
  type NodeFacts,
  type NodeVocabulary,
  type PoolTarget,
} from './node-facts.ts';

/** One pool condition; `lastTransitionTime` kept while the status does not change. */
export interface PoolCondition {
  /** `RenderDegraded` only as MCO reports it (mco driver). */
  type: 'Updated' | 'Updating' | 'Degraded' | 'NodeDegraded' | 'RenderDegraded';
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** Pool status counts and conditions. */
export interface PoolStatus {
  machineCount: number;
  updatedMachineCount: number;
  readyMachineCount: number;
  unavailableMachineCount: number;
  degradedMachineCount: number;
  conditions: PoolCondition[];
  /** mco driver: MCO's `status.configuration.name`, the rendered config every node is on. */
  configuration?: string;
}

/** Inputs of {@link calculatePoolStatus}. */
export interface PoolStatusInput {
  nodes: NodeFacts[];
  target: PoolTarget;
  paused: boolean;
  now: string;
  /** The previous status, to keep transition times. */
  previous?: PoolStatus;
  /** How nodes are read (default MCO's annotations). */
  vocabulary?: NodeVocabulary;
}

function setCondition(
  previous: PoolCondition[] | undefined,
  next: Omit<PoolCondition, 'lastTransitionTime'>,
  now: string,
): PoolCondition {
  const old = previous?.find((c) => c.type === next.type);
  return { ...next, lastTransitionTime: old && old.status === next.status ? old.lastTransitionTime : now };
}

/** Counts the pool's machines and derives Updated/Updating/Degraded/NodeDegraded. */
export function calculatePoolStatus(input: PoolStatusInput): PoolStatus {
  const { nodes, target, paused, now, previous } = input;
  const vocabulary = input.vocabulary ?? mcoNodes;
  const byState = machinesByState(nodes, target, vocabulary);
  const name = target.config || target.image || '';
  const what = target.config ? 'MachineConfig' : 'Image';
  const total = nodes.length;
  const allUpdated =
    byState.updated.length === total && byState.ready.length === total && byState.unavailable.length === 0;
  const prev = previous?.conditions;
  const conditions: PoolCondition[] = [];
  if (allUpdated) {
    conditions.push(
      setCondition(
        prev,
        {
          type: 'Updated',
          status: 'True',
          reason: '',
          message: target.config
            ? `All nodes are updated with MachineConfig ${target.config}${target.image ? ` / Image ${target.image}` : ''}`
            : `All nodes are updated with Image ${target.image}`,
        },
        now,
      ),
      setCondition(prev, { type: 'Updating', status: 'False', reason: '', message: '' }, now),
    );
  } else {
    conditions.push(setCondition(prev, { type: 'Updated', status: 'False', reason: '', message: '' }, now));
    conditions.push(
      setCondition(
        prev,
        paused
          ? {
              type: 'Updating',
              status: 'False',
              reason: '',
              message: `Pool is paused; will not update to ${what} ${name}`,
            }
          : {
              type: 'Updating',
              status: 'True',
              reason: '',
              message: `All nodes are updating to ${what} ${name}`,
            },
        now,
      ),
    );
  }
  const degraded = byState.degraded;
  const nodeDegradedMessage = degraded
    .map((n) => `Node ${n.name} is reporting: ${JSON.stringify(vocabulary.reason(n))}`)
    .join(', ');
  conditions.push(
    setCondition(
      prev,
      degraded.length > 0
        ? {
            type: 'NodeDegraded',
            status: 'True',
            reason: `${degraded.length} nodes are reporting degraded status on sync`,
            message: nodeDegradedMessage,
          }
        : { type: 'NodeDegraded', status: 'False', reason: '', message: '' },
      now,
    ),
    setCondition(
      prev,
      degraded.length > 0
        ? { type: 'Degraded', status: 'True', reason: '', message: nodeDegradedMessage }
        : { type: 'Degraded', status: 'False', reason: '', message: '' },
      now,
    ),
  );
  return {
    machineCount: total,
    updatedMachineCount: byState.updated.length,
    readyMachineCount: byState.ready.length,
    unavailableMachineCount: byState.unavailable.length,
    degradedMachineCount: degraded.length,
    conditions,
  };
}

/** True when every node is updated, ready and available (MCO's `allUpdated`; true for zero nodes). */
export function isPoolUpdated(status: PoolStatus): boolean {
  return status.conditions.some((c) => c.type === 'Updated' && c.status === 'True');
}
