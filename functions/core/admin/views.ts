/**
 * What the admin API lists: pools, clusters, nodes and rollouts as JSON items. The CLI turns them into
 * tables (bin/views); `describeRollout` reads them.
 */
import type { McoPoolState } from '../drivers/mco/state.ts';
import type { RolloutRecord } from '../model.ts';
import type { PoolTarget } from '../rollout/node-facts.ts';
import type { PoolStatus } from '../rollout/pool-status.ts';
import type { RolloutProgress } from '../rollout/rollout-plan.ts';

/** A pool as the admin API lists it: the pool item plus its cluster's registration time. */
export interface PoolView {
  clusterId: string;
  pool: string;
  target: (PoolTarget & { rolloutId: string }) | null;
  lastCompleted: PoolTarget | null;
  status: PoolStatus | null;
  holds: string[];
  slots: Record<string, unknown>;
  failed: Record<string, string>;
  /** node → why it failed (its Degraded reason, or the update timeout). */
  failureReasons?: Record<string, string>;
  stuck: string[];
  /** Nodes a pause keeps where they are; nodes a pause or halt gave back. */
  held?: string[];
  givenBack?: string[];
  maxUnavailable?: number | string;
  /** Every node reached the current target. */
  reached?: boolean;
  /** The operator's hold on the pool (`strata pool pause`): who asked, and when. */
  paused?: { by: string; at: string };
  /** The mco driver's bookkeeping (MCO's name for the target, why the pool does not progress). */
  mco?: McoPoolState;
  updatedAt: string;
  /** When the pool's cluster was registered (the pool's age). */
  registeredAt?: string;
}

/** A cluster as the admin API lists it. */
export interface ClusterView {
  id: string;
  endpoint: string;
  labels: Record<string, string>;
  pools: { name: string; nodeSelector: Record<string, string>; maxUnavailable?: number | string }[];
  windows?: { cron: string; timeZone?: string; durationMinutes: number }[];
  credentials: { kind: string };
  /** `mco` or `agent`; absent until the cluster is first reached (then it is detected). */
  driver?: 'mco' | 'agent';
  registeredAt: string;
}

/** A node as the admin API lists it (read live from its cluster). */
export interface NodeView {
  clusterId: string;
  name: string;
  pool: string | null;
  ready: boolean;
  unschedulable: boolean;
  state: string | null;
  reason: string | null;
  currentConfig: string | null;
  desiredConfig: string | null;
  currentImage: string | null;
  desiredImage: string | null;
  zone: string | null;
  createdAt: string | null;
}

/** A rollout as the admin API lists it (the record with the planner's bookkeeping). */
export type RolloutView = RolloutRecord & { progress?: RolloutProgress };
