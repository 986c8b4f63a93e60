/**
 * Registered clusters: what Strata knows of each (API endpoint, CA, how to authenticate, labels for wave
 * selectors, pools, maintenance windows) and the rules a registration must satisfy before anything is
 * written.
 */
import { InvalidPolicyError } from './rollout/errors.ts';
import { resolveMaxUnavailable } from './rollout/max-unavailable.ts';
import { type MaintenanceWindow, validateWindows } from './rollout/windows.ts';

/** How to authenticate to a cluster; resolved by the cluster credentials resolver (adapters/cluster). */
export type CredentialsRef =
  /** A bearer token stored under this name (Secrets Manager on AWS, an in-memory map locally). */
  | { kind: 'token-secret'; secretName: string }
  /** A kubeconfig file on disk (local runs), optionally a context in it. */
  | { kind: 'kubeconfig'; path: string; context?: string };

/**
 * How Strata moves a cluster's pools: `mco` where MCO's machinery runs (the cluster serves
 * machineconfiguration.openshift.io), `agent` where the Strata node agent runs on image-mode hosts.
 */
export type ClusterDriver = 'mco' | 'agent';

/** A registered cluster. */
export interface ClusterRecord {
  id: string;
  /** `https://host:port` of the Kubernetes API server. */
  endpoint: string;
  /** CA bundle of the API server, base64 PEM (kubeconfig `certificate-authority-data`), when not publicly trusted. */
  caData?: string;
  credentials: CredentialsRef;
  labels: Record<string, string>;
  /** Pool names with the node selector of each (MCO pools select nodes by label). */
  pools: { name: string; nodeSelector: Record<string, string>; maxUnavailable?: number | `${number}%` }[];
  windows?: MaintenanceWindow[];
  /** How its pools are moved; absent on older records (then decided by {@link nodeMechanics}). */
  driver?: ClusterDriver;
  registeredAt: string;
  version: number;
}

/** Registration input: a cluster record without the bookkeeping fields. */
export type ClusterRegistration = Omit<ClusterRecord, 'version' | 'registeredAt'>;

/** Cluster ids: DNS-label-like, so they fit keys, secret names and URLs. */
export const CLUSTER_ID = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Checks a registration before anything is written: id, endpoint, at least one pool, each pool's
 * maxUnavailable, the maintenance windows.
 * @throws InvalidPolicyError naming the cluster and field.
 */
export function validateRegistration(input: ClusterRegistration): void {
  const where = `cluster ${input.id}`;
  if (!CLUSTER_ID.test(input.id)) {
    throw new InvalidPolicyError(`${where}: id must be lower-case letters, digits, '-' or '.'`);
  }
  if (!/^https?:\/\//.test(input.endpoint)) {
    throw new InvalidPolicyError(`${where}: endpoint "${input.endpoint}" must be an http(s) URL`);
  }
  if (input.pools.length === 0) throw new InvalidPolicyError(`${where}: pools must name at least one pool`);
  input.pools.forEach((p, i) => {
    if (p.maxUnavailable !== undefined) {
      try {
        resolveMaxUnavailable(p.maxUnavailable, 1);
      } catch (error) {
        throw new InvalidPolicyError(`${where}: pools[${i}] (${p.name}).${(error as Error).message}`);
      }
    }
  });
  if (input.windows) validateWindows(input.windows, `${where}: windows`);
}

/** The node selector of a pool named without one: MCO's role label convention. */
export function defaultNodeSelector(pool: string): Record<string, string> {
  return { [`node-role.kubernetes.io/${pool}`]: '' };
}

/** Where a cluster's token is kept when the deployment stores it (`POST /v1/clusters` with a `token`). */
export function clusterTokenSecretName(clusterId: string): string {
  return `strata/clusters/${clusterId}`;
}

/** A cluster without anything secret-looking (credentials say only how they are found). */
export function publicCluster(c: ClusterRecord): Omit<ClusterRecord, 'caData' | 'version'> {
  const { caData: _ca, version: _v, ...rest } = c;
  return rest;
}

/**
 * The node mechanics a cluster's pools get: the agent protocol when the cluster is registered with the
 * `agent` driver or serves no MachineConfigs (nothing would answer MCO's annotations there); otherwise
 * MCO's node annotations, as a cluster whose daemons follow them expects.
 */
export function nodeMechanics(
  record: Pick<ClusterRecord, 'driver'>,
  servesMachineConfigs: boolean,
): ClusterDriver {
  return record.driver === 'agent' || !servesMachineConfigs ? 'agent' : 'mco';
}
