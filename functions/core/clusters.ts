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
  | { kind: 'kubeconfig'; path: string; context?: string }
  /**
   * An EKS cluster reached through IAM: Strata signs a short-lived token (a presigned STS
   * GetCallerIdentity) with its own AWS identity and signs a new one before it expires; no secret is stored.
   */
  | { kind: 'eks'; clusterName: string; region: string };

/**
 * How Strata moves a cluster's pools (docs/architecture.md, "Drivers"): `mco` paces OpenShift's Machine
 * Config Operator through the pool's image-layer MachineConfig, `maxUnavailable` and `paused`; `agent`
 * moves nodes itself (slots, cordon, drain, the node's daemon or agent).
 */
export type ClusterDriver = 'mco' | 'agent';

/** The drivers, for validation. */
export const CLUSTER_DRIVERS: readonly ClusterDriver[] = ['mco', 'agent'];

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
  /**
   * The cluster's driver: given at registration, or detected ({@link detectedDriver}) when it was first
   * reached. Absent on records registered before drivers existed and on clusters not reached yet: see
   * {@link clusterDriver}.
   */
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
  if (input.driver !== undefined && !CLUSTER_DRIVERS.includes(input.driver)) {
    throw new InvalidPolicyError(
      `${where}: driver "${input.driver}" must be one of ${CLUSTER_DRIVERS.join(', ')}`,
    );
  }
}

/**
 * The driver a cluster's API calls for: `mco` when it serves `machineconfiguration.openshift.io/v1` and has
 * ControllerConfig `machine-config-controller` (MCO runs there and owns the nodes), else `agent`.
 */
export function detectedDriver(facts: { servesMachineConfigs: boolean; hasControllerConfig: boolean }) {
  return facts.servesMachineConfigs && facts.hasControllerConfig ? 'mco' : ('agent' as ClusterDriver);
}

/**
 * The effective driver of a registered cluster: its recorded `driver`; a record without one (registered
 * before drivers existed, or never reached since) is driven as `agent` until the connector detects and
 * records its driver on the next connect.
 */
export function clusterDriver(record: Pick<ClusterRecord, 'driver'>): ClusterDriver {
  return record.driver ?? 'agent';
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
 * Which node vocabulary the `agent` driver speaks on a cluster: MCO's node annotations where the cluster
 * serves MachineConfigs (MCO's daemons follow them; its controllers are absent, else the driver is `mco`),
 * the Strata node agent's `strata.io/*` protocol everywhere else (nothing would answer MCO's annotations).
 */
export function nodeMechanics(servesMachineConfigs: boolean): ClusterDriver {
  return servesMachineConfigs ? 'mco' : 'agent';
}
