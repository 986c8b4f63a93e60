/**
 * `GET /v1/rollouts[?track=]`, `GET /v1/rollouts/{id}` (waves, pools, events and why it is blocked) and
 * `POST /v1/rollouts/{id}/{pause|resume|abort|rollback}`.
 */

import { controlRollout } from '../../adapters/store/rollout-control.ts';
import { AdminHttpError, describeRollout, drainingNodes } from '../../core/admin/index.ts';
import * as rollout from '../../core/rollout/index.ts';
import type { Resource } from './resource.ts';

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
