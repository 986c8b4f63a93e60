/**
 * The rollout policy: waves, concurrency across clusters, soak, failure budgets, halt or rollback. Pure:
 * given the rollout, its progress and what each cluster's pools report, decide the next state and which
 * clusters to start or roll back.
 */
import type { IntOrPercent, RolloutProgress, RolloutRecord, RolloutStatus } from '../model.ts';
import { isLive } from './lifecycle.ts';
import { type ClusterRef, planWaves } from './waves.ts';

export type { RolloutProgress } from '../model.ts';

/** One targeted pool of a cluster, as its pool item reports it. */
export interface PoolReport {
  pool: string;
  machineCount: number;
  /** Nodes degraded (failed) in this pool. */
  degraded: number;
  /** The pool's target is this rollout's. */
  targeted: boolean;
  /** Targeted and every node updated. */
  done: boolean;
  /** The pool is back on its rollback target (after a rollback of this rollout), or was never touched. */
  restored: boolean;
  /** Targeted, and failed nodes hold all of maxUnavailable while nodes still need the target. */
  stalled?: boolean;
  /** Targeted, and its target is its rollback target (a rollback of this rollout reached the pool). */
  onRollback?: boolean;
  /**
   * Targeted, but with nowhere to go back to: the rollout targeted it before a baseline (all its nodes on
   * one config) was recorded. A rollback cannot restore it.
   */
  noRollbackTarget?: boolean;
}

/** A cluster of the rollout with its pools' reports. */
export interface ClusterReport extends ClusterRef {
  pools: PoolReport[];
}

/** Inputs of {@link planRollout}. */
export interface RolloutPlanInput {
  rollout: Pick<RolloutRecord, 'status' | 'strategy'>;
  progress: RolloutProgress | null;
  clusters: ClusterReport[];
  now: string;
}

/** The decision of one planning pass. */
export interface RolloutPlan {
  status: RolloutStatus;
  progress: RolloutProgress;
  /** Clusters whose pools get this rollout's target now. */
  activate: string[];
  /** Clusters whose pools go back to their rollback target. */
  rollback: string[];
  /** Plan again after this many seconds (soak), or null when only events move it on. */
  requeueAfterSeconds: number | null;
}

/** The fleet budget as a node count: an int as is, a percent of the targeted machines (floored). */
export function resolveFleetBudget(budget: IntOrPercent, totalMachines: number): number {
  if (typeof budget === 'number') return budget;
  return Math.floor((Number.parseFloat(budget) * totalMachines) / 100);
}

/** Checks the failure budgets over the activated clusters; returns the reason when one is exceeded. */
export function budgetExceeded(
  clusters: ClusterReport[],
  activated: ReadonlySet<string>,
  poolBudget: number,
  fleetBudget: IntOrPercent,
): string | null {
  let failed = 0;
  let machines = 0;
  for (const c of clusters) {
    for (const p of c.pools) machines += p.machineCount;
    if (!activated.has(c.id)) continue;
    for (const p of c.pools) {
      if (!p.targeted) continue;
      if (p.degraded > poolBudget) {
        return `pool ${c.id}/${p.pool}: ${p.degraded} degraded nodes exceed the pool failure budget ${poolBudget}`;
      }
      failed += p.degraded;
    }
  }
  const fleet = resolveFleetBudget(fleetBudget, machines);
  if (failed > fleet) return `${failed} degraded nodes fleet-wide exceed the fleet failure budget ${fleet}`;
  return null;
}

/** The first activated pool that cannot progress (failed nodes hold all of its maxUnavailable), if any. */
export function stalledPool(
  clusters: ClusterReport[],
  activated: ReadonlySet<string>,
  rollingBack = false,
): string | null {
  for (const c of clusters) {
    if (!activated.has(c.id)) continue;
    // While rolling back, only a pool already sent back can stall the rollback: a pool read before the
    // rollback reached it (a concurrent pass) still reports the forward target's stall.
    const p = c.pools.find((x) => x.targeted && x.stalled && (!rollingBack || x.onRollback));
    if (p) return `pool ${c.id}/${p.pool}: ${p.degraded} failed nodes hold all of maxUnavailable`;
  }
  return null;
}

/** Plans one pass of a rollout. */
export function planRollout(input: RolloutPlanInput): RolloutPlan {
  const { rollout, clusters, now } = input;
  const strategy = rollout.strategy;
  const progress: RolloutProgress = input.progress
    ? structuredClone(input.progress)
    : { waves: planWaves(clusters, strategy), wave: 0, waveCompletedAt: null, activated: [], completed: [] };
  const idle = (status: RolloutStatus): RolloutPlan => ({
    status,
    progress,
    activate: [],
    rollback: [],
    requeueAfterSeconds: null,
  });
  const byId = new Map(clusters.map((c) => [c.id, c]));
  const activated = new Set(progress.activated);

  const stall = stalledPool(clusters, activated);
  if (rollout.status === 'RollingBack') {
    const rollback = progress.activated.filter((id) => byId.has(id));
    const rollbackStall = stalledPool(clusters, activated, true);
    if (rollbackStall) {
      progress.failureReason = `rollback stalled: ${rollbackStall}`;
      return idle('Halted');
    }
    const left = rollback.flatMap((id) =>
      byId.get(id)!.pools.flatMap((p) => (p.restored ? [] : [{ name: `${id}/${p.pool}`, p }])),
    );
    if (left.length > 0 && left.every(({ p }) => p.noRollbackTarget)) {
      // Every pool that can go back has; the rest cannot, and waiting would never end: halt, naming them.
      const names = left.map(({ name }) => name).join(', ');
      progress.failureReason = `rollback incomplete: ${names} had no rollback target (no baseline was recorded before this rollout targeted it); held on this rollout's target`;
      return idle('Halted');
    }
    return { ...idle(left.length === 0 ? 'RolledBack' : 'RollingBack'), rollback };
  }
  if (!isLive(rollout.status)) {
    return idle(rollout.status);
  }

  const budget = budgetExceeded(clusters, activated, strategy.poolFailureBudget, strategy.fleetFailureBudget);
  const failure = budget ?? (stall ? `stalled: ${stall}` : null);
  if (failure) {
    progress.failureReason = failure;
    if (strategy.onFailure === 'rollback') {
      return { ...idle('RollingBack'), rollback: progress.activated.filter((id) => byId.has(id)) };
    }
    return idle('Halted');
  }

  const isDone = (id: string) => {
    const c = byId.get(id);
    return c?.pools.every((p) => p.done) === true;
  };
  for (const id of progress.activated) {
    if (!progress.completed.includes(id) && isDone(id)) progress.completed.push(id);
  }
  const activate: string[] = [];
  while (progress.wave < progress.waves.length) {
    const wave = progress.waves[progress.wave]!;
    // Clusters that left the fleet no longer hold a wave up.
    const members = wave.clusters.filter((id) => byId.has(id));
    const completed = new Set(progress.completed);
    const inFlight = progress.activated.filter((id) => !completed.has(id) && byId.has(id)).length;
    let free = strategy.maxConcurrentClusters - inFlight;
    for (const id of members) {
      if (free <= 0) break;
      if (activated.has(id)) continue;
      activated.add(id);
      progress.activated.push(id);
      activate.push(id);
      free--;
    }
    if (!members.every((id) => completed.has(id))) {
      return { status: 'Progressing', progress, activate, rollback: [], requeueAfterSeconds: null };
    }
    if (progress.wave === progress.waves.length - 1) break;
    progress.waveCompletedAt ??= now;
    const soakLeft =
      (Date.parse(progress.waveCompletedAt) + strategy.soakSeconds * 1000 - Date.parse(now)) / 1000;
    if (soakLeft > 0) {
      return { status: 'Soaking', progress, activate, rollback: [], requeueAfterSeconds: soakLeft };
    }
    progress.wave++;
    progress.waveCompletedAt = null;
  }
  return { status: 'Completed', progress, activate, rollback: [], requeueAfterSeconds: null };
}

/** What one planning pass did: the rollout's status, clusters activated, pools sent back, when to plan again. */
export interface PlanOutcome {
  rolloutId: string;
  status: RolloutStatus | null;
  activated: string[];
  rolledBack: string[];
  requeueAfterSeconds: number | null;
}

/** The rollout with the plan's status and progress, or null when the plan changes neither. */
export function plannedRollout(rollout: RolloutRecord, plan: RolloutPlan): RolloutRecord | null {
  const same =
    plan.status === rollout.status &&
    JSON.stringify(plan.progress) === JSON.stringify(rollout.progress ?? null);
  return same ? null : { ...rollout, status: plan.status, progress: plan.progress };
}
