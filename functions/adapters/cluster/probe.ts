/**
 * The cluster probe (core/cluster-health.ts): one list of the nodes and of MachineConfigPools, with the
 * registration's own credentials (or a token not stored yet), under a time limit. A failure is never
 * thrown: it is classified (refused, TLS, 401/403, timeout, …) from the HTTP status or the network error
 * found along the error's `cause` chain (undici reports `fetch failed` with the real error as its cause).
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import {
  type ClusterProbe,
  describeFailure,
  healthCause,
  type ProbeFailure,
  type ProbeResult,
} from '../../core/cluster-health.ts';
import type { ClusterRegistration } from '../../core/clusters.ts';
import { primaryPool } from '../../core/rollout/pool-membership.ts';
import { CredentialsError } from '../secrets/tokens.ts';
import type { CredentialsResolver } from './credentials.ts';

/** The time a probe may take before it counts as a timeout. */
export const PROBE_TIMEOUT_MS = 5000;

/** The HTTP status, the innermost error code and its message, from an error and its causes. */
export function probeFailure(error: unknown): ProbeFailure {
  if (error instanceof CredentialsError) return { message: error.message, code: 'CREDENTIALS' };
  let message = (error as Error).message ?? String(error);
  let [status, code]: [number | undefined, string | undefined] = [undefined, undefined];
  type Link = { code?: unknown; status?: unknown; cause?: unknown; message?: string };
  for (let e = error as Link | undefined; e; e = e.cause as Link | undefined) {
    const http = typeof e.code === 'number' ? e.code : typeof e.status === 'number' ? e.status : undefined;
    status ??= http;
    if (typeof e.code === 'string') [code, message] = [e.code, e.message ?? message];
  }
  if (status === 401 || status === 403) message = `HTTP ${status} listing nodes`;
  return { message, status, code };
}

/** An error reading a cluster, in words: its cause when one is recognised, else its message. */
export function clusterErrorText(error: unknown): string {
  const failure = probeFailure(error);
  const cause = healthCause(failure);
  return cause === 'error' ? (error as Error).message : describeFailure({ cause, error: failure.message });
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms / 1000}s`), { code: 'TIMEOUT' })),
      ms,
    );
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

function tokenConfig(cluster: ClusterRegistration, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: cluster.id, server: cluster.endpoint, ...(cluster.caData ? { caData: cluster.caData } : {}) },
    ],
    users: [{ name: 'strata', token }],
    contexts: [{ name: cluster.id, cluster: cluster.id, user: 'strata' }],
    currentContext: cluster.id,
  });
  return kc;
}

/** The probe over client-node, resolving stored credentials through `credentials`. */
export function createClusterProbe(
  credentials: CredentialsResolver,
  timeoutMs = PROBE_TIMEOUT_MS,
): ClusterProbe {
  const look = async (cluster: ClusterRegistration, token?: string): Promise<ProbeResult> => {
    const kc = token
      ? tokenConfig(cluster, token)
      : await credentials.kubeConfigFor({ ...cluster, registeredAt: '', version: 0 });
    const nodes = (await kc.makeApiClient(CoreV1Api).listNode()).items;
    const poolNodes = Object.fromEntries(cluster.pools.map((p) => [p.name, 0]));
    for (const n of nodes) {
      const pool = primaryPool(n.metadata?.labels ?? {}, cluster.pools);
      if (pool) poolNodes[pool] = (poolNodes[pool] ?? 0) + 1;
    }
    let machineConfigPools: string[] | null;
    try {
      const list = (await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({
        group: 'machineconfiguration.openshift.io',
        version: 'v1',
        plural: 'machineconfigpools',
      })) as { items?: { metadata?: { name?: string } }[] };
      machineConfigPools = (list.items ?? []).map((i) => i.metadata?.name ?? '').filter(Boolean);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 404) throw error;
      machineConfigPools = null;
    }
    return {
      reachable: true,
      nodes: nodes.length,
      poolNodes,
      servesMachineConfigs: machineConfigPools !== null,
      machineConfigPools: machineConfigPools ?? [],
    };
  };
  return {
    async probe(cluster, token) {
      try {
        return await within(timeoutMs, look(cluster, token));
      } catch (error) {
        const failure = probeFailure(error);
        return { reachable: false, cause: healthCause(failure), error: failure.message };
      }
    },
  };
}
