/**
 * The pool planner: from a pool's target, its nodes' facts and the recorded slots, decide the next step of
 * every node. Pure; the reconcile handler records the decision (intent) and then performs it.
 */
import type { ClusterDriver } from '../clusters.ts';
import { AgentAnnotations, type IntOrPercent, NodeAnnotations } from '../model.ts';
import {
  agentCancelAnnotations,
  agentDesiredImage,
  agentNodes,
  agentPhase,
  agentStateSince,
  agentTargetAnnotations,
} from './agent-nodes.ts';
import { needsTarget, selectCandidates } from './candidates.ts';
import { resolveMaxUnavailable } from './max-unavailable.ts';
import {
  isNodeMCDFailing,
  isTargeted,
  isUpdated,
  mcoNodes,
  type NodeFacts,
  type NodeVocabulary,
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
  /** How the nodes are moved (default `mco`: MCO's node annotations). */
  driver?: ClusterDriver;
  /**
   * `agent`: a node the agent does not move on for this long (not Staged since its slot was taken, not
   * Done since the reboot request) fails: it counts against the budgets instead of holding its slot.
   */
  updateTimeoutSeconds?: number;
}

/** Default per-node update timeout of the `agent` driver: beyond the agent's own 12 + 10 + 5 minutes. */
export const DEFAULT_UPDATE_TIMEOUT_SECONDS = 1800;

/** Annotations to write on a node: a string sets, null removes. */
export type AnnotationChanges = Record<string, string | null>;

/** What to do to one node that holds a slot. */
export type NodeStep =
  /**
   * Tell the node: with `drain`, cordon and drain it first (evictions; the annotations only once nothing
   * evictable is left). mco: desiredConfig/desiredImage after the drain; agent: desired-image while it
   * serves, then the reboot request after the drain.
   */
  | { node: string; kind: 'prepare'; target: PoolTarget; drain: boolean; annotations: AnnotationChanges }
  /** Told; its daemon or agent is working. Wait (`phase` says for what). */
  | { node: string; kind: 'wait'; target: PoolTarget; phase: string }
  /** Give the node back: write `annotations` (if any), then uncordon (done at target, or given back). */
  | { node: string; kind: 'uncordon'; target: PoolTarget; annotations?: AnnotationChanges }
  /** Failed on its target and cordoned: keep the slot (it still counts against capacity), touch nothing. */
  | { node: string; kind: 'hold-failed'; target: PoolTarget };

/** The planner's decision for one pass. */
export interface PoolPlan {
  /** New slots to record before anything else. */
  start: string[];
  /** Steps for nodes holding slots (including the new ones), after the intent write. */
  steps: NodeStep[];
  /** Slots to free: node done, seen uncordoned, at target; given back; failed while serving; or gone. */
  release: string[];
  /** Slotted nodes that failed on their target for the first time. */
  newlyFailed: string[];
  /** Why each newly failed node failed (the node's reason, or the update timeout). */
  failureReasons: Record<string, string>;
  /** Newly failed nodes whose failure is the update timeout. */
  timedOut: string[];
  /** Slotted nodes whose drain is past the timeout for the first time. */
  newlyStuck: string[];
  /** Slots whose node is not yet told (agent: not yet asked to reboot) and whose target moved on. */
  retarget: string[];
  /** Nodes a hold (pause) keeps where they are: told their target, waiting for the resume. */
  held: string[];
  /** Nodes a hold gives back: cordoned or told but not yet updating, uncordoned and freed. */
  givenBack: string[];
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

/** A slot's step and what it reports. */
interface SlotDecision {
  step: NodeStep | 'release';
  failed?: string;
  /** The failure is the control plane's update timeout (no word from the agent). */
  timedOut?: boolean;
  stuck?: boolean;
  held?: boolean;
  givenBack?: boolean;
}

interface StepContext {
  poolTarget: PoolTarget | null;
  holds: StartHold[];
  nowMs: number;
  drainTimeoutSeconds: number;
  updateTimeoutSeconds: number;
}

const secondsSince = (nowMs: number, iso: string | number) =>
  (nowMs - (typeof iso === 'number' ? iso : Date.parse(iso))) / 1000;

/** The annotations that tell an MCO daemon `target`. */
function mcoAnnotations(target: PoolTarget): AnnotationChanges {
  return { [NodeAnnotations.desiredConfig]: target.config, [NodeAnnotations.desiredImage]: target.image };
}

/** Decides the step of a node holding a slot (MCO's annotations). Exported to be tested on its own. */
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
        return prepare(node.name, poolTarget, true, mcoAnnotations(poolTarget));
      }
      return { node: node.name, kind: 'hold-failed', target };
    }
    return { node: node.name, kind: 'wait', target, phase: 'updating' };
  }
  // Not annotated yet: follow the pool's current target so nothing is annotated twice for a stale one.
  const next = poolTarget ?? target;
  return prepare(node.name, next, true, mcoAnnotations(next));
}

function prepare(node: string, target: PoolTarget, drain: boolean, annotations: AnnotationChanges): NodeStep {
  return { node, kind: 'prepare', target, drain, annotations };
}

function mcoSlotDecision(node: NodeFacts, slot: Slot, c: StepContext): SlotDecision {
  const step = slotStep(node, slot, c.poolTarget);
  if (step === 'release') return { step };
  const decision: SlotDecision = { step };
  if (step.kind === 'hold-failed' && !slot.failed) decision.failed = mcoNodes.reason(node);
  if (step.kind !== 'prepare') return decision;
  // A held rollout tells no node its target: a node cordoned for it but never told is given back.
  if ((c.holds.includes('halted') || c.holds.includes('paused')) && !isTargeted(node, slot.target)) {
    return node.unschedulable
      ? { step: { node: node.name, kind: 'uncordon', target: slot.target }, givenBack: true }
      : { step: 'release', givenBack: true };
  }
  if (targetKey(step.target) === targetKey(slot.target) && !slot.stuck) {
    decision.stuck = secondsSince(c.nowMs, slot.since) > c.drainTimeoutSeconds;
  }
  return decision;
}

/** Decides the step of a node holding a slot (the agent protocol, docs/agent.md). */
export function agentSlotDecision(node: NodeFacts, slot: Slot, c: StepContext): SlotDecision {
  const target = slot.target;
  const image = target.image ?? '';
  const name = node.name;
  const phase = agentPhase(node, image);
  const told = agentDesiredImage(node) === image;
  const moved = c.poolTarget !== null && targetKey(c.poolTarget) !== targetKey(target);
  const tell = (t: PoolTarget): NodeStep => prepare(name, t, false, agentTargetAnnotations(node, t));
  const giveBack = (cancel: boolean): SlotDecision => {
    if (!node.unschedulable && !(cancel && told)) return { step: 'release', givenBack: true };
    const annotations = cancel && told ? agentCancelAnnotations(node) : undefined;
    return {
      step: { node: name, kind: 'uncordon', target, ...(annotations ? { annotations } : {}) },
      givenBack: true,
    };
  };
  if (phase === 'done')
    return { step: node.unschedulable ? { node: name, kind: 'uncordon', target } : 'release' };
  const failedNow = phase === 'degraded' && !slot.failed ? agentNodes.reason(node) || 'Degraded' : undefined;
  if (slot.failed || failedNow !== undefined) {
    const failed = failedNow !== undefined ? { failed: failedNow } : {};
    // A newer target (rollback, supersede) takes the failed node over.
    if (moved) return { step: tell(c.poolTarget!), ...failed };
    if (node.unschedulable) return { step: { node: name, kind: 'hold-failed', target }, ...failed };
    // Failed while it serves: the slot is freed (it still counts against the budgets). A node that timed
    // out without a word from its agent is told to stay where it is, so a late staging is discarded.
    if (slot.timedOut && told) return { ...giveBack(true), givenBack: false, ...failed };
    return { step: 'release', ...failed };
  }
  const preReboot = phase === 'pending' || phase === 'staging' || phase === 'staged';
  if (preReboot && (c.holds.includes('halted') || (c.holds.includes('paused') && !told)))
    return giveBack(true);
  if (preReboot && c.holds.includes('paused')) {
    // Told and staging or staged: held where it is; a node cordoned for its drain is given back meanwhile.
    if (node.unschedulable) return { step: { node: name, kind: 'uncordon', target }, held: true };
    return {
      step: { node: name, kind: 'wait', target, phase: `held (${phase}) until the resume` },
      held: true,
    };
  }
  if (preReboot && moved) return { step: tell(c.poolTarget!) };
  const timeout = (since: number, what: string): SlotDecision | null =>
    secondsSince(c.nowMs, since) > c.updateTimeoutSeconds
      ? {
          step: { node: name, kind: 'wait', target, phase },
          failed: `update timeout: ${what} within ${c.updateTimeoutSeconds}s`,
          timedOut: true,
        }
      : null;
  switch (phase) {
    case 'pending':
      if (!told) return { step: tell(target) };
      return (
        timeout(Date.parse(slot.since), `the node agent did not take up ${image}`) ?? {
          step: { node: name, kind: 'wait', target, phase: 'told; waiting for the agent' },
        }
      );
    case 'staging':
      return (
        timeout(Date.parse(slot.since), `not Staged`) ?? {
          step: { node: name, kind: 'wait', target, phase: 'staging' },
        }
      );
    case 'staged': {
      const since = agentStateSince(node);
      const stuck =
        !slot.stuck &&
        secondsSince(c.nowMs, Number.isNaN(since) ? slot.since : since) > c.drainTimeoutSeconds;
      return { step: prepare(name, target, true, { [AgentAnnotations.reboot]: image }), stuck };
    }
    default: {
      // Asked to reboot, or rebooting: only the agent (or a host that never comes back) moves it on.
      const since = agentStateSince(node);
      return (
        timeout(
          Number.isNaN(since) ? Date.parse(slot.since) : since,
          `not Done after the reboot request`,
        ) ?? {
          step: { node: name, kind: 'wait', target, phase },
        }
      );
    }
  }
}

/** Plans one pass over a pool. */
export function planPool(input: PoolPlanInput): PoolPlan {
  const { nodes, target, slots, failed, now, drainTimeoutSeconds } = input;
  const driver = input.driver ?? 'mco';
  const vocabulary = driver === 'agent' ? agentNodes : mcoNodes;
  const holds = [...input.holds];
  if (!target && !holds.includes('no-target')) holds.push('no-target');
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const maxUnavailable = resolveMaxUnavailable(input.maxUnavailable, nodes.length);
  const steps: NodeStep[] = [];
  const release: string[] = [];
  const newlyFailed: string[] = [];
  const failureReasons: Record<string, string> = {};
  const timedOut: string[] = [];
  const newlyStuck: string[] = [];
  const retarget: string[] = [];
  const held: string[] = [];
  const givenBack: string[] = [];
  const context: StepContext = {
    poolTarget: target,
    holds,
    nowMs: Date.parse(now),
    drainTimeoutSeconds,
    updateTimeoutSeconds: input.updateTimeoutSeconds ?? DEFAULT_UPDATE_TIMEOUT_SECONDS,
  };
  for (const [name, slot] of Object.entries(slots).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const node = byName.get(name);
    if (!node) {
      release.push(name);
      continue;
    }
    const decision =
      driver === 'agent' ? agentSlotDecision(node, slot, context) : mcoSlotDecision(node, slot, context);
    if (decision.failed !== undefined) {
      newlyFailed.push(name);
      failureReasons[name] = decision.failed;
      if (decision.timedOut) timedOut.push(name);
    }
    if (decision.stuck) newlyStuck.push(name);
    if (decision.held) held.push(name);
    if (decision.givenBack) givenBack.push(name);
    const { step } = decision;
    if (step === 'release') {
      release.push(name);
      continue;
    }
    // A new target restarts the slot's clocks.
    if (step.kind === 'prepare' && targetKey(step.target) !== targetKey(slot.target)) retarget.push(name);
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
      vocabulary,
    });
    capacity = selection.capacity;
    start = selection.start.map((n) => n.name);
    for (const name of start) {
      const node = byName.get(name)!;
      steps.push(
        driver === 'agent'
          ? prepare(name, target, false, agentTargetAnnotations(node, target))
          : prepare(name, target, true, mcoAnnotations(target)),
      );
    }
  }
  // Done: every node updated and schedulable, except nodes that failed on this target (they count against
  // the failure budget, which the rollout policy judges; they must not hold a tolerated rollout forever).
  const failedHere = (name: string) =>
    target !== null &&
    (newlyFailed.includes(name) ||
      failed[name] === targetKey(target) ||
      (slots[name]?.failed === true && targetKey(slots[name]!.target) === targetKey(target)));
  const updated = (n: NodeFacts) => target !== null && vocabulary.isUpdated(n, target) && !n.unschedulable;
  const done =
    target !== null &&
    start.length === 0 &&
    Object.keys(slots).every((name) => release.includes(name) || failedHere(name)) &&
    nodes.every((n) => updated(n) || failedHere(n.name));
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
    nodes.some((n) => !failedHere(n.name) && !updated(n));
  return {
    start,
    steps,
    stalled,
    release,
    newlyFailed,
    failureReasons,
    timedOut,
    newlyStuck,
    retarget,
    held,
    givenBack,
    maxUnavailable,
    capacity,
    done,
    holds,
  };
}

/** Nodes of the pool that still have to move to the target (for progress and "why blocked" answers). */
export function remainingNodes(
  nodes: NodeFacts[],
  target: PoolTarget,
  vocabulary: NodeVocabulary = mcoNodes,
): string[] {
  return nodes
    .filter((n) => needsTarget(n, target, vocabulary) || !vocabulary.isUpdated(n, target))
    .map((n) => n.name);
}
