/**
 * An operator's hold on one pool, as the admin API applies it: one conditional write of the pool item
 * (core/rollout/pool-state.ts decides it), an audit event on the rollout targeting the pool, and a reconcile
 * of the pool, which applies the hold through the cluster's driver (agent: no node starts; mco: the
 * MachineConfigPool paused with Strata's annotations, and unpaused on resume only where Strata paused it).
 */
import type { Dependencies } from '../../core/dependencies.ts';
import * as rollout from '../../core/rollout/index.ts';
import type { Stores } from '../../core/stores.ts';

/** The two pool controls. */
export type PoolAction = 'pause' | 'resume';

/** Whether `action` names a pool control. */
export function isPoolAction(action: string): action is PoolAction {
  return action === 'pause' || action === 'resume';
}

/** What a pool control answers: the pool item as written (or as it was, when nothing changed). */
export interface PoolControlAnswer {
  pool: rollout.PoolRecord;
  /** False when the pool already was as asked (paused, or not paused). */
  changed: boolean;
}

/**
 * Pauses or resumes one pool; idempotent. Nodes in flight finish; no node starts while it is paused.
 * @throws NotFoundError for a pool that is not registered.
 */
export async function controlPool(
  deps: Pick<Dependencies, 'reconcileQueue' | 'now'> & { stores: Pick<Stores, 'pools' | 'events'> },
  clusterId: string,
  pool: string,
  action: PoolAction,
  actor = 'admin-api',
): Promise<PoolControlAnswer> {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const where = `pool ${clusterId}/${pool}`;
  const written = await deps.stores.pools.updatePool(clusterId, pool, (p) =>
    action === 'pause' ? rollout.pausedPool(p, actor, at) : rollout.resumedPool(p),
  );
  const current = written ?? (await deps.stores.pools.getPool(clusterId, pool));
  if (!current) throw new rollout.NotFoundError(`${where}: not registered`);
  const rolloutId = current.target?.rolloutId;
  if (written && rolloutId) {
    await deps.stores.events.appendEvent({
      rolloutId,
      time: at,
      kind: action === 'pause' ? 'PoolPaused' : 'PoolResumed',
      message: `${clusterId}/${pool} ${action === 'pause' ? 'paused: no node of it starts until it is resumed' : 'resumed'}`,
      actor,
    });
  }
  // The reconcile applies the hold (or lifts it) on the cluster, also when the item already said so.
  await deps.reconcileQueue.send({ clusterId, pool });
  return { pool: current, changed: written !== null };
}
