/**
 * `strata describe rollout`: waves, per-cluster and per-pool status, and why anything is not moving
 * (paused, halted, window closed, soak, failure budget, drain blocked, waiting on maxConcurrentClusters).
 * Pure: the admin handler reads the items, this explains them.
 */
import { isTerminal } from '../rollout/lifecycle.ts';
import { resolveFleetBudget } from '../rollout/rollout-plan.ts';
import { isWindowOpen, nextWindowOpening } from '../rollout/windows.ts';
import type { ClusterView, PoolView, RolloutView } from './views.ts';

/** Where one cluster is in the rollout. */
export type ClusterPhase = 'waiting' | 'updating' | 'done' | 'rolling-back' | 'rolled-back' | 'not-in-fleet';

/** One pool of a cluster in the rollout. */
export interface PoolProgress {
  pool: string;
  machineCount: number | null;
  updatedMachineCount: number | null;
  degradedMachineCount: number | null;
  /** The pool's target belongs to this rollout. */
  targeted: boolean;
  done: boolean;
  /** Nodes holding a slot (cordoned, draining, rebasing). */
  inFlight: string[];
  failed: string[];
  /** node → why it failed (its Degraded reason, or the update timeout). */
  failureReasons: Record<string, string>;
  stuck: string[];
  holds: string[];
  /** Nodes a pause keeps where they are (told their target, waiting for the resume). */
  held: string[];
  /** Nodes a pause or halt gave back (uncordoned, not told their target). */
  givenBack: string[];
  /** The target's rendered config, or (agent clusters) its image. */
  config: string | null;
  /** mco driver: why the pool made no progress past its progress deadline (absent while it progresses). */
  noProgress?: string;
}

/** One cluster of a wave. */
export interface ClusterProgress {
  id: string;
  phase: ClusterPhase;
  pools: PoolProgress[];
}

/** One wave. */
export interface WaveProgress {
  index: number;
  name: string;
  phase: 'done' | 'current' | 'pending';
  clusters: ClusterProgress[];
}

/** An audit event as the store returns it. */
export interface AuditEventView {
  time: string;
  kind: string;
  message: string;
  actor: string;
}

/** The whole description. */
export interface RolloutDescription {
  rollout: RolloutView;
  waves: WaveProgress[];
  /** Why something is not moving; empty when everything that may move does. */
  blocked: string[];
  events: AuditEventView[];
}

/** Inputs of {@link describeRollout}. */
export interface DescribeInput {
  rollout: RolloutView;
  clusters: ClusterView[];
  /** The pools of the rollout's clusters (any; those not in `targets.pools` are ignored). */
  pools: PoolView[];
  events: AuditEventView[];
  now: Date;
  /**
   * Nodes of each pool (`cluster/pool`) that are cordoned but not yet annotated, read live: their drain
   * waits on evictions (a PodDisruptionBudget refusing them), with how long the slot has been held.
   */
  draining?: Record<string, { node: string; seconds: number }[]>;
}

function poolProgress(rolloutId: string, p: PoolView): PoolProgress {
  const targeted = p.target?.rolloutId === rolloutId;
  const done =
    targeted &&
    p.lastCompleted !== null &&
    p.lastCompleted.config === p.target!.config &&
    p.lastCompleted.image === p.target!.image &&
    Object.keys(p.slots).length === 0;
  // mco driver: MCO counts nodes updated to the config it targets, which is this target's only once its
  // render controller rendered it (MCO's name may differ from the prediction: reached says done).
  const mcoBefore = p.mco !== undefined && targeted && !p.reached && p.mco.rendered === undefined;
  return {
    pool: p.pool,
    machineCount: p.status?.machineCount ?? null,
    updatedMachineCount: targeted && !mcoBefore ? (p.status?.updatedMachineCount ?? null) : 0,
    degradedMachineCount: p.status?.degradedMachineCount ?? null,
    targeted,
    done: done || (targeted && p.mco !== undefined && p.reached === true),
    inFlight: Object.keys(p.slots).sort(),
    failed: Object.keys(p.failed).sort(),
    failureReasons: { ...(p.failureReasons ?? {}) },
    stuck: [...p.stuck].sort(),
    holds: [...p.holds],
    held: [...(p.held ?? [])].sort(),
    givenBack: [...(p.givenBack ?? [])].sort(),
    config: p.target?.config || p.target?.image || p.lastCompleted?.config || p.lastCompleted?.image || null,
    ...(targeted && p.mco?.blocked ? { noProgress: p.mco.blocked } : {}),
  };
}

/** Describes a rollout and explains what blocks it. */
export function describeRollout(input: DescribeInput): RolloutDescription {
  const { rollout } = input;
  const progress = rollout.progress;
  const byCluster = new Map(input.clusters.map((c) => [c.id, c]));
  const poolsOf = (id: string) =>
    input.pools
      .filter((p) => p.clusterId === id && rollout.targets.pools.includes(p.pool))
      .sort((a, b) => (a.pool < b.pool ? -1 : 1));
  const activated = new Set(progress?.activated ?? []);
  const completed = new Set(progress?.completed ?? []);

  const waves: WaveProgress[] = (progress?.waves ?? []).map((w, index) => ({
    index,
    name: w.name,
    phase:
      index < (progress?.wave ?? 0) || (rollout.status === 'Completed' && index === progress?.wave)
        ? 'done'
        : index === progress?.wave
          ? 'current'
          : 'pending',
    clusters: w.clusters.map((id) => {
      const phase: ClusterPhase = !byCluster.has(id)
        ? 'not-in-fleet'
        : rollout.status === 'RollingBack' && activated.has(id)
          ? 'rolling-back'
          : rollout.status === 'RolledBack' && activated.has(id)
            ? 'rolled-back'
            : completed.has(id)
              ? 'done'
              : activated.has(id)
                ? 'updating'
                : 'waiting';
      return { id, phase, pools: poolsOf(id).map((p) => poolProgress(rollout.id, p)) };
    }),
  }));

  return { rollout, waves, blocked: explainBlocked(input, waves), events: input.events };
}

function explainBlocked(input: DescribeInput, waves: WaveProgress[]): string[] {
  const { rollout, now } = input;
  const progress = rollout.progress;
  const s = rollout.strategy;
  const out: string[] = [];
  switch (rollout.status) {
    case 'Paused':
      out.push(`paused by hand: no node starts until "strata rollout resume ${rollout.id}"`);
      break;
    case 'Halted':
      out.push(
        `halted${progress?.failureReason ? `: ${progress.failureReason}` : ''}; resume with "strata rollout resume ${rollout.id}" or roll back`,
      );
      break;
    case 'Pending':
      out.push('pending: waiting for its first planning pass');
      break;
    case 'Soaking': {
      const since = progress?.waveCompletedAt ? Date.parse(progress.waveCompletedAt) : now.getTime();
      const left = Math.max(0, Math.ceil((since + s.soakSeconds * 1000 - now.getTime()) / 1000));
      const wave = progress?.waves[progress.wave]?.name ?? '?';
      out.push(`soaking after wave "${wave}": ${left}s of soakSeconds ${s.soakSeconds} left`);
      break;
    }
    default:
      break;
  }
  if (isTerminal(rollout.status)) return out;

  // Failure budgets, as the planner counts them.
  let failed = 0;
  let machines = 0;
  for (const w of waves) {
    for (const c of w.clusters) {
      for (const p of c.pools) {
        machines += p.machineCount ?? 0;
        if (!p.targeted) continue;
        failed += p.failed.length;
        if (p.failed.length > 0) {
          const named = p.failed.map((n) => (p.failureReasons[n] ? `${n}: ${p.failureReasons[n]}` : n));
          out.push(
            `pool ${c.id}/${p.pool}: ${p.failed.length} failed node(s) (${named.join('; ')}); pool failure budget ${s.poolFailureBudget}`,
          );
        }
      }
    }
  }
  if (failed > 0) {
    out.push(
      `${failed} failed node(s) fleet-wide; fleet failure budget ${resolveFleetBudget(s.fleetFailureBudget, machines)}`,
    );
  }

  // Clusters of the current wave waiting for a free slot.
  const current = waves.find((w) => w.phase === 'current');
  if (current && (rollout.status === 'Progressing' || rollout.status === 'Pending')) {
    const updating = current.clusters.filter((c) => c.phase === 'updating').map((c) => c.id);
    const inFlightAll = waves.flatMap((w) => w.clusters).filter((c) => c.phase === 'updating').length;
    const waiting = current.clusters.filter((c) => c.phase === 'waiting').map((c) => c.id);
    if (waiting.length > 0 && inFlightAll >= s.maxConcurrentClusters) {
      out.push(
        `waiting on maxConcurrentClusters=${s.maxConcurrentClusters}: ${waiting.join(', ')} wait(s) for ${updating.join(', ') || 'clusters in flight'}`,
      );
    }
  }
  for (const w of waves.filter((x) => x.phase === 'pending')) {
    if (w.index === (progress?.wave ?? 0) + 1) {
      out.push(
        `wave "${w.name}" (${w.clusters.map((c) => c.id).join(', ')}) starts after wave "${current?.name ?? '?'}" completes and soaks`,
      );
    }
  }

  // Per pool: holds, windows, drains.
  const byCluster = new Map(input.clusters.map((c) => [c.id, c]));
  for (const w of waves) {
    for (const c of w.clusters) {
      if (c.phase !== 'updating' && c.phase !== 'rolling-back') continue;
      const cluster = byCluster.get(c.id);
      if (cluster?.windows?.length && !isWindowOpen(cluster.windows, input.now)) {
        const next = nextWindowOpening(cluster.windows, input.now);
        out.push(
          `cluster ${c.id}: maintenance window closed; no node starts until ${next ? next.toISOString() : 'a window opens'}`,
        );
      }
      for (const p of c.pools) {
        const key = `${c.id}/${p.pool}`;
        const paused = rollout.status === 'Paused' ? 'paused' : 'halted';
        if (p.held.length > 0)
          out.push(
            `pool ${key}: ${paused}; held where they are until the resume (told their target, not yet rebooted): ${p.held.join(', ')}`,
          );
        if (p.givenBack.length > 0)
          out.push(
            `pool ${key}: ${paused}; given back (uncordoned, not told their target, started again after the resume): ${p.givenBack.join(', ')}`,
          );
        for (const h of p.holds) {
          if (h === 'window-closed' || h === 'no-target' || h === 'paused' || h === 'halted') continue;
          out.push(
            h === 'pool-paused'
              ? `pool ${key}: paused by an operator; no node of it starts until \`strata pool resume ${key}\``
              : `pool ${key}: held (${h})`,
          );
        }
        if (p.noProgress) out.push(`pool ${key}: no progress: ${p.noProgress}`);
        for (const n of p.stuck) {
          out.push(
            `pool ${key}: drain of ${n} ran past the drain timeout (evictions refused); it keeps its slot`,
          );
        }
        for (const d of input.draining?.[key] ?? []) {
          if (p.stuck.includes(d.node)) continue;
          out.push(
            `pool ${key}: ${d.node} cordoned, draining for ${d.seconds}s (evictions retried while a PodDisruptionBudget refuses them)`,
          );
        }
      }
    }
  }
  return out;
}
