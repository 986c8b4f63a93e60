/**
 * `GET /v1/pools?cluster=&pool=` (pool items, like `oc get mcp`), `GET /v1/nodes` (read live) and
 * `GET /v1/nodes/{cluster}/{node}/history` (what the control plane observed of the node's updates).
 */
import { readFleetNodes } from '../../adapters/cluster/fleet-nodes.ts';
import { ListQuerySchema, nodeList, parseRequest, poolList } from '../../core/admin/index.ts';
import { nodeHistoryAnswerAt } from '../../core/history/index.ts';
import { NotFoundError } from '../../core/rollout/index.ts';
import type { Resource } from './resource.ts';

const pools: Resource = async (deps, req) => {
  const q = parseRequest(ListQuerySchema, req.query, 'query');
  const clusters = await deps.stores.clusters.listClusters();
  if (q.cluster && !clusters.some((c) => c.id === q.cluster)) {
    throw new NotFoundError(`cluster ${q.cluster}: not registered`);
  }
  const { listClusterPools, listAllPools } = deps.stores.pools;
  const items = q.cluster ? await listClusterPools(q.cluster) : await listAllPools();
  return [200, { items: poolList(items, clusters, q.pool) }];
};

/** Nodes read live from each cluster; an unreachable cluster is listed under `errors`. */
const nodes: Resource = async (deps, req) => {
  const q = parseRequest(ListQuerySchema, req.query, 'query');
  const clusters = (await deps.stores.clusters.listClusters()).filter(
    (c) => !q.cluster || c.id === q.cluster,
  );
  if (q.cluster && clusters.length === 0) throw new NotFoundError(`cluster ${q.cluster}: not registered`);
  const { items, errors } = await readFleetNodes(deps.clusters, clusters);
  return [200, { items: nodeList(items, q.pool), errors }];
};

const history: Resource = async (deps, req) => {
  const found = await deps.stores.history.getNodeHistory(req.id!, req.action!);
  if (!found) throw new NotFoundError(`node ${req.id}/${req.action}: no history recorded`);
  return [200, nodeHistoryAnswerAt(found, req.now)];
};

export const poolRoutes: Record<string, Resource> = {
  'GET pools': pools,
  'GET nodes': nodes,
  'GET nodes/:id/:action/history': history,
};
