/**
 * The agent driver's pool reconcile (the pool-reconcile handler dispatches here for clusters whose driver
 * is `agent`): re-reads the pool item, its rollout's status and the pool's nodes, takes the pool mechanics'
 * next pass (core/rollout/pool-mechanics.ts, in the cluster's node vocabulary), writes its intent
 * conditionally, then performs the node steps (./node-steps.ts). Safe to run concurrently and to repeat:
 * only the pass whose intent write wins acts, and every cluster call is idempotent.
 */
import { nodeMechanics } from '../../core/clusters.ts';
import type { Dependencies } from '../../core/dependencies.ts';
import type * as messages from '../../core/messages.ts';
import { VersionConflictError } from '../../core/retry.ts';
import * as core from '../../core/rollout/index.ts';
import type { Stores } from '../../core/stores.ts';
import { type BeforeSideEffect, performSteps } from './node-steps.ts';
import { finishReconcile } from './poll-chain.ts';

/** What the agent reconcile needs (a subset of pool-reconcile's). */
export type AgentReconcileDeps = Pick<Dependencies, 'reconcileQueue' | 'planQueue' | 'now' | 'log'> & {
  stores: Pick<Stores, 'pools' | 'rollouts'>;
  settings?: Partial<core.ReconcileSettings>;
  /** Called before each cluster side effect; a throw here stands for a crash at that point. */
  beforeSideEffect?: BeforeSideEffect;
};

/** Up to `maxPasses` passes: after its own uncordon a pass re-plans from what it knows, without reading. */
export async function reconcileAgentPool(
  deps: AgentReconcileDeps,
  message: messages.ReconcilePoolMessage,
  connected: core.ConnectedCluster,
): Promise<core.PoolReconcileOutcome> {
  const key = { clusterId: message.clusterId, pool: message.pool };
  const settings = { ...core.DEFAULT_RECONCILE_SETTINGS, ...deps.settings };
  const now = deps.now ?? (() => new Date());
  const { pools, rollouts } = deps.stores;
  const outcome = core.emptyReconcileOutcome(key);
  const { record: cluster, port } = connected;
  const driver = nodeMechanics(await port.servesMachineConfigs());
  // Only the pool's nodes are read (a label selector), not the whole cluster's.
  const selector = cluster.pools.find((p) => p.name === key.pool)?.nodeSelector;
  let known: Pick<core.PoolPassInput, 'pool' | 'nodes' | 'rolloutStatus'> | null = null;
  let last: core.PoolPass | null = null;
  let [drainBlocked, slotsHeld, notifyPlanner] = [false, false, false];
  const hooks = { before: deps.beforeSideEffect, log: deps.log };
  // A conditional write that lost its race gives null: someone else changed the pool first.
  const put = (next: core.PoolRecord, version: number) =>
    pools.putPoolIfVersion(next, version).catch((error) => {
      if (error instanceof VersionConflictError) return null;
      throw error;
    });
  for (let pass = 0; pass < settings.maxPasses; pass++) {
    if (!known) {
      // The pool item and the cluster's nodes are independent reads: one round trip instead of two.
      const [pool, all] = await Promise.all([
        pools.getPool(key.clusterId, key.pool),
        port.listNodes(selector),
      ]);
      if (!pool) return outcome;
      const rolloutStatus = pool.target
        ? (await rollouts.getRollout(pool.target.rolloutId))?.status
        : undefined;
      const nodes = all.filter((n) => core.primaryPool(n.labels, cluster.pools) === key.pool);
      known = { pool, rolloutStatus, nodes };
    }
    const { drainTimeoutSeconds, updateTimeoutSeconds } = settings;
    last = core.planPoolPass({
      ...known,
      windows: cluster.windows,
      now: now(),
      drainTimeoutSeconds,
      updateTimeoutSeconds,
      driver,
    });
    notifyPlanner ||= last.notifyPlanner;
    const written = last.writeIntent ? await put(last.next, known.pool.version) : known.pool;
    if (!written) {
      outcome.conflicts++;
      known = null;
      continue;
    }
    known.pool = written;
    const { plan } = last;
    outcome.started.push(...plan.start);
    outcome.released.push(...plan.release);
    Object.assign(outcome, { holds: plan.holds, done: plan.done });
    const rolloutId = known.pool.target?.rolloutId;
    const performed = await performSteps(port, { ...key, ...hooks, rolloutId }, plan.steps, known.nodes);
    // A node that changed under a decision (409 on its resourceVersion) is read and planned again soon.
    [drainBlocked, slotsHeld] = [performed.drainBlocked || performed.changed, core.hasActiveSlots(last.next)];
    if (!performed.uncordoned || performed.changed) break;
  }
  const pool = known?.pool ?? (await pools.getPool(key.clusterId, key.pool));
  const delay = core.requeueAfter({
    drainBlocked,
    slotsHeld,
    pool,
    done: outcome.done,
    holds: outcome.holds,
    windowClosed: last?.windowClosed ?? false,
    windows: cluster.windows,
    now: now(),
    settings,
  });
  // The report (status, holds) is written once, after the work, with the pool's next poll time when this
  // reconcile carries its poll chain on; losing that race only means another reconcile wrote a report at
  // least as fresh.
  const report = known && last && core.withReport(known.pool, last.next);
  const finished = pool
    ? await finishReconcile(deps, message, pool, report, delay, now(), settings.pollGraceSeconds)
    : null;
  const rolloutId = last?.next.target?.rolloutId;
  if (notifyPlanner && rolloutId) await deps.planQueue.send({ rolloutId });
  outcome.requeueAfterSeconds = finished?.polled ?? null;
  deps.log?.({ level: 'INFO', message: 'pool reconciled', rolloutId, ...outcome });
  return outcome;
}
