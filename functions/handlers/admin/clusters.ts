/** `GET|POST /v1/clusters`, `DELETE /v1/clusters/{id}`: registered clusters. */
import { AddClusterSchema, AdminHttpError, parseRequest, registrationOf } from '../../core/admin/index.ts';
import { publicCluster } from '../../core/clusters.ts';
import { busyPools, NotFoundError } from '../../core/rollout/index.ts';
import type { Resource } from './resource.ts';

/** Registers a cluster with its pools (validated before anything is written; the token goes last). */
const add: Resource = async (deps, req) => {
  const request = parseRequest(AddClusterSchema, req.body(), 'body');
  const registration = registrationOf(request, deps.tokens !== undefined);
  const { clusters } = deps.stores;
  if (await clusters.getCluster(request.name)) {
    throw new AdminHttpError(
      409,
      `cluster ${request.name}: already registered (remove it first to change it)`,
    );
  }
  const created = await clusters.registerClusterWithPools(registration, req.now);
  if (request.token && deps.tokens && registration.credentials.kind === 'token-secret') {
    await deps.tokens.put(registration.credentials.secretName, request.token);
  }
  // The first reconcile of each pool records its baseline.
  for (const p of registration.pools)
    await deps.reconcileQueue.send({ clusterId: request.name, pool: p.name });
  const record = await clusters.getCluster(request.name);
  return [201, { created, cluster: record ? publicCluster(record) : null }];
};

/** Unregisters a cluster and its pools, unless nodes are in flight. */
const remove: Resource = async (deps, req) => {
  const id = req.id!;
  if (!(await deps.stores.clusters.getCluster(id))) throw new NotFoundError(`cluster ${id}: not registered`);
  const pools = await deps.stores.pools.listClusterPools(id);
  const busy = busyPools(pools);
  if (busy.length > 0) {
    throw new AdminHttpError(
      409,
      `cluster ${id}: nodes are being updated in pool(s) ${busy.join(', ')}; pause or abort the rollout and wait for them to finish`,
    );
  }
  await deps.stores.clusters.unregisterCluster(
    id,
    pools.map((p) => p.pool),
  );
  return [200, { deleted: id, pools: pools.map((p) => p.pool) }];
};

export const clusterRoutes: Record<string, Resource> = {
  'GET clusters': async (deps) => [
    200,
    { items: (await deps.stores.clusters.listClusters()).map(publicCluster) },
  ],
  'POST clusters': add,
  'DELETE clusters/:id': remove,
};
