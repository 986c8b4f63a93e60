/**
 * The pool planner: from a pool's target, its nodes' facts and the recorded slots, decide the next step of
 * every node. Pure; the reconcile handler records the decision (intent) and then performs it.
 */
import type { IntOrPercent } from '../model.ts';
import { needsTarget, selectCandidates } from './candidates.ts';
import { resolveMaxUnavailable } from './max-unavailable.ts';
import {
  isNodeMCDFailing,
  isTargeted,
  isUpdated,
  type NodeFacts,
  type PoolTarget,
  targetKey,
} from './node-facts.ts';
import type { Slot, StartHold } from './pool-state.ts';

/** Inputs of {@link planPool}. */
export interface PoolPlanInput {
  nodes: NodeFacts[];
  target: PoolTarget | null;
  maxUnavailable?: IntOrPercent;
  slots: Record<string, Slot>;
  /** node → targetKey of the target it failed on. */
  failed: Record<string, string>;
  /** Reasons new starts are held; empty when nodes may start. */
  holds: StartHold[];
  now: string;
  drainTimeoutSeconds: number;
}

/** What to do to one node that holds a slot. */
export type NodeStep =
  /** Cordon, drain, then set desiredConfig/desiredImage to `target`. */
  | { node: string; kind: 'prepare'; target: PoolTarget }
  /** Annotated; the daemon is working. Serve its drain requests and wait. */
  | { node: string; kind: 'wait'; target: PoolTarget }
  /** Done at target but still cordoned. */
  | { node: string; kind: 'uncordon'; target: PoolTarget }
  /** Degraded on its target: keep the slot (it still counts against capacity), touch nothing. */
  | { node: string; kind: 'hold-failed'; target: PoolTarget };

/** The planner's decision for one pass. */
export interface PoolPlan {
  /** New slots to record before anything else. */
  start: string[];
  /** Steps for nodes holding slots (including the new ones), after the intent write. */
  steps: NodeStep[];
  /** Slots to free: node done, uncordoned, at target; or gone from the cluster. */
  release: string[];
  /** Slotted nodes that are degraded on their target for the first time. */
  newlyFailed: string[];
  /** Slotted nodes whose drain is past the timeout for the first time. */
  newlyStuck: string[];
  /** Slots whose node is not yet annotated and whose target moved on (supersede, rollback). */
  retarget: string[];
  maxUnavailable: number;
  capacity: number;
  /** Target set, no slot held, every node updated. */
  done: boolean;
  /**
   * No progress is possible: nodes still need the target, but nodes that failed on it hold all of
   * maxUnavailable (MCO would wait forever; the rollout policy halts or rolls back instead).
   */
  stalled: boolean;
  holds: StartHold[];
}

/** Decides the step of a node holding a slot. Exported to be tested on its own. */
export function slotStep(node: NodeFacts, slot: Slot, poolTarget: PoolTarget | null): NodeStep | 'release' {
  const target = slot.target;
  if (isUpdated(node, target)) {
    return node.unschedulable ? { node: node.name, kind: 'uncordon', target } : 'release';
  }
  if (isTargeted(node, target)) {
    // Failed on this target: MCO's "MCD failing" (desired ≠ current, Degraded/Unreconcilable). A node told to
    // go back to the config it still runs may show a stale Degraded from its previous failure until its
    // daemon reacts; that is not a failure of the new target.
    if (isNodeMCDFailing(node)) {
      // A newer target (rollback, supersede) may take over a failed node: it is already cordoned and drained.
      if (poolTarget && targetKey(poolTarget) !== targetKey(target)) {
        return { node: node.name, kind: 'prepare', target: poolTarget };
      }
      return { node: node.name, kind: 'hold-failed', target };
    }
    return { node: node.name, kind: 'wait', target };
  }
  // Not annotated yet: follow the pool's current target so nothing is annotated twice for a stale one.
  return { node: node.name, kind: 'prepare', target: poolTarget ?? target };
}

/** Plans one pass over a pool. */
export function planPool(input: PoolPlanInput): PoolPlan {
  const { nodes, target, slots, failed, now, drainTimeoutSeconds } = input;
  const holds = [...input.holds];
  if (!target && !holds.includes('no-target')) holds.push('no-target');
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const maxUnavailable = resolveMaxUnavailable(input.maxUnavailable, nodes.length);
  const steps: NodeStep[] = [];
  const release: string[] = [];
  const newlyFailed: string[] = [];
  const newlyStuck: string[] = [];
  const retarget: string[] = [];
  for (const [name, slot] of Object.entries(slots).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const node = byName.get(name);
    if (!node) {
      release.push(name);
      continue;
    }
    const step = slotStep(node, slot, target);
    if (step === 'release') {
      release.push(name);
      continue;
    }
    if (step.kind === 'hold-failed' && !slot.failed) newlyFailed.push(name);
    // A halted rollout starts nothing more: a node cordoned for it but never told the target is given back.
    if (step.kind === 'prepare' && holds.includes('halted') && !isTargeted(node, slot.target)) {
      if (node.unschedulable) steps.push({ node: name, kind: 'uncordon', target: slot.target });
      else release.push(name);
      continue;
    }
    if (step.kind === 'prepare') {
      const elapsed = (Date.parse(now) - Date.parse(slot.since)) / 1000;
      // A new target restarts the drain clock.
      if (targetKey(step.target) !== targetKey(slot.target)) retarget.push(name);
      else if (!slot.stuck && elapsed > drainTimeoutSeconds) newlyStuck.push(name);
    }
    steps.push(step);
  }
  let start: string[] = [];
  let capacity = 0;
  if (target && holds.length === 0) {
    const failedOnTarget = new Set(
      Object.entries(failed)
        .filter(([, key]) => key === targetKey(target))
        .map(([name]) => name),
    );
    const selection = selectCandidates({
      nodes,
      target,
      maxUnavailable,
      slotted: new Set(Object.keys(slots)),
      failedOnTarget,
    });
    capacity = selection.capacity;
    start = selection.start.map((n) => n.name);
    for (const name of start) steps.push({ node: name, kind: 'prepare', target });
  }
  // Done: every node updated and schedulable, except nodes that failed on this target (they count against
  // the failure budget, which the rollout policy judges; they must not hold a tolerated rollout forever).
  const failedHere = (name: string) =>
    target !== null &&
    (newlyFailed.includes(name) ||
      (slots[name]?.failed === true && targetKey(slots[name]!.target) === targetKey(target)));
  const done =
    target !== null &&
    start.length === 0 &&
    Object.keys(slots).every((name) => release.includes(name) || failedHere(name)) &&
    nodes.every((n) => (isUpdated(n, target) && !n.unschedulable) || failedHere(n.name));
  const failedSlots = Object.keys(slots).filter((name) => !release.includes(name) && failedHere(name)).length;
  const stuckHere = (name: string) => slots[name]?.stuck === true || newlyStuck.includes(name);
  const activeSlots = Object.keys(slots).filter(
    (name) => !release.includes(name) && !failedHere(name) && !stuckHere(name),
  ).length;
  const stuckSlots = Object.keys(slots).filter((name) => !release.includes(name) && stuckHere(name)).length;
  // Stalled: failures (possibly with drains stuck behind them, e.g. a PDB whose pods cannot reschedule)
  // hold all of maxUnavailable. A stuck drain alone is not a stall: the PDB may let go.
  const stalled =
    target !== null &&
    !done &&
    holds.length === 0 &&
    start.length === 0 &&
    activeSlots === 0 &&
    failedSlots > 0 &&
    failedSlots + stuckSlots >= maxUnavailable &&
    nodes.some((n) => !failedHere(n.name) && !(isUpdated(n, target) && !n.unschedulable));
  return {
    start,
    steps,
    stalled,
    release,
    newlyFailed,
    newlyStuck,
    retarget,
    maxUnavailable,
    capacity,
    done,
    holds,
  };
}

/** Nodes of the pool that still have to move to the target (for progress and "why blocked" answers). */
export function remainingNodes(nodes: NodeFacts[], target: PoolTarget): string[] {
  return nodes.filter((n) => needsTarget(n, target) || !isUpdated(n, target)).map((n) => n.name);
}
