/**
 * Connects to registered clusters: reads the cluster's registration from the store and returns the cluster
 * ports built from its resolved credentials, cached per registration version (a changed endpoint or
 * credentials reference builds a new client). A registration without a driver (registered before drivers
 * existed, or not reachable when it was registered) gets the detected one, recorded on the registration.
 */

import { type ClusterRecord, detectedDriver } from '../../core/clusters.ts';
import { VersionConflictError } from '../../core/retry.ts';
import type { ClusterConnector, ConnectedCluster } from '../../core/rollout/cluster-port.ts';
import { NotFoundError } from '../../core/rollout/errors.ts';
import { createClusterCache, getCluster, updateCluster } from '../store/clusters.ts';
import type { StoreContext } from '../store/context.ts';
import type { CredentialsResolver } from './credentials.ts';
import { EKS_TOKEN_REFRESH_SECONDS } from './eks-token.ts';
import { createKubernetesCluster } from './kubernetes.ts';
import { createMcoCluster } from './mco.ts';

/** Detects the driver of a registration without one and records it (a lost race re-reads the winner's). */
async function withDriver(store: StoreContext, connected: ConnectedCluster): Promise<ClusterRecord> {
  const { record } = connected;
  if (record.driver !== undefined) return record;
  const driver = detectedDriver(await connected.mco.detect());
  try {
    await updateCluster(store, { ...record, driver }, record.version);
    return { ...record, driver, version: record.version + 1 };
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
    const now = await getCluster(store, record.id);
    return now?.driver ? now : { ...record, driver };
  }
}

/**
 * The default connector: store registration (cached `cacheSeconds`, default 5) + credentials resolver +
 * Kubernetes client.
 */
export function createClusterConnector(
  store: StoreContext,
  credentials: CredentialsResolver,
  cacheSeconds = 5,
  now: () => number = Date.now,
): ClusterConnector {
  const cache = new Map<string, { version: number; connected: ConnectedCluster; builtAt: number }>();
  const registrations = createClusterCache(store, cacheSeconds);
  return {
    async connect(clusterId) {
      const record = await registrations.get(clusterId);
      if (!record) throw new NotFoundError(`cluster ${clusterId}: not registered`);
      let cached = cache.get(clusterId);
      // A client holding a short-lived token is built again (with a new token) before the token expires.
      const expiring = record.credentials.kind === 'eks' ? EKS_TOKEN_REFRESH_SECONDS * 1000 : Infinity;
      if (cached && now() - cached.builtAt >= expiring) cached = undefined;
      // A cached connection whose registration only gained its detected driver is still current.
      if (
        cached &&
        (cached.version === record.version ||
          (record.driver === undefined &&
            cached.connected.record.driver !== undefined &&
            cached.version === record.version + 1))
      ) {
        return cached.connected;
      }
      const kc = await credentials.kubeConfigFor(record);
      const connected: ConnectedCluster = {
        record,
        port: createKubernetesCluster(kc, clusterId),
        mco: createMcoCluster(kc, clusterId),
      };
      connected.record = await withDriver(store, connected);
      cache.set(clusterId, { version: connected.record.version, connected, builtAt: now() });
      return connected;
    },
  };
}
