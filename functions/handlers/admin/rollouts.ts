/**
 * `GET /v1/rollouts[?track=]`, `GET /v1/rollouts/{id}` (waves, pools, events and why it is blocked) and
 * `POST /v1/rollouts/{id}/{pause|resume|abort|rollback}`.
 */
import { AdminHttpError, describeRollout, drainingNodes } from '../../core/admin/index.ts';
import type { RolloutRecord } from '../../core/model.ts';
import * as rollout from '../../core/rollout/index.ts';
import type { AuditEvent, Stores } from '../../core/stores.ts';
import type { AdminDeps, Resource } from './resource.ts';

/**
 * Applies a manual control (core/rollout/lifecycle.ts), conditional on the rollout's version, and asks the
 * planner to act on it. Pause and abort stop new node starts at once; nodes in flight finish.
 * @throws NotFoundError, InvalidTransitionError (naming the rollout, its status and the action).
 */
export async function controlRollout(
  deps: Pick<AdminDeps, 'planQueue' | 'now'> & { stores: Pick<Stores, 'rollouts' | 'events'> },
  id: string,
  action: rollout.RolloutAction,
  actor = 'cli',
): Promise<RolloutRecord> {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  let event: AuditEvent | undefined;
  const written = await deps.stores.rollouts.updateRollout(id, (current) => {
    if (!current) throw new rollout.NotFoundError(`rollout ${id}: not found`);
    const applied = rollout.applyAction(current, action, at, actor);
    event = applied.event;
    return applied.next;
  });
  await deps.stores.events.appendEvent(event!);
  await deps.planQueue.send({ rolloutId: id });
  return written!;
}

/** The rollout with its waves, pools and events; slotted nodes are read live for the drain detail. */
const describe: Resource = async (deps, req) => {
  const found = await deps.stores.rollouts.getRollout(req.id!);
  if (!found) throw new rollout.NotFoundError(`rollout ${req.id}: not found`);
  const clusters = rollout.rolloutFleet(found, await deps.stores.clusters.listClusters());
  const pools = (await Promise.all(clusters.map((c) => deps.stores.pools.listClusterPools(c.id)))).flat();
  // Slotted nodes cordoned but not told their target are draining; an unreachable cluster loses that detail.
  const live = async (p: rollout.PoolRecord) => {
    const read = async () => (await deps.clusters.connect(p.clusterId)).port.listNodes();
    const nodes = await read().catch(() => []);
    return [`${p.clusterId}/${p.pool}`, drainingNodes(p, nodes, req.now)] as const;
  };
  const slotted = await Promise.all(pools.filter(rollout.hasActiveSlots).map(live));
  const draining = Object.fromEntries(slotted.filter(([, nodes]) => nodes.length > 0));
  const events = await deps.stores.events.listEvents(found.id);
  return [200, describeRollout({ rollout: found, clusters, pools, events, now: req.now, draining })];
};

export const rolloutRoutes: Record<string, Resource> = {
  'GET rollouts': async (deps, req) => {
    const all = await deps.stores.rollouts.listRollouts();
    return [200, { items: all.filter((r) => !req.query.track || r.track === req.query.track).reverse() }];
  },
  'GET rollouts/:id': describe,
  'POST rollouts/:id/:action': async (deps, req) => {
    const action = req.action!;
    if (!rollout.isRolloutAction(action)) {
      throw new AdminHttpError(404, `no such rollout action "${action}" (pause, resume, abort, rollback)`);
    }
    return [
      200,
      { rollout: await controlRollout({ ...deps, now: () => req.now }, req.id!, action, 'admin-api') },
    ];
  },
};
