/**
 * One reconcile pass of a pool on the `mco` driver: MCO's own controllers render, drain, rebase and report;
 * Strata only writes the pool's image-layer MachineConfig, paces the pool with `maxUnavailable`, and brakes
 * it with `paused` (annotated as Strata's). Decides, from the pool item and what the cluster reports, the
 * pool item's next state (written before any cluster write) and the writes, in order: the brake and
 * `maxUnavailable` first, then the image layer, then the release of Strata's brake. Pure.
 */
import { createHash } from 'node:crypto';
import type { IntOrPercent, RolloutRecord } from '../../model.ts';
import { NodeAnnotations } from '../../model.ts';
import { startHolds } from '../../rollout/lifecycle.ts';
import { isNodeDegraded, type NodeFacts, targetKey } from '../../rollout/node-facts.ts';
import type { PoolRecord, StartHold } from '../../rollout/pool-state.ts';
import type { PoolCondition, PoolStatus } from '../../rollout/pool-status.ts';
import { isWindowOpen, type MaintenanceWindow } from '../../rollout/windows.ts';
import { OriginalMaxUnavailableAnnotation, PauseAnnotations, STRATA } from './keys.ts';
import { type McnPhase, spokenPhase } from './machine-config-nodes.ts';
import type { McoEvent, McoPoolObservation, McoPoolPatch } from './port.ts';
import { layerLabels } from './prepare.ts';
import type { McoPoolState } from './state.ts';

/** Timing of the mco driver. */
export interface McoSettings {
  /**
   * A pool with work and no progress for this long reports why (and, with a degraded node, stalls), unless
   * the rollout's strategy sets `progressDeadlineSeconds`.
   */
  stallSeconds: number;
}

/** The setting deployed on AWS. */
export const DEFAULT_MCO_SETTINGS: McoSettings = { stallSeconds: 1800 };

/** What one pass starts from. */
export interface McoPassInput {
  pool: PoolRecord;
  /** The rollout whose target the pool has (undefined without one). */
  rollout: Pick<RolloutRecord, 'status' | 'strategy'> | undefined;
  observed: McoPoolObservation;
  /** The pool's nodes (by primary pool), with MCO's annotations. */
  nodes: NodeFacts[];
  /**
   * Each node's phase by its MachineConfigNode (core/drivers/mco/machine-config-nodes.ts), where the cluster
   * serves them; null or absent where it does not (progress then comes from the node annotations alone).
   */
  machineConfigNodes?: Record<string, McnPhase> | null;
  windows: MaintenanceWindow[] | undefined;
  now: Date;
  settings: McoSettings;
}

/** The cluster writes of a pass, in the order they are made. */
export interface McoWrites {
  /** The brake and `maxUnavailable`, before the image layer moves. */
  before: McoPoolPatch | null;
  /** The image layer: `{ image, labels }` to create or patch, `'delete'` to return the pool to its base. */
  layer: { image: string; labels: Record<string, string> } | 'delete' | null;
  /** Strata's brake released, once the image layer is where it should be. */
  after: McoPoolPatch | null;
  /** Events on the pool (the prediction check). */
  events: McoEvent[];
}

/** One pass: the pool item's next state, the writes, and what the fleet planner must hear. */
export interface McoPass {
  next: PoolRecord;
  /** `next` differs from the pool item: write it (conditionally) before the cluster writes. */
  write: boolean;
  writes: McoWrites;
  done: boolean;
  holds: StartHold[];
  windowClosed: boolean;
  notifyPlanner: boolean;
  /** MCO rendered another name than predicted: `{ predicted, rendered }` (reported once per name). */
  mismatch: { predicted: string; rendered: string } | null;
}

const CONDITIONS = new Set<string>(['Updated', 'Updating', 'Degraded', 'NodeDegraded', 'RenderDegraded']);

/** The pool status as MCO reports it (counts, conditions, `status.configuration`). */
export function mcoPoolStatus(o: McoPoolObservation): PoolStatus {
  const conditions = o.conditions
    .filter((c) => CONDITIONS.has(c.type) && (c.status === 'True' || c.status === 'False'))
    .map((c) => ({ ...c }) as PoolCondition);
  return {
    machineCount: o.machineCount,
    updatedMachineCount: o.updatedMachineCount,
    readyMachineCount: o.readyMachineCount,
    unavailableMachineCount: o.unavailableMachineCount,
    degradedMachineCount: o.degradedMachineCount,
    conditions,
    ...(o.currentConfig ? { configuration: o.currentConfig } : {}),
  };
}

function condition(o: McoPoolObservation, type: string): string | undefined {
  return o.conditions.find((c) => c.type === type)?.status;
}

/** Who paused the pool: Strata (annotated), an administrator, or nobody. */
export function pausedBy(o: Pick<McoPoolObservation, 'paused' | 'annotations'>): 'strata' | 'admin' | null {
  if (!o.paused) return null;
  return o.annotations[PauseAnnotations.pausedBy] === STRATA ? 'strata' : 'admin';
}

/**
 * MCO's name for the pool's target, once its render controller made it: the image layer is as the target
 * wants it and `spec.configuration` names a rendered config with the target's `osImageURL` (the base
 * image for a target without one).
 */
export function trackedConfig(target: PoolRecord['target'], o: McoPoolObservation): string | null {
  if (!target || o.layerImage !== target.image || !o.targetConfig) return null;
  const expected = target.image ?? o.baseImage;
  return expected && o.targetImage === expected ? o.targetConfig : null;
}

/** MCO's criteria for a pool done with its config (reference/mco.md §2.5): all updated, status caught up. */
export function mcoDone(tracked: string | null, o: McoPoolObservation): boolean {
  return (
    tracked !== null &&
    o.currentConfig === tracked &&
    o.observedGeneration === o.generation &&
    condition(o, 'Updated') === 'True' &&
    o.updatedMachineCount === o.machineCount
  );
}

/** How long a pool has made no progress, for {@link whyBlocked}. */
export interface NoProgress {
  /** ISO time of the last progress seen (configs, counts, node states unchanged since). */
  since: string;
  /** The progress deadline it is past, in seconds (the message stays the same while nothing changes). */
  deadlineSeconds: number;
  /** MCO rendered the target (spec.configuration names it); false while its render controller has not. */
  rendered: boolean;
}

/** `1h 5m`, `25m`, `40s`: a duration in a sentence. */
export function spoken(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  return m > 0 ? `${m}m` : `${s}s`;
}

/**
 * What MCO is waiting on, node by node: how many nodes are not on the config MCO targets, for how long,
 * and each such node's phase by its MachineConfigNode where served (`UpdateExecuted/Drained since …`), else
 * its MCO state (Working, Done on the old config: not picked yet) with the time it has not changed since.
 */
function waitingOnMco(
  o: McoPoolObservation,
  nodes: NodeFacts[],
  stale: NoProgress,
  phases: Record<string, McnPhase> | null | undefined,
): string {
  const over = `for over ${spoken(stale.deadlineSeconds)} (no change since ${stale.since})`;
  if (!stale.rendered) {
    return `waiting on MCO to render the pool's target ${over}: spec.configuration is still ${o.targetConfig ?? 'unset'}`;
  }
  const target = o.targetConfig;
  const behind = nodes.filter((n) => !target || n.annotations[NodeAnnotations.currentConfig] !== target);
  const head = `waiting on MCO: ${behind.length} of ${nodes.length} node(s) not updated to ${target ?? 'its target'} ${over}`;
  const detail = behind.slice(0, 5).map((n) => {
    const phase = phases?.[n.name];
    if (phase) return `node ${n.name}: ${spokenPhase(phase)}${n.unschedulable ? ', cordoned' : ''}`;
    const a = n.annotations;
    const state = a[NodeAnnotations.state] ?? 'unknown';
    const told = target && a[NodeAnnotations.desiredConfig] === target;
    const what = told
      ? `in state ${state}`
      : `not picked yet (state ${state} on ${a[NodeAnnotations.currentConfig] ?? '?'})`;
    return `node ${n.name} ${what}${n.unschedulable ? ', cordoned' : ''} since ${stale.since}`;
  });
  const more = behind.length > 5 ? [`${behind.length - 5} more`] : [];
  const counts = `MCO reports ${o.updatedMachineCount}/${o.machineCount} updated, ${o.unavailableMachineCount} unavailable, ${o.degradedMachineCount} degraded`;
  return [head, ...detail, ...more, counts].join('; ');
}

/** Why a pool with work does not progress, in MCO's words where it has them. */
export function whyBlocked(
  o: McoPoolObservation,
  nodes: NodeFacts[],
  holds: StartHold[],
  stale?: NoProgress,
  phases?: Record<string, McnPhase> | null,
): string {
  const parts: string[] = [];
  if (holds.includes('paused-by-admin')) {
    parts.push(
      'the MachineConfigPool was paused by someone other than Strata (spec.paused without strata.io/paused-by)',
    );
  }
  const render = o.conditions.find((c) => c.type === 'RenderDegraded' && c.status === 'True');
  if (render) parts.push(`MCO cannot render the pool: ${render.message}`);
  for (const n of nodes.filter(isNodeDegraded)) {
    const a = n.annotations;
    parts.push(`node ${n.name} is ${a[NodeAnnotations.state]}: ${a[NodeAnnotations.reason] ?? ''}`.trim());
  }
  for (const n of nodes) {
    const a = n.annotations;
    const drain = a[NodeAnnotations.desiredDrain];
    if (drain?.startsWith('drain-') && drain !== a[NodeAnnotations.lastAppliedDrain] && !isNodeDegraded(n)) {
      parts.push(
        `node ${n.name}: drain not completed (${drain}; a PodDisruptionBudget may refuse evictions)`,
      );
    }
  }
  if (parts.length === 0 && stale) parts.push(waitingOnMco(o, nodes, stale, phases));
  else if (parts.length === 0) {
    parts.push(
      `MCO reports ${o.updatedMachineCount}/${o.machineCount} updated, ${o.unavailableMachineCount} unavailable, ${o.degradedMachineCount} degraded`,
    );
  }
  return parts.join('; ');
}

/**
 * A short digest of what progress looks like (configs, counts, each node's MCO annotations and, where
 * served, its MachineConfigNode phase).
 */
function progressKey(
  o: McoPoolObservation,
  nodes: NodeFacts[],
  phases: Record<string, McnPhase> | null | undefined,
): string {
  const a = (n: NodeFacts, k: string) => n.annotations[k] ?? '';
  const text = JSON.stringify([
    o.targetConfig,
    o.currentConfig,
    o.updatedMachineCount,
    nodes.map((n) => [
      n.name,
      a(n, NodeAnnotations.desiredConfig),
      a(n, NodeAnnotations.currentConfig),
      a(n, NodeAnnotations.state),
      a(n, NodeAnnotations.desiredDrain),
      a(n, NodeAnnotations.lastAppliedDrain),
      ...(phases?.[n.name] ? [phases[n.name]!.phase] : []),
    ]),
  ]);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Plans one pass of the mco driver over a pool. Pure. */
export function planMcoPass(input: McoPassInput): McoPass {
  const { pool: current, observed: o, nodes, rollout, now } = input;
  const at = now.toISOString();
  const target = current.target;
  const holds: StartHold[] = target ? startHolds(rollout?.status) : [];
  // The operator's hold on this pool brakes it whether or not a rollout targets it (it may hold a cluster
  // upgrade back as well); its reason comes first, so the pool's annotation names it.
  if (current.paused) holds.unshift('pool-paused');
  const windowClosed = !isWindowOpen(input.windows, now);
  if (windowClosed && target) holds.push('window-closed');
  const pauser = pausedBy(o);
  if (pauser === 'admin') holds.push('paused-by-admin');

  const next: PoolRecord = structuredClone(current);
  const mco: McoPoolState = { ...(current.mco ?? {}) };
  next.updatedAt = at;
  next.holds = holds;
  next.status = mcoPoolStatus(o);

  const tracked = trackedConfig(target, o);
  const done = mcoDone(tracked, o);
  let notifyPlanner = false;
  let mismatch: McoPass['mismatch'] = null;
  const events: McoEvent[] = [];

  if (!tracked) delete mco.rendered;
  if (target && tracked) {
    mco.rendered = tracked;
    const key = `${targetKey(target)}→${tracked}`;
    if (tracked !== target.config && mco.mismatchReported !== key) {
      mco.mismatchReported = key;
      mismatch = { predicted: target.config, rendered: tracked };
      events.push({
        type: 'Warning',
        reason: 'RenderedNameMismatch',
        message: `Strata predicted ${target.config} for pool ${current.pool} but MCO rendered ${tracked}; tracking MCO's name`,
      });
    }
    // Nodes MCO reports Degraded (or Unreconcilable) on their way to the target count against the budgets.
    for (const n of nodes) {
      if (!isNodeDegraded(n) || n.annotations[NodeAnnotations.desiredConfig] !== tracked) continue;
      if (next.failed[n.name] === targetKey(target)) continue;
      next.failed[n.name] = targetKey(target);
      notifyPlanner = true;
    }
  }
  if (target && done && !current.reached) {
    next.reached = true;
    next.lastCompleted = { config: tracked!, image: target.image };
    notifyPlanner = true;
  }
  if (!target) {
    const settled = o.observedGeneration === o.generation && condition(o, 'Updated') === 'True';
    next.lastCompleted =
      current.lastCompleted ??
      (settled && o.currentConfig ? { config: o.currentConfig, image: o.layerImage } : null);
  }

  const working = target !== null && !done;
  // Nodes failing on the target right now past the pool's budget brake the pool at once (the planner halts
  // or rolls back next); a rollback is not braked here: the planner halts one that cannot finish.
  const failingNow = tracked
    ? nodes.filter((n) => isNodeDegraded(n) && n.annotations[NodeAnnotations.desiredConfig] === tracked)
        .length
    : 0;
  const forward = rollout?.status === 'Progressing' || rollout?.status === 'Soaking';
  const budgetBreached = forward && failingNow > rollout.strategy.poolFailureBudget;
  const strataHolds = holds.filter((h) => h !== 'paused-by-admin');
  const pauseReason = strataHolds[0] ?? (budgetBreached ? 'failure-budget' : null);
  const wantPause = (working && pauseReason !== null) || current.paused !== undefined;

  // No progress for the stall time: say why; with a node failing, no progress is possible (MCO's failing
  // nodes take its capacity), so the fleet planner halts or rolls back as it does for the agent driver.
  // (Only while the pool has work: an idle pool's item is not rewritten on every pass.)
  const key = working ? progressKey(o, nodes, input.machineConfigNodes) : null;
  if (key === null) delete mco.progress;
  else if (mco.progress?.key !== key) mco.progress = { key, since: at };
  const idleSeconds = mco.progress ? (now.getTime() - Date.parse(mco.progress.since)) / 1000 : 0;
  // The track's progress deadline, else the deployment's stall time.
  const deadline = rollout?.strategy.progressDeadlineSeconds ?? input.settings.stallSeconds;
  const idle = working && holds.length === 0 && idleSeconds >= deadline;
  if (idle)
    mco.blocked = whyBlocked(
      o,
      nodes,
      holds,
      {
        since: mco.progress!.since,
        deadlineSeconds: deadline,
        rendered: tracked !== null,
      },
      input.machineConfigNodes,
    );
  else delete mco.blocked;
  next.stalled = idle && nodes.some(isNodeDegraded);
  if (next.stalled && !current.stalled) notifyPlanner = true;

  // maxUnavailable from the track (or the pool's registration), the original recorded first.
  const wanted: IntOrPercent | undefined = rollout?.strategy.maxUnavailable ?? current.maxUnavailable;
  let before: McoPoolPatch | null = null;
  if (working && wanted !== undefined && !same(o.maxUnavailable, wanted)) {
    before = { maxUnavailable: wanted };
    if (o.annotations[OriginalMaxUnavailableAnnotation] === undefined) {
      before.annotations = { [OriginalMaxUnavailableAnnotation]: JSON.stringify(o.maxUnavailable) };
    }
    if (mco.originalMaxUnavailable === undefined) mco.originalMaxUnavailable = o.maxUnavailable;
  }
  if (
    wantPause &&
    pauser !== 'admin' &&
    (pauser === null || o.annotations[PauseAnnotations.reason] !== pauseReason)
  ) {
    before = {
      ...before,
      paused: true,
      annotations: {
        ...before?.annotations,
        [PauseAnnotations.pausedBy]: STRATA,
        [PauseAnnotations.reason]: pauseReason!,
        [PauseAnnotations.pausedAt]:
          pauser === 'strata' ? (o.annotations[PauseAnnotations.pausedAt] ?? at) : at,
        [PauseAnnotations.requestedBy]:
          current.paused && pauseReason === 'pool-paused' ? current.paused.by : null,
      },
    };
  }
  let layer: McoWrites['layer'] = null;
  if (target && !done && holds.length === 0 && !budgetBreached && o.layerImage !== target.image) {
    layer = target.image
      ? { image: target.image, labels: layerLabels(current.pool, o.machineConfigSelector) }
      : 'delete';
  }
  const after: McoPoolPatch | null =
    !wantPause && pauser === 'strata'
      ? {
          paused: false,
          annotations: {
            [PauseAnnotations.pausedBy]: null,
            [PauseAnnotations.reason]: null,
            [PauseAnnotations.pausedAt]: null,
            [PauseAnnotations.requestedBy]: null,
          },
        }
      : null;

  // The MachineConfigNode phase of each node MCO is working on or that failed, for `strata describe pool`
  // (rewritten only when one changes). Updated and Pending nodes are left out: the pool item then grows
  // with MCO's maxUnavailable, not with the pool (a DynamoDB item holds 400 KB).
  const phases = Object.entries(input.machineConfigNodes ?? {}).filter(
    ([, p]) => p.phase !== 'Updated' && p.phase !== 'Pending',
  );
  if (input.machineConfigNodes) mco.machineConfigNodes = Object.fromEntries(phases);
  else delete mco.machineConfigNodes;
  if (Object.keys(mco).length > 0) next.mco = mco;
  else delete next.mco;
  const { updatedAt: _a, ...was } = current;
  const { updatedAt: _b, ...will } = next;
  return {
    next,
    write: !same(was, will),
    writes: { before, layer, after, events },
    done,
    holds,
    windowClosed,
    notifyPlanner,
    mismatch,
  };
}

/** What releasing a pool writes: the image layer deleted, `maxUnavailable` restored, Strata's brake off. */
export function releasePatch(o: McoPoolObservation, recorded: McoPoolState | undefined): McoPoolPatch | null {
  const patch: McoPoolPatch = {};
  const annotated = o.annotations[OriginalMaxUnavailableAnnotation];
  const original =
    recorded?.originalMaxUnavailable !== undefined
      ? recorded.originalMaxUnavailable
      : annotated !== undefined
        ? (JSON.parse(annotated) as IntOrPercent | null)
        : undefined;
  if (original !== undefined && !same(o.maxUnavailable, original)) patch.maxUnavailable = original;
  const annotations: Record<string, string | null> = {};
  if (annotated !== undefined) annotations[OriginalMaxUnavailableAnnotation] = null;
  if (pausedBy(o) === 'strata') {
    patch.paused = false;
    for (const k of Object.values(PauseAnnotations)) annotations[k] = null;
  }
  if (Object.keys(annotations).length > 0) patch.annotations = annotations;
  return Object.keys(patch).length > 0 ? patch : null;
}

/**
 * A pool item once released: no target, nothing to roll back to, the baseline re-recorded by the next
 * reconcile, the driver's bookkeeping gone.
 */
export function releasedPool(p: PoolRecord): PoolRecord {
  const { mco: _m, ...rest } = p;
  return {
    ...rest,
    target: null,
    reached: false,
    stalled: false,
    rollbackTo: null,
    lastCompleted: null,
    failed: {},
    holds: [],
  };
}
