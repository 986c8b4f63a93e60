/**
 * The mco driver's pool reconcile and release, over its ports (the pool-reconcile handler and the admin API
 * dispatch here for clusters whose driver is `mco`). A reconcile reads the pool item, its rollout, the
 * MachineConfigPool as MCO reports it, the pool's nodes and (where served) their MachineConfigNodes; takes one pass of core/drivers/mco
 * (planMcoPass); writes the pool item conditionally; then makes the pass's cluster writes (brake and
 * maxUnavailable, image layer, brake released) and records a prediction mismatch as a Kubernetes Event and
 * an audit event. A release forgets the pool's target (written first), then deletes the image layer,
 * restores maxUnavailable and lifts Strata's pause (only Strata's).
 */
import { AdminHttpError } from '../../core/admin/route.ts';
import { clusterDriver } from '../../core/clusters.ts';
import type { Dependencies } from '../../core/dependencies.ts';
import * as mco from '../../core/drivers/mco/index.ts';
import type * as messages from '../../core/messages.ts';
import { VersionConflictError } from '../../core/retry.ts';
import * as core from '../../core/rollout/index.ts';
import type { Stores } from '../../core/stores.ts';
import { finishReconcile } from './poll-chain.ts';

/** A cluster write of the mco driver, named for crash injection (`node` is the pool's name). */
export interface McoSideEffectPoint {
  kind: 'patch-pool' | 'image-layer' | 'event';
  clusterId: string;
  pool: string;
  node: string;
}

/** What the mco reconcile needs (a subset of pool-reconcile's). */
export type McoReconcileDeps = Pick<Dependencies, 'reconcileQueue' | 'planQueue' | 'now' | 'log'> & {
  stores: Pick<Stores, 'pools' | 'rollouts'> & Partial<Pick<Stores, 'events'>>;
  settings?: Partial<core.ReconcileSettings & mco.McoSettings>;
  /** Called before each cluster write; a throw here stands for a crash at that point. */
  beforeSideEffect?: (point: McoSideEffectPoint) => void | Promise<void>;
};

/** One reconcile of a pool of an mco cluster; a lost race re-reads and plans again (a few times). */
export async function reconcileMcoPool(
  deps: McoReconcileDeps,
  message: messages.ReconcilePoolMessage,
  cluster: core.ConnectedCluster,
): Promise<core.PoolReconcileOutcome> {
  const key = { clusterId: message.clusterId, pool: message.pool };
  const settings = { ...core.DEFAULT_RECONCILE_SETTINGS, ...mco.DEFAULT_MCO_SETTINGS, ...deps.settings };
  const now = deps.now ?? (() => new Date());
  const { pools, rollouts } = deps.stores;
  const outcome = core.emptyReconcileOutcome(key);
  const { record, port } = cluster;
  let pass: mco.McoPass | null = null;
  let pool: core.PoolRecord | null = null;
  // Only the pool's nodes are read (a label selector), not the whole cluster's.
  const selector = record.pools.find((p) => p.name === key.pool)?.nodeSelector;
  for (let attempt = 0; attempt < settings.maxPasses && !pass; attempt++) {
    const [item, observed, all] = await Promise.all([
      pools.getPool(key.clusterId, key.pool),
      cluster.mco.readPool(key.pool),
      port.listNodes(selector),
    ]);
    if (!item) return outcome;
    if (!observed) {
      deps.log?.({ level: 'WARN', message: 'no such MachineConfigPool', ...key });
      return outcome;
    }
    const rollout = item.target
      ? ((await rollouts.getRollout(item.target.rolloutId)) ?? undefined)
      : undefined;
    const nodes = all.filter((n) => core.primaryPool(n.labels, record.pools) === key.pool);
    const names = nodes.map((n) => n.name);
    // Per-node phases where the cluster serves MachineConfigNode (null elsewhere: annotations alone).
    const mcns = await cluster.mco.listMachineConfigNodes(names);
    const planned = mco.planMcoPass({
      pool: item,
      rollout,
      observed,
      nodes,
      machineConfigNodes: mcns ? mco.mcnPhases(mcns, names) : null,
      windows: record.windows,
      now: now(),
      settings,
    });
    pool = item;
    if (planned.write) {
      try {
        pool = await pools.putPoolIfVersion(planned.next, item.version);
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        outcome.conflicts++;
        continue;
      }
    }
    pass = planned;
  }
  if (!pass || !pool) return outcome;
  // The cluster writes, in order: nothing moves before the brake and maxUnavailable are in place, and
  // Strata's brake comes off only once the image layer is where it should be.
  const { writes } = pass;
  const hook = (kind: McoSideEffectPoint['kind']) =>
    deps.beforeSideEffect?.({ kind, ...key, node: key.pool });
  if (writes.before) {
    await hook('patch-pool');
    await cluster.mco.patchPool(key.pool, writes.before);
  }
  if (writes.layer) await hook('image-layer');
  if (writes.layer === 'delete') await cluster.mco.deleteImageLayer(core.imageLayerName(key.pool));
  else if (writes.layer) {
    const mc = core.imageLayer(key.pool, writes.layer.image, writes.layer.labels);
    await cluster.mco.applyImageLayer(mc);
  }
  if (writes.after) {
    await hook('patch-pool');
    await cluster.mco.patchPool(key.pool, writes.after);
  }
  const rolloutId = pool.target?.rolloutId;
  for (const event of writes.events) {
    await hook('event');
    await cluster.mco.recordEvent(key.pool, event);
  }
  if (pass.mismatch && rolloutId && deps.stores.events) {
    const { predicted, rendered } = pass.mismatch;
    await deps.stores.events.appendEvent({
      rolloutId,
      time: now().toISOString(),
      kind: 'RenderedNameMismatch',
      message: `${key.clusterId}/${key.pool}: predicted ${predicted}, MCO rendered ${rendered} (tracked)`,
      actor: key.clusterId,
    });
    deps.log?.({ level: 'WARN', message: 'rendered name mismatch', rolloutId, ...key, predicted, rendered });
  }
  if (pool.mco?.blocked) {
    deps.log?.({ level: 'WARN', message: 'pool not progressing', rolloutId, ...key, why: pool.mco.blocked });
  }
  Object.assign(outcome, { holds: pass.holds, done: pass.done });
  const delay = core.requeueAfter({
    drainBlocked: false,
    slotsHeld: false,
    pool,
    done: pass.done,
    holds: pass.holds,
    windowClosed: pass.windowClosed,
    windows: record.windows,
    now: now(),
    settings,
  });
  const finished = await finishReconcile(deps, message, pool, null, delay, now(), settings.pollGraceSeconds);
  if (pass.notifyPlanner && rolloutId) await deps.planQueue.send({ rolloutId });
  outcome.requeueAfterSeconds = finished.polled;
  deps.log?.({ level: 'INFO', message: 'pool reconciled', driver: 'mco', rolloutId, ...outcome });
  return outcome;
}

/** What releasing a pool answers. */
export interface McoRelease {
  released: string;
  deletedMachineConfig: string | null;
  restoredMaxUnavailable?: number | string | null;
  unpaused: boolean;
}

/**
 * Gives a pool of an mco cluster back to its administrators; idempotent.
 * @throws NotFoundError for an unknown pool; AdminHttpError 409 on an agent cluster or while a live rollout
 * targets the pool.
 */
export async function releaseMcoPool(
  deps: Pick<Dependencies, 'clusters' | 'reconcileQueue'> & { stores: Pick<Stores, 'pools' | 'rollouts'> },
  clusterId: string,
  pool: string,
): Promise<McoRelease> {
  const where = `pool ${clusterId}/${pool}`;
  const item = await deps.stores.pools.getPool(clusterId, pool);
  if (!item) throw new core.NotFoundError(`${where}: not registered`);
  const cluster = await deps.clusters.connect(clusterId);
  const driver = clusterDriver(cluster.record);
  if (driver !== 'mco')
    throw new AdminHttpError(
      409,
      `${where}: release applies to mco clusters (this one's driver is ${driver})`,
    );
  const rollout = item.target ? await deps.stores.rollouts.getRollout(item.target.rolloutId) : null;
  if (rollout && core.isLive(rollout.status)) {
    throw new AdminHttpError(
      409,
      `${where}: rollout ${rollout.id} is ${rollout.status}; pause or abort it first`,
    );
  }
  await deps.stores.pools.updatePool(clusterId, pool, (p) =>
    p.target || p.mco ? mco.releasedPool(p) : null,
  );
  const observed = await cluster.mco.readPool(pool);
  if (!observed) throw new core.NotFoundError(`${where}: the cluster has no MachineConfigPool ${pool}`);
  const layer = core.imageLayerName(pool);
  const hadLayer = observed.layerImage !== null;
  if (hadLayer) await cluster.mco.deleteImageLayer(layer);
  const patch = mco.releasePatch(observed, item.mco);
  if (patch) await cluster.mco.patchPool(pool, patch);
  const message = `Strata released pool ${pool}${hadLayer ? `: deleted ${layer}` : ''}`;
  await cluster.mco.recordEvent(pool, { type: 'Normal', reason: 'Released', message });
  await deps.reconcileQueue.send({ clusterId, pool });
  return {
    released: `${clusterId}/${pool}`,
    deletedMachineConfig: hadLayer ? layer : null,
    ...(patch?.maxUnavailable !== undefined ? { restoredMaxUnavailable: patch.maxUnavailable } : {}),
    unpaused: patch?.paused === false,
  };
}
