/**
 * The cluster port: what the pool reconcile needs from a cluster's API. Every call is idempotent (safe to
 * repeat after a crash). Implemented by functions/adapters/cluster over `@kubernetes/client-node`.
 */
import type { ClusterRecord } from '../clusters.ts';
import type { McoPort } from '../drivers/mco/port.ts';
import type { MachineConfig, MachineConfigPool } from '../render/types.ts';
import type { NodeFacts } from './node-facts.ts';

/** A pod to evict. */
export interface PodRef {
  namespace: string;
  name: string;
}

/** Outcome of one eviction: done, already gone, or refused for now (PDB: HTTP 429). */
export type EvictionResult = 'evicted' | 'gone' | 'blocked';

/** A MachineConfig as the cluster stores it (`machineconfiguration.openshift.io/v1`). */
export interface MachineConfigObject {
  apiVersion: string;
  kind: 'MachineConfig';
  metadata: { name: string };
  spec: unknown;
}

/** What rendering a pool reads from a cluster that serves MachineConfigs. */
export interface PoolSources {
  pool: MachineConfigPool;
  machineConfigs: MachineConfig[];
}

/** Operations on one cluster. */
export interface ClusterPort {
  /**
   * The cluster's nodes, or with `selector` (matchLabels) only those it selects: a reconcile lists its
   * pool's nodes, not the whole cluster. Pool membership is still decided by {@link primaryPool}.
   */
  listNodes(selector?: Record<string, string>): Promise<NodeFacts[]>;
  /**
   * Sets `spec.unschedulable` (cordon / uncordon); a no-op when already so. With `resourceVersion`, only
   * if the node is still as read (the write of a decision taken on that read). Resolves to the node as the
   * write left it (the server's answer: what Strata has seen).
   * @throws NodeChangedError when the node changed since `resourceVersion` (also when a retry after an
   *   answer lost in transit finds its own earlier attempt applied: read again to confirm).
   */
  setUnschedulable(node: string, unschedulable: boolean, resourceVersion?: string): Promise<NodeFacts>;
  /** Pods a drain must evict: on the node, not DaemonSet-owned, not mirror pods, not finished. */
  listEvictablePods(node: string): Promise<PodRef[]>;
  /** Evicts through the Eviction API (PDBs respected). */
  evictPod(pod: PodRef): Promise<EvictionResult>;
  /**
   * Sets (string) or removes (null) node annotations in one merge patch, guarded as
   * {@link ClusterPort.setUnschedulable} is; resolves to the node as the write left it.
   * @throws NodeChangedError when the node changed since `resourceVersion`.
   */
  setNodeAnnotations(
    node: string,
    annotations: Record<string, string | null>,
    resourceVersion?: string,
  ): Promise<NodeFacts>;
  /** True when the cluster serves `machineconfiguration.openshift.io/v1` MachineConfigs. */
  servesMachineConfigs(): Promise<boolean>;
  /** The pool's MachineConfigPool and all MachineConfigs, or null when the cluster has no such pool. */
  readPoolSources(pool: string): Promise<PoolSources | null>;
  /** Creates the MachineConfig unless one with its name exists (rendered names are content hashes). */
  ensureMachineConfig(mc: MachineConfigObject): Promise<'created' | 'exists'>;
}

/** A registered cluster and the ports to its API. */
export interface ConnectedCluster {
  record: ClusterRecord;
  port: ClusterPort;
  /** What the `mco` driver reads and writes (only used on clusters whose driver is `mco`). */
  mco: McoPort;
}

/** Gives the cluster port of a registered cluster (adapters/cluster/connector.ts). */
export interface ClusterConnector {
  /**
   * A registration without a driver gets the detected one (core/clusters.ts `detectedDriver`), recorded.
   * @throws NotFoundError when the cluster is not registered.
   */
  connect(clusterId: string): Promise<ConnectedCluster>;
}
