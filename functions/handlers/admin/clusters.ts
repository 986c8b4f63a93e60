/**
 * `GET|POST /v1/clusters` (with each one's health; added ones probed first), `DELETE /v1/clusters/{id}`, and
 * `POST /v1/clusters/{id}/{release|pause|resume}` with `{ pool }`: a pool's release, pause and resume.
 */
import { fleetHealth } from '../../adapters/cluster/health.ts';
import { releaseMcoPool } from '../../adapters/cluster/mco-reconcile.ts';
import { controlPool, isPoolAction } from '../../adapters/store/pool-control.ts';
import * as admin from '../../core/admin/index.ts';
import { describeFailure, nextHealth } from '../../core/cluster-health.ts';
import { publicCluster } from '../../core/clusters.ts';
import { busyPools, NotFoundError } from '../../core/rollout/index.ts';
import type { Resource } from './resource.ts';

/** Registers a cluster with its pools (validated and probed before anything is written; the token last). */
const add: Resource = async ({ stores, tokens, reconcileQueue, clusters, probe }, req) => {
  const request = admin.parseRequest(admin.AddClusterSchema, req.body(), 'body');
  const registration = admin.registrationOf(request, tokens !== undefined);
  const { name } = request;
  if (await stores.clusters.getCluster(name)) {
    throw new admin.AdminHttpError(409, `cluster ${name}: already registered (remove it first to change it)`);
  }
  const found = request.verify && probe ? await probe.probe(registration, request.token) : null;
  if (found && !found.reachable)
    throw new admin.AdminHttpError(422, `cluster ${name}: ${describeFailure(found)}`);
  const created = await stores.clusters.registerClusterWithPools(registration, req.now);
  if (found) await stores.health.recordHealth(nextHealth(null, name, found, req.now.toISOString()));
  const { credentials } = registration;
  if (request.token && credentials.kind === 'token-secret')
    await tokens?.put(credentials.secretName, request.token);
  // Detects and records the driver when none was given; an unreachable cluster is detected when first reached.
  if (!registration.driver) await clusters.connect(name).catch(() => undefined);
  // The first reconcile of each pool records its baseline.
  for (const p of registration.pools) await reconcileQueue.send({ clusterId: name, pool: p.name });
  const record = await stores.clusters.getCluster(name);
  const warning = admin.credentialsWarning(request);
  return [
    201,
    { created, cluster: record ? publicCluster(record) : null, found, ...(warning ? { warning } : {}) },
  ];
};

/** Unregisters a cluster and its pools, unless nodes are in flight. */
const remove: Resource = async ({ stores }, req) => {
  const id = req.id!;
  if (!(await stores.clusters.getCluster(id))) throw new NotFoundError(`cluster ${id}: not registered`);
  const items = await stores.pools.listClusterPools(id);
  const [pools, busy] = [items.map((p) => p.pool), busyPools(items)];
  if (busy.length > 0) {
    const why = `nodes are being updated in pool(s) ${busy.join(', ')}; pause or abort the rollout and wait for them to finish`;
    throw new admin.AdminHttpError(409, `cluster ${id}: ${why}`);
  }
  await stores.clusters.unregisterCluster(id, pools);
  return [200, { deleted: id, pools }];
};

export const clusterRoutes: Record<string, Resource> = {
  'GET clusters': async ({ stores, probe }, req) => {
    const clusters = await stores.clusters.listClusters();
    const health = await fleetHealth(probe, stores.health, clusters, req.now);
    return [200, { items: clusters.map((c) => ({ ...publicCluster(c), health: health.get(c.id) ?? null })) }];
  },
  'POST clusters': add,
  'DELETE clusters/:id': remove,
  'POST clusters/:id/:action': async (deps, req) => {
    const action = req.action!;
    if (action !== 'release' && !isPoolAction(action))
      throw new admin.AdminHttpError(404, `no such cluster action "${action}" (release, pause, resume)`);
    const { pool } = admin.parseRequest(admin.PoolActionSchema, req.body(), 'body');
    if (action === 'release') return [200, await releaseMcoPool(deps, req.id!, pool)];
    return [200, await controlPool({ ...deps, now: () => req.now }, req.id!, pool, action)];
  },
};
