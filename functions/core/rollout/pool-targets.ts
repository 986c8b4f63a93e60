/**
 * Fleet-level decisions about pools, whatever moves their nodes: what a pool reports to its rollout's
 * planner, which pools an activated cluster's rollout points where (its target, or back to where the pool
 * was), and giving a pool a new target, with the rollback target it then gets.
 */
import type { AuditEvent, RolloutRecord, RolloutStatus } from '../model.ts';
import { isLive } from './lifecycle.ts';
import { targetKey } from './node-facts.ts';
import { hasActiveSlots, type PoolRecord, type RolloutTarget } from './pool-state.ts';
import type { ClusterReport, PoolReport } from './rollout-plan.ts';
import { matchesSelector } from './selector.ts';

/** What one pool reports to the planner of rollout `rolloutId`. */
export function poolReport(rolloutId: string, p: PoolRecord): PoolReport {
  const targeted = p.target?.rolloutId === rolloutId;
  const done = targeted && p.reached === true && Object.values(p.slots).every((slot) => slot.failed);
  const onRollback =
    p.rollbackTo !== null && p.target !== null && targetKey(p.target) === targetKey(p.rollbackTo);
  return {
    pool: p.pool,
    machineCount: p.status?.machineCount ?? 0,
    degraded: targeted ? Object.values(p.failed).filter((k) => k === targetKey(p.target!)).length : 0,
    targeted,
    done,
    stalled: targeted && p.stalled === true,
    onRollback: targeted && onRollback,
    restored: !targeted || (onRollback && done),
    noRollbackTarget: targeted && p.rollbackTo === null,
  };
}

/** What a rollout pointing forward does with an activated cluster's pools. */
export interface ForwardWork {
  /** On this rollout's target but not done: reconcile them (a resume or a lost message must not leave them idle). */
  nudge: PoolRecord[];
  /** Not on this rollout's target yet: render it and give it to them. */
  target: PoolRecord[];
}

/** Sorts an activated cluster's pools for a rollout pointing forward. */
export function forwardWork(rolloutId: string, pools: PoolRecord[]): ForwardWork {
  return {
    nudge: pools.filter((p) => {
      const r = poolReport(rolloutId, p);
      return r.targeted && !r.done;
    }),
    target: pools.filter((p) => p.target?.rolloutId !== rolloutId),
  };
}

/** The pools a rolling-back rollout sends back, each with where it goes (its rollback target). */
export function rollbackWork(
  rolloutId: string,
  pools: PoolRecord[],
): { pool: PoolRecord; target: RolloutTarget }[] {
  return pools.flatMap((p) => {
    if (p.target?.rolloutId !== rolloutId || !p.rollbackTo) return [];
    if (targetKey(p.target) === targetKey(p.rollbackTo)) return [];
    return [{ pool: p, target: { ...p.rollbackTo, rolloutId } }];
  });
}

/**
 * The pool with `target` (reached and stalled reset), or null when it already has it. The rollback target
 * is where the pool was when this rollout first targeted it: kept while the same rollout retargets
 * (including its rollback), taken from the last completed config otherwise.
 */
export function retargetPool(
  current: PoolRecord,
  target: RolloutTarget,
  rollback: boolean,
): PoolRecord | null {
  if (current.target?.rolloutId === target.rolloutId && targetKey(current.target) === targetKey(target)) {
    return null;
  }
  return {
    ...current,
    target,
    reached: false,
    stalled: false,
    rollbackTo:
      rollback || current.target?.rolloutId === target.rolloutId ? current.rollbackTo : current.lastCompleted,
  };
}

/** True while a rollout moves the pool, so its nodes may differ from its target (drift looks away). */
export function isPoolMoving(pool: PoolRecord, rolloutStatus: RolloutStatus | undefined): boolean {
  if (hasActiveSlots(pool)) return true;
  return pool.target !== null && !pool.reached && rolloutStatus !== undefined && isLive(rolloutStatus);
}

/** The rollout's clusters (by its cluster selector) and their pools it targets (by name). */
export function rolloutFleet<C extends { id: string; labels: Record<string, string> }>(
  rollout: Pick<RolloutRecord, 'targets'> & Partial<Pick<RolloutRecord, 'images'>>,
  clusters: C[],
): C[] {
  // A rollout of built images takes only the clusters it has an image for (core/builds/gate.ts).
  return clusters.filter(
    (c) =>
      matchesSelector(rollout.targets.clusterSelector, c.labels) &&
      (rollout.images === undefined || rollout.images[c.id] !== undefined),
  );
}

/** What the planner of rollout `rolloutId` sees of its clusters: each with its targeted pools' reports. */
export function clusterReports(
  rolloutId: string,
  clusters: { id: string; labels: Record<string, string> }[],
  poolsByCluster: ReadonlyMap<string, PoolRecord[]>,
): ClusterReport[] {
  return clusters.map((c) => ({
    id: c.id,
    labels: c.labels,
    pools: (poolsByCluster.get(c.id) ?? []).map((p) => poolReport(rolloutId, p)),
  }));
}

/** The audit event of pools given a new target (forward) or sent back (rollback). */
export function poolsTargetedEvent(
  rolloutId: string,
  direction: 'forward' | 'rollback',
  pools: string[],
  at: string,
): AuditEvent {
  const kind = direction === 'rollback' ? 'PoolsRolledBack' : 'PoolsTargeted';
  return { rolloutId, time: at, kind, message: pools.join(', '), actor: 'planner' };
}
