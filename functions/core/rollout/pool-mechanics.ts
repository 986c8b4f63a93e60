/**
 * Pool mechanics: how Strata itself moves a pool's nodes (slots recorded before anything is touched, then
 * cordon, drain, annotate for the node's daemon, uncordon when it is back). One reconcile pass is
 * {@link planPoolPass}: the planner's decision (pool-plan.ts, candidates.ts) applied to the pool's state,
 * giving the whole next state (the intent, written before any side effect) and the steps to perform. The
 * fleet-level modules (lifecycle, rollout-plan, pool-targets) do not depend on any of this.
 */
import type { ClusterDriver } from '../clusters.ts';
import type { RolloutStatus } from '../model.ts';
import { MAX_DELAY_SECONDS } from '../ports.ts';
import { agentNodes } from './agent-nodes.ts';
import { startHolds } from './lifecycle.ts';
import { mcoNodes, type NodeFacts, type NodeVocabulary, type PoolTarget, targetKey } from './node-facts.ts';
import { DEFAULT_UPDATE_TIMEOUT_SECONDS, type PoolPlan, planPool } from './pool-plan.ts';
import { hasActiveSlots, type PoolRecord, type StartHold } from './pool-state.ts';
import { calculatePoolStatus } from './pool-status.ts';
import { isWindowOpen, type MaintenanceWindow, nextWindowOpening } from './windows.ts';

/** Timing of the reconcile. */
export interface ReconcileSettings {
  /** Requeue delay while nodes are in flight, in seconds (cluster events usually come sooner). */
  pollSeconds: number;
  /** A drain still blocked after this long reports the node stuck (it keeps its slot). */
  drainTimeoutSeconds: number;
  /** Requeue delay after a PDB refused an eviction (HTTP 429). */
  drainRetrySeconds: number;
  /** Passes per invocation: after an uncordon the next node starts in the same invocation. */
  maxPasses: number;
  /** `agent` driver: a node the agent does not move on for this long fails (pool-plan.ts). */
  updateTimeoutSeconds: number;
  /** A poll chain this far past its due time counts as lost and is taken over (poll-chain.ts). */
  pollGraceSeconds: number;
}

/** The settings deployed on AWS. */
export const DEFAULT_RECONCILE_SETTINGS: ReconcileSettings = {
  pollSeconds: 10,
  drainTimeoutSeconds: 900,
  drainRetrySeconds: 5,
  maxPasses: 4,
  updateTimeoutSeconds: DEFAULT_UPDATE_TIMEOUT_SECONDS,
  pollGraceSeconds: 30,
};

/** How the nodes of a cluster driven by `driver` are read. */
export function vocabularyOf(driver: ClusterDriver | undefined): NodeVocabulary {
  return driver === 'agent' ? agentNodes : mcoNodes;
}

/** What one pass starts from: the pool's state, its nodes, its rollout's status, its cluster's windows. */
export interface PoolPassInput {
  pool: PoolRecord;
  /** The nodes of this pool (by primary pool). */
  nodes: NodeFacts[];
  /** The status of the rollout whose target the pool has (undefined without one). */
  rolloutStatus: RolloutStatus | undefined;
  windows: MaintenanceWindow[] | undefined;
  now: Date;
  drainTimeoutSeconds: number;
  /** How the pool's nodes are moved (default `mco`). */
  driver?: ClusterDriver;
  updateTimeoutSeconds?: number;
}

/** One pass: the decision and the pool's whole next state. */
export interface PoolPass {
  plan: PoolPlan;
  /** The next state of the pool item: the intent (slots, failures) and the report (status, holds). */
  next: PoolRecord;
  /** The intent changed: write `next` (conditionally) before any side effect of `plan.steps`. */
  writeIntent: boolean;
  /** The planner should look now: the target was reached, a node failed, or the pool stalled. */
  notifyPlanner: boolean;
  windowClosed: boolean;
}

/** The pool item's intent: what must be written before any side effect. */
function intentOf(p: PoolRecord): string {
  return JSON.stringify([
    p.slots,
    p.failed,
    p.failureReasons ?? {},
    p.stuck,
    p.lastCompleted,
    p.reached,
    p.stalled ?? false,
  ]);
}

/** What the pool item reports (status, holds): written once per invocation, after the work. */
function reportOf(p: PoolRecord): string {
  return JSON.stringify([p.holds, p.status, p.held ?? [], p.givenBack ?? []]);
}

/** The config all nodes agree on and are done with, if they do (the baseline before any rollout). */
export function agreedConfig(nodes: NodeFacts[], vocabulary: NodeVocabulary = mcoNodes): PoolTarget | null {
  if (nodes.length === 0 || !nodes.every((n) => vocabulary.isDone(n))) return null;
  const first = vocabulary.current(nodes[0]!);
  if (!first) return null;
  const same = nodes.every((n) => {
    const current = vocabulary.current(n);
    return current !== null && targetKey(current) === targetKey(first) && current.image === first.image;
  });
  return same ? first : null;
}

/** Plans one pass over a pool and applies the decision to its state. Pure. */
export function planPoolPass(input: PoolPassInput): PoolPass {
  const { pool: current, nodes } = input;
  const at = input.now.toISOString();
  const holds: StartHold[] = startHolds(input.rolloutStatus);
  if (current.paused) holds.push('pool-paused');
  const windowClosed = !isWindowOpen(input.windows, input.now);
  if (windowClosed) holds.push('window-closed');
  const target: PoolTarget | null = current.target
    ? { config: current.target.config, image: current.target.image }
    : null;
  const plan = planPool({
    nodes,
    target,
    ...(current.maxUnavailable !== undefined ? { maxUnavailable: current.maxUnavailable } : {}),
    slots: current.slots,
    failed: current.failed,
    holds,
    now: at,
    drainTimeoutSeconds: input.drainTimeoutSeconds,
    ...(input.driver ? { driver: input.driver } : {}),
    ...(input.updateTimeoutSeconds !== undefined ? { updateTimeoutSeconds: input.updateTimeoutSeconds } : {}),
  });
  const vocabulary = vocabularyOf(input.driver);

  const next: PoolRecord = structuredClone(current);
  next.updatedAt = at;
  next.holds = plan.holds;
  next.held = plan.held;
  // Nodes given back stay listed while the pause or halt lasts (describe says which), not only in the pass
  // that gave them back.
  const holding = plan.holds.includes('paused') || plan.holds.includes('halted');
  next.givenBack = holding
    ? [...new Set([...(current.givenBack ?? []), ...plan.givenBack])]
        .filter((n) => !plan.steps.some((s) => s.node === n && s.kind !== 'uncordon'))
        .sort()
    : [];
  for (const name of plan.release) delete next.slots[name];
  for (const step of plan.steps) {
    // A new target restarts the drain clock (a failed node taken over by a rollback is already drained).
    if (!next.slots[step.node] || plan.retarget.includes(step.node)) {
      next.slots[step.node] = { target: step.target, since: at };
    }
  }
  for (const name of plan.newlyFailed) {
    const slot = current.slots[name]!;
    // A failed node freed in the same pass (it failed while serving) keeps only its failure record.
    if (next.slots[name]) {
      next.slots[name] = { ...next.slots[name]!, failed: true };
      if (plan.timedOut.includes(name)) next.slots[name]!.timedOut = true;
    }
    next.failed[name] = targetKey(slot.target);
    next.failureReasons = { ...next.failureReasons, [name]: plan.failureReasons[name] ?? '' };
  }
  for (const name of plan.newlyStuck) {
    next.slots[name] = { ...next.slots[name]!, stuck: true };
    if (!next.stuck.includes(name)) next.stuck.push(name);
  }
  next.stuck = next.stuck.filter((n) => next.slots[n]?.stuck);
  if (target) {
    next.status = calculatePoolStatus({
      nodes,
      target,
      vocabulary,
      paused: plan.holds.includes('paused') || plan.holds.includes('pool-paused'),
      now: at,
      ...(current.status ? { previous: current.status } : {}),
    });
    if (plan.done) {
      next.lastCompleted = target;
      next.reached = true;
    }
  } else {
    next.lastCompleted = current.lastCompleted ?? agreedConfig(nodes, vocabulary);
  }
  next.stalled = plan.stalled;
  return {
    plan,
    next,
    writeIntent: intentOf(next) !== intentOf(current),
    notifyPlanner:
      (plan.done && !current.reached) || plan.newlyFailed.length > 0 || (plan.stalled && !current.stalled),
    windowClosed,
  };
}

/**
 * The report of the last pass (status counts, conditions, holds) over the pool as last written, or null
 * when it already says that.
 */
export function withReport(written: PoolRecord, computed: PoolRecord): PoolRecord | null {
  if (reportOf(computed) === reportOf(written)) return null;
  return {
    ...written,
    holds: computed.holds,
    status: computed.status,
    held: computed.held ?? [],
    givenBack: computed.givenBack ?? [],
    updatedAt: computed.updatedAt,
  };
}

/** What the requeue decision needs from the end of a reconcile. */
export interface RequeueInput {
  /** A PDB refused an eviction in the last pass. */
  drainBlocked: boolean;
  /** The last pass left nodes in flight. */
  slotsHeld: boolean;
  /** The pool as last read or written (null when it is gone). */
  pool: PoolRecord | null;
  /** The pool's target is done. */
  done: boolean;
  holds: StartHold[];
  windowClosed: boolean;
  windows: MaintenanceWindow[] | undefined;
  now: Date;
  settings: Pick<ReconcileSettings, 'pollSeconds' | 'drainRetrySeconds'>;
}

/**
 * When to reconcile the pool again by itself (seconds), or null when only events move it on: soon after a
 * refused eviction; at the poll interval while nodes are in flight or while it may start nodes; when the
 * next maintenance window opens (at most {@link MAX_DELAY_SECONDS}; the resync tick covers longer waits).
 */
export function requeueAfter(input: RequeueInput): number | null {
  const { pool, settings } = input;
  if (input.drainBlocked) return settings.drainRetrySeconds;
  if (input.slotsHeld || (pool && hasActiveSlots(pool))) return settings.pollSeconds;
  if (!pool?.target || input.done) return null;
  if (input.windowClosed) {
    const opens = nextWindowOpening(input.windows, input.now);
    if (!opens) return null;
    return Math.min(MAX_DELAY_SECONDS, Math.max(1, (opens.getTime() - input.now.getTime()) / 1000));
  }
  return input.holds.length === 0 ? settings.pollSeconds : null;
}

/** The outcome of one reconcile of a pool. */
export interface PoolReconcileOutcome {
  clusterId: string;
  pool: string;
  started: string[];
  released: string[];
  holds: StartHold[];
  done: boolean;
  /** Lost optimistic-concurrency races (re-read and re-planned). */
  conflicts: number;
  requeueAfterSeconds: number | null;
}

/** What a reconcile did before it did anything. */
export function emptyReconcileOutcome(key: { clusterId: string; pool: string }): PoolReconcileOutcome {
  return {
    ...key,
    started: [],
    released: [],
    holds: [],
    done: false,
    conflicts: 0,
    requeueAfterSeconds: null,
  };
}
