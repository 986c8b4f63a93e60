/**
 * What the planner knows about a node, and MCO's node predicates over it (reference/mco.md §2.4), exactly
 * as `layered_node_state.go` defines them.
 */
import { NodeAnnotations } from '../model.ts';

/** A node condition as the Kubernetes API reports it. */
export interface NodeCondition {
  type: string;
  status: string;
}

/** The facts of one node the planner needs, read from the cluster. */
export interface NodeFacts {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  unschedulable: boolean;
  conditions: NodeCondition[];
  /** ISO creation time (candidate ordering). */
  creationTimestamp: string;
  /** `metadata.resourceVersion` as read: guards the control plane's writes (a stale decision gets a 409). */
  resourceVersion?: string;
}

/** A pool's target: the rendered config name and, for image-mode nodes, the pinned image. */
export interface PoolTarget {
  config: string;
  /** `host/repo@sha256:…`, or null when the target carries no image annotation. */
  image: string | null;
}

/** Stable key of a target, used to remember which target a node failed on. */
export function targetKey(target: PoolTarget): string {
  if (target.config === '') return target.image ?? '';
  return target.image ? `${target.config}|${target.image}` : target.config;
}

/** A target that is an image only (the `agent` driver: no rendered MachineConfig exists). */
export function imageTarget(image: string): PoolTarget {
  return { config: '', image };
}

function annotation(node: NodeFacts, key: string): string | undefined {
  return node.annotations[key];
}

/** `IsNodeReady`: Ready True, DiskPressure False, NetworkUnavailable False, schedulable; missing conditions are fine. */
export function isNodeReady(node: NodeFacts): boolean {
  for (const c of node.conditions) {
    if (c.type === 'Ready' && c.status !== 'True') return false;
    if (c.type === 'DiskPressure' && c.status !== 'False') return false;
    if (c.type === 'NetworkUnavailable' && c.status !== 'False') return false;
  }
  return !node.unschedulable;
}

/** `IsNodeDone`: current = desired config (both set), images done, state Done. */
export function isNodeDone(node: NodeFacts): boolean {
  const current = annotation(node, NodeAnnotations.currentConfig);
  const desired = annotation(node, NodeAnnotations.desiredConfig);
  if (!current || !desired || current !== desired) return false;
  const desiredImage = annotation(node, NodeAnnotations.desiredImage);
  const currentImage = annotation(node, NodeAnnotations.currentImage);
  if (desiredImage !== undefined || currentImage !== undefined) {
    if (!desiredImage || !currentImage || desiredImage !== currentImage) return false;
  }
  return annotation(node, NodeAnnotations.state) === 'Done';
}

/** True when the daemon reports `Degraded` or `Unreconcilable`, whatever the config. */
export function isNodeDegraded(node: NodeFacts): boolean {
  const state = annotation(node, NodeAnnotations.state);
  return state === 'Degraded' || state === 'Unreconcilable';
}

/** `IsNodeMCDFailing`: current ≠ desired config (missing equals missing) and the daemon reports a failure. */
export function isNodeMCDFailing(node: NodeFacts): boolean {
  const current = annotation(node, NodeAnnotations.currentConfig) ?? '';
  const desired = annotation(node, NodeAnnotations.desiredConfig) ?? '';
  return current !== desired && isNodeDegraded(node);
}

/** `IsUnavailableForUpdate`: not ready, or neither done nor failing mid-transition. */
export function isUnavailableForUpdate(node: NodeFacts): boolean {
  if (!isNodeReady(node)) return true;
  if (isNodeDone(node)) return false;
  return !isNodeMCDFailing(node);
}

/** True when the node's desired annotations already name the target (it has been started towards it). */
export function isTargeted(node: NodeFacts, target: PoolTarget): boolean {
  const desiredImage = annotation(node, NodeAnnotations.desiredImage);
  return (
    annotation(node, NodeAnnotations.desiredConfig) === target.config &&
    (target.image === null ? desiredImage === undefined : desiredImage === target.image)
  );
}

/** `IsDone(pool)`, the "updated" predicate: done, at the target config and image. */
export function isUpdated(node: NodeFacts, target: PoolTarget): boolean {
  return isNodeDone(node) && isTargeted(node, target);
}

/** MCO's `GetMachinesByState` lists. */
export interface MachinesByState {
  updated: NodeFacts[];
  ready: NodeFacts[];
  unavailable: NodeFacts[];
  degraded: NodeFacts[];
}

/** Sorts nodes into MCO's four (overlapping) lists. */
export function machinesByState(
  nodes: NodeFacts[],
  target: PoolTarget,
  vocabulary: NodeVocabulary = mcoNodes,
): MachinesByState {
  const updated = nodes.filter((n) => vocabulary.isUpdated(n, target));
  return {
    updated,
    ready: updated.filter(isNodeReady),
    unavailable: nodes.filter((n) => vocabulary.isUnavailable(n)),
    degraded: nodes.filter((n) => vocabulary.isDegraded(n)),
  };
}

/**
 * How the pool mechanics read a node: MCO's annotations (the functions above) or the Strata agent's
 * (agent-nodes.ts). The slot machinery, candidate rules and pool status are the same for both.
 */
export interface NodeVocabulary {
  /** Settled on what it runs (MCO's `IsNodeDone`). */
  isDone(node: NodeFacts): boolean;
  /** Reports a failure, whatever it was updating to. */
  isDegraded(node: NodeFacts): boolean;
  /** Counted as failing by the candidate rules (MCO: reduces the capacity left for new starts). */
  isFailing(node: NodeFacts): boolean;
  /** Unavailable for the candidate rules (not ready, or mid-update). */
  isUnavailable(node: NodeFacts): boolean;
  /** The node has been told `target` (it works towards it, or runs it). */
  isTargeted(node: NodeFacts, target: PoolTarget): boolean;
  /** Done at `target`. */
  isUpdated(node: NodeFacts, target: PoolTarget): boolean;
  /** Failed on `target` (its own report). */
  failedOn(node: NodeFacts, target: PoolTarget): boolean;
  /** Why the node reports a failure ('' when it does not). */
  reason(node: NodeFacts): string;
  /** What a done node runs (the pool's baseline), or null. */
  current(node: NodeFacts): PoolTarget | null;
}

/** MCO's node annotations, read as `layered_node_state.go` does. */
export const mcoNodes: NodeVocabulary = {
  isDone: isNodeDone,
  isDegraded: isNodeDegraded,
  isFailing: isNodeMCDFailing,
  isUnavailable: isUnavailableForUpdate,
  isTargeted,
  isUpdated,
  failedOn: (node, target) => isTargeted(node, target) && isNodeMCDFailing(node),
  reason: (node) => annotation(node, NodeAnnotations.reason) ?? '',
  current: (node) => {
    const config = annotation(node, NodeAnnotations.currentConfig);
    return config ? { config, image: annotation(node, NodeAnnotations.currentImage) ?? null } : null;
  },
};
