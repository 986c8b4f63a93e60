/**
 * Connects to registered clusters: reads the cluster's registration from the store and returns a cluster
 * port built from its resolved credentials, cached per registration version (a changed endpoint or
 * credentials reference builds a new client).
 */

import type { ClusterConnector, ClusterPort } from '../../core/rollout/cluster-port.ts';
import { NotFoundError } from '../../core/rollout/errors.ts';
import { createClusterCache } from '../store/clusters.ts';
import type { StoreContext } from '../store/context.ts';
import type { CredentialsResolver } from './credentials.ts';
import { createKubernetesCluster } from './kubernetes.ts';

/**
 * The default connector: store registration (cached `cacheSeconds`, default 5) + credentials resolver +
 * Kubernetes client.
 */
export function createClusterConnector(
  store: StoreContext,
  credentials: CredentialsResolver,
  cacheSeconds = 5,
): ClusterConnector {
  const cache = new Map<string, { version: number; port: ClusterPort }>();
  const registrations = createClusterCache(store, cacheSeconds);
  return {
    async connect(clusterId) {
      const record = await registrations.get(clusterId);
      if (!record) throw new NotFoundError(`cluster ${clusterId}: not registered`);
      const cached = cache.get(clusterId);
      if (cached && cached.version === record.version) return { record, port: cached.port };
      const port = createKubernetesCluster(await credentials.kubeConfigFor(record), clusterId);
      cache.set(clusterId, { version: record.version, port });
      return { record, port };
    },
  };
}
