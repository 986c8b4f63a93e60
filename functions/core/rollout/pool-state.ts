/**
 * The state Strata keeps per pool (one table item, the unit of mutual exclusion: every change is a write
 * conditional on its `version`). Two parts share it: the fleet-level fields a rollout sets (target, where a
 * rollback goes, whether the target was reached) and the pool mechanics' bookkeeping of how the nodes are
 * being moved (slots, failed and stuck nodes, holds, status): see ./pool-mechanics.ts.
 */
import type { McoPoolState } from '../drivers/mco/state.ts';
import type { IntOrPercent } from '../model.ts';
import type { PoolTarget } from './node-facts.ts';
import type { PoolStatus } from './pool-status.ts';

/** A pool target set by a rollout. */
export interface RolloutTarget extends PoolTarget {
  rolloutId: string;
}

/** A node slot: recorded before the node is touched, freed after it is back, uncordoned, at its target. */
export interface Slot {
  target: PoolTarget;
  /** ISO time the slot was taken (drain timeout runs from here). */
  since: string;
  /** Set once the node reported Degraded/Unreconcilable on this slot's target. */
  failed?: boolean;
  /** Set once the drain has run past the drain timeout. */
  stuck?: boolean;
  /** Set when the failure is the `agent` driver's update timeout (no word from the node's agent). */
  timedOut?: boolean;
}

/**
 * Why no node starts (reported in pool status). `pool-paused`: an operator paused this one pool
 * (`strata pool pause`); `paused-by-admin`: on the mco driver, the MachineConfigPool is paused by someone
 * other than Strata (Strata leaves it so).
 */
export type StartHold =
  | 'paused'
  | 'halted'
  | 'window-closed'
  | 'no-target'
  | 'paused-by-admin'
  | 'pool-paused';

/** An operator's hold on one pool: no node of it starts until it is resumed (nodes in flight finish). */
export interface PoolPause {
  /** Who asked (the admin API's actor). */
  by: string;
  /** ISO time of the pause. */
  at: string;
}

/** Per-pool rollout state. */
export interface PoolRecord {
  clusterId: string;
  pool: string;
  nodeSelector: Record<string, string>;
  maxUnavailable?: IntOrPercent;
  /** What the pool's nodes should run; null until a rollout targets the pool. */
  target: RolloutTarget | null;
  /** Every node reached the current target (reset whenever the target changes). */
  reached: boolean;
  /** Failed nodes hold all of maxUnavailable and nodes still need the target: no progress is possible. */
  stalled?: boolean;
  /** Where a rollback of the current target goes (the pool's last completed config). */
  rollbackTo: PoolTarget | null;
  /** The last target every node reached (or the config all nodes agreed on before any rollout). */
  lastCompleted: PoolTarget | null;
  /** Nodes holding a slot (recorded before they are touched). */
  slots: Record<string, Slot>;
  /** node → target key it failed (went Degraded) on. */
  failed: Record<string, string>;
  /** Nodes whose drain ran past the drain timeout. */
  stuck: string[];
  /** node → why it failed (its Degraded reason, or the update timeout), for `describe`. */
  failureReasons?: Record<string, string>;
  /** Nodes a pause keeps where they are (told their target, waiting for the resume), as last reconciled. */
  held?: string[];
  /** Nodes a pause or halt gave back (uncordoned, not told their target), as last reconciled. */
  givenBack?: string[];
  /** Why no node starts right now, as last reconciled. */
  holds: StartHold[];
  /** The operator's hold on this pool (`strata pool pause`), until `strata pool resume`. */
  paused?: PoolPause;
  status: PoolStatus | null;
  /**
   * When the pool's one delayed reconcile (its poll chain, ./poll-chain.ts) is due; absent or past: no
   * chain is running.
   */
  nextPollAt?: string;
  /** The mco driver's bookkeeping (functions/core/drivers/mco); absent on agent-driver pools. */
  mco?: McoPoolState;
  updatedAt: string;
  version: number;
}

/** A fresh pool record (no target, no slots). */
export function newPool(
  clusterId: string,
  pool: string,
  nodeSelector: Record<string, string>,
  now: string,
  maxUnavailable?: IntOrPercent,
): PoolRecord {
  return {
    clusterId,
    pool,
    nodeSelector,
    ...(maxUnavailable !== undefined ? { maxUnavailable } : {}),
    target: null,
    reached: false,
    rollbackTo: null,
    lastCompleted: null,
    slots: {},
    failed: {},
    stuck: [],
    holds: [],
    status: null,
    updatedAt: now,
    version: 1,
  };
}

/** True while a node of the pool holds a slot that has not failed (a node is being moved). */
export function hasActiveSlots(pool: Pick<PoolRecord, 'slots'>): boolean {
  return Object.values(pool.slots).some((s) => !s.failed);
}

/**
 * True when a pool has work the resync tick must re-enqueue: a node in flight, a target not yet reached,
 * or no baseline recorded yet.
 */
export function needsReconcile(pool: PoolRecord): boolean {
  return (
    hasActiveSlots(pool) || (pool.target !== null && !pool.reached) || (!pool.target && !pool.lastCompleted)
  );
}

/** Pools with nodes in flight: a cluster is not removed while any of its pools has one. */
export function busyPools(pools: PoolRecord[]): string[] {
  return pools.filter(hasActiveSlots).map((p) => p.pool);
}

/** The pool with the operator's hold set, or null when it is already paused (nothing to write). */
export function pausedPool(p: PoolRecord, by: string, at: string): PoolRecord | null {
  return p.paused ? null : { ...p, paused: { by, at } };
}

/** The pool without the operator's hold, or null when it is not paused (nothing to write). */
export function resumedPool(p: PoolRecord): PoolRecord | null {
  if (!p.paused) return null;
  const { paused: _p, ...rest } = p;
  return rest;
}
