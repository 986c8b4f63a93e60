/**
 * A node's update history, derived only from what the control plane observes of it (the change between
 * its previous and its new facts), never from what Strata did to it: so it reads the same whichever
 * mechanics move the node (Strata's slots, MCO's own controllers, the node agent). Each attempt is one
 * target the node was told (or one cordon that preceded the telling), with its steps in the order seen.
 */
import {
  type HistoryTarget,
  type NodeReading,
  type ObservedNode,
  readNode,
  targetKey,
} from './observed-node.ts';

/** Attempts kept per node (the oldest go first). */
export const MAX_ATTEMPTS = 20;
/** Steps kept per attempt (a flapping node keeps its first steps and its latest). */
export const MAX_STEPS = 40;
/** A node's history item is deleted this long after its last change (DynamoDB TTL). */
export const HISTORY_TTL_SECONDS = 90 * 24 * 3600;

/**
 * What was observed, in order: `cordon`, `drain`, `drained` (MCO's drain annotations), `target` (told a new
 * config or image), `working` (MCO's daemon), `staging`, `staged`, `rebooting` (the agent), `not-ready`,
 * `ready` (the reboot as the API sees it), `done` (Done at its target), `degraded`, `uncordon`.
 */
export type HistoryStepName =
  | 'cordon'
  | 'drain'
  | 'drained'
  | 'target'
  | 'working'
  | 'staging'
  | 'staged'
  | 'rebooting'
  | 'not-ready'
  | 'ready'
  | 'done'
  | 'degraded'
  | 'uncordon';

export interface HistoryStep {
  step: HistoryStepName;
  at: string;
}

/** `updated`, `failed` (Degraded), `superseded` (told another target first), `cancelled` (uncordoned untold). */
export type AttemptResult = 'updated' | 'failed' | 'superseded' | 'cancelled';

/** One update attempt of a node. */
export interface NodeAttempt {
  /** What the node was told; null until it is told (an attempt can open with the cordon). */
  target: HistoryTarget | null;
  startedAt: string;
  steps: HistoryStep[];
  endedAt: string | null;
  /** null while the attempt runs. */
  result: AttemptResult | null;
  reason: string | null;
}

/** A node's history as stored: its last observed facts and its attempts, oldest first. */
export interface NodeHistoryRecord {
  clusterId: string;
  node: string;
  observed: ObservedNode;
  observedAt: string;
  attempts: NodeAttempt[];
  version: number;
  /** The relay's order of the last observation applied (absent: observations from an older relay). */
  order?: ObservationOrder;
  /** Observations that arrived before one that precedes them (queues reorder), waiting for it, in order. */
  pending?: PendingObservation[];
}

/**
 * Where one observation stands in its relay's order: the relay's run (its start time first, so runs sort by
 * start) and the count of this node's observations in that run (1, 2, …).
 */
export interface ObservationOrder {
  run: string;
  n: number;
}

/** An observation held back until the ones before it have been applied. */
export interface PendingObservation {
  order: ObservationOrder;
  observed: ObservedNode;
  at: string;
}

const STATE_STEPS: Record<string, HistoryStepName> = {
  Working: 'working',
  Staging: 'staging',
  Staged: 'staged',
  Rebooting: 'rebooting',
  Degraded: 'degraded',
  Unreconcilable: 'degraded',
};

const isDone = (r: NodeReading) => r.state === 'Done' && r.atTarget && r.target !== null;

/** The steps that lead from one reading of a node to the next, in the order they happen. */
export function historySteps(prev: NodeReading, next: NodeReading): HistoryStepName[] {
  const steps: HistoryStepName[] = [];
  if (!prev.unschedulable && next.unschedulable) steps.push('cordon');
  if (next.drain === 'draining' && prev.drain !== 'draining') steps.push('drain');
  if (next.drain === 'drained' && prev.drain !== 'drained') steps.push('drained');
  if (next.target && targetKey(next.target) !== targetKey(prev.target)) steps.push('target');
  const stateStep = next.state ? STATE_STEPS[next.state] : undefined;
  if (stateStep && (next.state !== prev.state || steps.includes('target'))) steps.push(stateStep);
  if (prev.ready && !next.ready) steps.push('not-ready');
  if (!prev.ready && next.ready) steps.push('ready');
  const sameTarget = targetKey(prev.target) === targetKey(next.target);
  if (isDone(next) && !(isDone(prev) && sameTarget)) steps.push('done');
  if (prev.unschedulable && !next.unschedulable) steps.push('uncordon');
  return steps;
}

function close(a: NodeAttempt, at: string, result: AttemptResult, reason: string | null): NodeAttempt {
  return { ...a, endedAt: at, result, reason };
}

function withStep(a: NodeAttempt, step: HistoryStepName, at: string): NodeAttempt {
  const steps = a.steps.length < MAX_STEPS ? a.steps : a.steps.slice(0, MAX_STEPS - 1);
  return { ...a, steps: [...steps, { step, at }] };
}

/** Steps that open an attempt when none runs (a reboot, a Ready or an uncordon alone is not an update). */
const OPENS: ReadonlySet<HistoryStepName> = new Set([
  'cordon',
  'drain',
  'target',
  'working',
  'staging',
  'staged',
  'rebooting',
  'done',
  'degraded',
]);

/** Applies one observation's steps to the attempts. */
export function applySteps(
  attempts: NodeAttempt[],
  steps: HistoryStepName[],
  next: NodeReading,
  at: string,
): NodeAttempt[] {
  const list = [...attempts];
  const last = list.length - 1;
  let open = list[last]?.result === null ? list.pop()! : undefined;
  for (const step of steps) {
    if (step === 'target' && open?.target && targetKey(open.target) !== targetKey(next.target)) {
      const to = next.target!.config ?? next.target!.image;
      list.push(close(open, at, 'superseded', `told ${to} before this attempt ended`));
      open = undefined;
    }
    if (!open) {
      if (!OPENS.has(step)) continue;
      // A cordon of a node that is done at its target opens an attempt whose target is not told yet.
      const target = step === 'target' || !isDone(next) ? next.target : null;
      open = { target, startedAt: at, steps: [], endedAt: null, result: null, reason: null };
    }
    if (step === 'target' && !open.target) open = { ...open, target: next.target };
    open = withStep(open, step, at);
  }
  if (open) {
    if (steps.includes('degraded')) {
      list.push(close(open, at, 'failed', next.reason ?? `${next.state ?? 'Degraded'} without a reason`));
    } else if (
      open.target &&
      isDone(next) &&
      !next.unschedulable &&
      targetKey(open.target) === targetKey(next.target)
    ) {
      list.push(close(open, at, 'updated', null));
    } else if (!open.target && !next.unschedulable) {
      list.push(close(open, at, 'cancelled', 'uncordoned before it was told a target'));
    } else {
      list.push(open);
    }
  }
  return list.slice(-MAX_ATTEMPTS);
}

/**
 * The history after one observation of the node, or null when nothing is to be written: an observation
 * older than the last one (queues reorder), or one whose facts did not change. The first observation of a
 * node only records its facts: what came before it is unknown.
 */
export function observeNode(
  current: NodeHistoryRecord | null,
  key: { clusterId: string; node: string },
  observed: ObservedNode,
  at: string,
): NodeHistoryRecord | null {
  if (!current) return { ...key, observed, observedAt: at, attempts: [], version: 0 };
  if (at < current.observedAt) return null;
  if (JSON.stringify(current.observed) === JSON.stringify(observed)) return null;
  return applyObservation(current, observed, at);
}

/** The history after `observed`, diffed against the last observed facts (whatever its time). */
export function applyObservation(
  current: NodeHistoryRecord,
  observed: ObservedNode,
  at: string,
): NodeHistoryRecord {
  if (JSON.stringify(current.observed) === JSON.stringify(observed)) return current;
  const [prev, next] = [readNode(current.observed), readNode(observed)];
  const attempts = applySteps(current.attempts, historySteps(prev, next), next, at);
  return { ...current, observed, observedAt: at > current.observedAt ? at : current.observedAt, attempts };
}

/** The admin API's answer (`GET /v1/nodes/{cluster}/{node}/history`): attempts oldest first. */
export interface NodeHistory {
  cluster: string;
  node: string;
  /** The vocabulary the node speaks now: MCO's annotations or the Strata agent's. */
  vocabulary: 'mco' | 'agent';
  observedAt: string;
  attempts: NodeAttempt[];
}

/** The answer for a stored history. */
export function nodeHistoryAnswer(record: NodeHistoryRecord): NodeHistory {
  return {
    cluster: record.clusterId,
    node: record.node,
    vocabulary: readNode(record.observed).vocabulary,
    observedAt: record.observedAt,
    attempts: record.attempts,
  };
}
