/**
 * One simulated cluster: its objects (nodes, pods, PDBs, namespaces, MachineConfigs, MachineConfigPools),
 * the cluster-side behaviour a real control plane has (evictions honouring PDBs, evicted pods coming back
 * on another node, PDB status kept up to date, pool status computed from nodes) and the hooks the node
 * daemons and faults use. The HTTP API in `api-server.ts` serves these collections.
 */
import { createHash } from 'node:crypto';
import { NodeAnnotations as A, RoleLabel, ZoneLabel } from '../functions/core/model.ts';
import { type MachineConfigPool, PoolResolutionError, poolForNode } from '../functions/core/render/index.ts';
import type { SimClock } from './clock.ts';
import { FleetError } from './errors.ts';
import { type EventInput, EventRecorder } from './events.ts';
import { resolveMaxUnavailable } from './node-state.ts';
import {
  CONTROLLER_CONFIG,
  clusterId,
  clusterVersionObject,
  controllerConfigObject,
  MCO_NAMESPACE,
  osImageUrlConfigMap,
  type Release,
  type ReleaseHistoryEntry,
} from './openshift.ts';
import type { Json } from './patch.ts';
import { derivePrng, type Prng } from './prng.ts';
import {
  eventType,
  type LeaseRecord,
  leaseType,
  MCO_GROUP,
  matchesLabels,
  type NodeRecord,
  nodeType,
  type ObjectRecord,
  objectType,
  type PdbRecord,
  type PodRecord,
  pdbType,
  podType,
  poolType,
  scaleUp,
  withPoolStatus,
  writeObject,
} from './resources.ts';
import type { ScenarioCluster, ScenarioLabelSelector, ScenarioPool, ScenarioWorkload } from './scenario.ts';
import { invalid, StatusError } from './status.ts';
import { Collection, type KObject, type ResourceType, RevisionCounter, type StoredRecord } from './store.ts';
import type { NodeStateSnapshot, Timeline } from './timeline.ts';

export { MCO_GROUP, type NodeRecord, type ObjectRecord, type PdbRecord, type PodRecord };

/** Who writes when nothing else is said: the simulator itself (faults, kubelets). */
export const SIMULATOR = 'simulator';
/** Key of a pool-less node (matched by no pool, or by more than one custom pool). */
const NO_POOL = '';

export interface ClusterContext {
  index: number;
  seed: number | string;
  clock: SimClock;
  timeline: Timeline;
  /** Wall-clock time (ms since epoch) of simulated time 0. */
  epochMs: number;
  evictionReturnMs: number;
  watchHistory: number;
  /** The OpenShift release the cluster runs (OpenShift clusters with a `release`). */
  release?: Release;
  /** MCO's controllers run on this cluster: they own pool status, rendered configs and node targets. */
  mcoControllers?: boolean;
  /**
   * Without MCO's controllers: nodes boot with MCO's node annotations (current/desired config and image,
   * state Done), as the annotation daemon needs (default true). False: no annotations (a node agent
   * writes its own).
   */
  mcoNodeAnnotations?: boolean;
  /** What MCO's controllers do when the cluster is populated or upgraded (sim/mco/bootstrap.ts). */
  hooks?: ClusterHooks;
}

/** A MachineConfigPool's status, flattened (see {@link SimCluster.poolStatus}). */
export interface PoolStatusView {
  /** `spec.configuration.name`: what the pool targets. */
  target: string;
  /** `status.configuration.name`: what the pool is on (moves only when every node is updated). */
  config: string;
  paused: boolean;
  machineCount: number;
  updatedMachineCount: number;
  readyMachineCount: number;
  unavailableMachineCount: number;
  degradedMachineCount: number;
  /** By type: Updated, Updating, NodeDegraded, RenderDegraded, Degraded. */
  conditions: Record<string, { status: string; reason: string; message: string }>;
  /** The status was computed for the current spec (`observedGeneration` = `generation`). */
  settled: boolean;
  /** The Updated condition is True. */
  updated: boolean;
}

/** Hooks of MCO's controllers into a cluster's life (kept out of this module to keep it MCO-agnostic). */
export interface ClusterHooks {
  /** Creates the base MachineConfigs and the pools, each with its rendered config (before any node). */
  bootstrapPools(cluster: SimCluster): void;
  /** After a release change: regenerates what MCO generates for the new controller version. */
  regenerate(cluster: SimCluster): void;
}

/** A scenario pool as the cluster knows it (the node group it was populated with). */
export interface ClusterPool {
  name: string;
  spec: ScenarioPool;
  /** The rendered config its nodes ran at start. */
  baseConfig: string;
  /** The image its nodes booted at start. */
  baseImage: string;
  selector: Record<string, string>;
  nextIndex: number;
}

/** A served resource: its collection and how writes turn objects into records. */
export interface ServedResource {
  type: ResourceType<StoredRecord>;
  collection: Collection<StoredRecord>;
  /** Builds a record from a created object (absent: create not allowed). */
  fromCreate?(object: KObject, namespace: string | undefined): StoredRecord;
  /** Builds the next record from a written object (PUT or PATCH of the main resource). */
  fromWrite?(object: KObject, current: StoredRecord): StoredRecord;
  /** Builds the next record from a written object on the status subresource. */
  fromStatusWrite?(object: KObject, current: StoredRecord): StoredRecord;
  /** Stores a written record (absent: the plain collection update). */
  commit?(next: StoredRecord, expectedRv: number | undefined): StoredRecord;
  /** Deletes (absent: the plain collection delete). */
  remove?(namespace: string | undefined, name: string): StoredRecord;
}

type NodeListener = (before: NodeRecord | undefined, after: NodeRecord | undefined) => void;

const labelsOf = (object: KObject): Record<string, string> => ({
  ...((object.metadata.labels as Record<string, string> | undefined) ?? {}),
});
const annotationsOf = (object: KObject): Record<string, string> => ({
  ...((object.metadata.annotations as Record<string, string> | undefined) ?? {}),
});

/** The default rendered config name of a pool: `rendered-<pool>-<md5(cluster/pool)>`. */
export function defaultBaseConfig(cluster: string, pool: string): string {
  return `rendered-${pool}-${createHash('md5').update(`${cluster}/${pool}`).digest('hex')}`;
}

export class SimCluster {
  readonly name: string;
  readonly spec: ScenarioCluster;
  /** `openshift` (serves machineconfiguration.openshift.io) or `kubernetes` (does not). */
  readonly kind: 'openshift' | 'kubernetes';
  /** MCO's render, node and drain controllers and daemons run here (see sim/mco/). */
  readonly mcoControllers: boolean;
  /** The release it runs (OpenShift clusters with a `release`); changed by {@link upgradeRelease}. */
  release: Release | undefined;
  readonly pools: ClusterPool[];
  readonly nodes: Collection<NodeRecord>;
  readonly pods: Collection<PodRecord>;
  readonly pdbs: Collection<PdbRecord>;
  readonly namespaces: Collection<ObjectRecord>;
  readonly events: Collection<ObjectRecord>;
  readonly machineConfigs: Collection<ObjectRecord>;
  readonly machineConfigPools: Collection<ObjectRecord>;
  readonly daemonSets: Collection<ObjectRecord>;
  /** Node heartbeats (kube-node-lease), one per node: what `kubectl describe node` shows as Lease. */
  readonly leases: Collection<LeaseRecord>;
  readonly configMaps: Collection<ObjectRecord>;
  /** ControllerConfig `machine-config-controller` (OpenShift clusters with a release). */
  readonly controllerConfigs: Collection<ObjectRecord>;
  /** ClusterVersion `version` (config.openshift.io, OpenShift clusters with a release). */
  readonly clusterVersions: Collection<ObjectRecord>;
  /** MachineConfigNodes, one per node, where the release serves them. */
  readonly machineConfigNodes: Collection<ObjectRecord>;
  /** Served resources by `group/version/plural` (group '' for core). */
  readonly resources = new Map<string, ServedResource>();
  /** Records core/v1 Events in this cluster. */
  readonly recorder: EventRecorder;
  /**
   * Who is writing right now (`admin` for an API client, `machine-config-controller`, …); timeline events
   * of the write name it. Set with {@link asActor}.
   */
  actor = SIMULATOR;
  private readonly ctx: ClusterContext;
  private readonly prng: Prng;
  private readonly nodeListeners = new Set<NodeListener>();
  private readonly workloads: ScenarioWorkload[];
  private readonly revisions = new RevisionCounter();
  private readonly poolStatusSeen = new Map<string, string>();
  private readonly releaseHistory: ReleaseHistoryEntry[] = [];
  private poolList: MachineConfigPool[] | undefined;
  private uidCounter = 0;

  constructor(spec: ScenarioCluster, ctx: ClusterContext) {
    this.name = spec.name;
    this.spec = spec;
    this.kind = spec.kind;
    this.release = spec.kind === 'openshift' ? ctx.release : undefined;
    this.mcoControllers =
      spec.kind === 'openshift' && ctx.mcoControllers === true && ctx.release !== undefined;
    this.ctx = ctx;
    this.prng = derivePrng(ctx.seed, spec.name, 'cluster');
    this.workloads = spec.workloads;
    const h = ctx.watchHistory;
    this.nodes = new Collection(nodeType(spec.name), this.revisions, h);
    this.pods = new Collection(podType(), this.revisions, h);
    this.pdbs = new Collection(pdbType(), this.revisions, h);
    this.namespaces = new Collection(
      objectType('', 'v1', 'namespaces', 'Namespace', false, ['ns']),
      this.revisions,
      h,
    );
    this.events = new Collection(eventType(), this.revisions, h);
    this.machineConfigs = new Collection(
      objectType(MCO_GROUP, 'v1', 'machineconfigs', 'MachineConfig', false, ['mc']),
      this.revisions,
      h,
    );
    // With MCO's controllers the node controller writes pool status; otherwise it is computed on read.
    this.machineConfigPools = new Collection(
      this.mcoControllers
        ? objectType(MCO_GROUP, 'v1', 'machineconfigpools', 'MachineConfigPool', false, ['mcp'])
        : poolType((pool) => this.nodes.list().filter((n) => n.pool === pool)),
      this.revisions,
      h,
    );
    this.leases = new Collection(
      leaseType(() => this.isoNow()),
      this.revisions,
      h,
    );
    this.daemonSets = new Collection(
      objectType('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds']),
      this.revisions,
      h,
    );
    this.configMaps = new Collection(
      objectType('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
      this.revisions,
      h,
    );
    this.controllerConfigs = new Collection(
      objectType(MCO_GROUP, 'v1', 'controllerconfigs', 'ControllerConfig', false, []),
      this.revisions,
      h,
    );
    this.clusterVersions = new Collection(
      objectType('config.openshift.io', 'v1', 'clusterversions', 'ClusterVersion', false, []),
      this.revisions,
      h,
    );
    this.machineConfigNodes = new Collection(
      objectType(MCO_GROUP, 'v1', 'machineconfignodes', 'MachineConfigNode', false, ['mcn']),
      this.revisions,
      h,
    );
    this.machineConfigPools.subscribe(() => {
      this.poolList = undefined;
    });
    this.recorder = new EventRecorder({
      collection: this.events,
      nowMs: () => this.ctx.epochMs + this.ctx.clock.now(),
      newRecord: (object, namespace) => this.objectRecord(object, namespace),
    });
    this.registerResources();
    this.pools = spec.pools.map((pool) => ({
      name: pool.name,
      spec: pool,
      baseConfig: pool.baseConfig ?? defaultBaseConfig(spec.name, pool.name),
      baseImage: pool.baseImage ?? this.release?.baseOSContainerImage ?? '',
      selector: pool.nodeSelector ?? { [`node-role.kubernetes.io/${pool.name}`]: '' },
      nextIndex: 0,
    }));
    this.populate();
  }

  /** Runs `fn` with {@link actor} set to `actor` (restored after). */
  asActor<T>(actor: string, fn: () => T): T {
    const previous = this.actor;
    this.actor = actor;
    try {
      return fn();
    } finally {
      this.actor = previous;
    }
  }

  /** Records a core/v1 Event in this cluster. */
  recordEvent(input: EventInput): void {
    this.recorder.record(input);
  }

  // ---- time and identity -------------------------------------------------------------------------

  /** Simulated now as an RFC 3339 timestamp (second precision, as Kubernetes writes them). */
  isoNow(): string {
    return new Date(this.ctx.epochMs + this.ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private uid(): string {
    const hex = createHash('sha1')
      .update(`${this.ctx.seed}/${this.name}/${this.uidCounter++}`)
      .digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }

  // ---- initial state -----------------------------------------------------------------------------

  private populate(): void {
    const openshift = this.kind === 'openshift';
    for (const ns of new Set([
      'default',
      'kube-system',
      'kube-node-lease',
      ...(this.release ? [MCO_NAMESPACE, 'openshift-config'] : []),
      ...this.workloads.map((w) => w.namespace),
      ...this.spec.daemonSets.map((d) => d.namespace),
    ])) {
      this.namespaces.create(
        this.objectRecord(
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: ns },
            spec: { finalizers: ['kubernetes'] },
            status: { phase: 'Active' },
          },
          undefined,
        ),
      );
    }
    for (const ds of this.spec.daemonSets) {
      this.daemonSets.create(
        this.objectRecord(
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            metadata: { name: ds.name, namespace: ds.namespace, labels: { app: ds.name } },
            spec: {
              selector: { matchLabels: { app: ds.name } },
              template: { metadata: { labels: { app: ds.name } } },
            },
          },
          ds.namespace,
        ),
      );
    }
    if (this.release) this.createReleaseObjects(this.release);
    if (this.mcoControllers) {
      // MCO's bootstrap: base MachineConfigs and pools, each pool rendered, then nodes booting their pool's
      // rendered config (the machine-config server serves it).
      this.ctx.hooks?.bootstrapPools(this);
      for (const pool of this.pools) this.createPoolNodes(pool);
    }
    for (const pool of this.mcoControllers ? [] : this.pools) {
      this.createPoolNodes(pool);
      if (!openshift) continue;
      const role = pool.name;
      this.machineConfigs.create(
        this.objectRecord(
          {
            apiVersion: `${MCO_GROUP}/v1`,
            kind: 'MachineConfig',
            metadata: { name: `00-${role}`, labels: { [RoleLabel]: role } },
            spec: { config: { ignition: { version: '3.5.0' } }, osImageURL: pool.baseImage },
          },
          undefined,
        ),
      );
      this.machineConfigs.create(
        this.objectRecord(
          {
            apiVersion: `${MCO_GROUP}/v1`,
            kind: 'MachineConfig',
            metadata: {
              name: pool.baseConfig,
              annotations: {
                'machineconfiguration.openshift.io/generated-by-controller-version': 'strata-sim',
              },
              ownerReferences: [
                {
                  apiVersion: `${MCO_GROUP}/v1`,
                  kind: 'MachineConfigPool',
                  name: pool.name,
                  controller: true,
                  blockOwnerDeletion: true,
                  uid: '',
                },
              ],
            },
            spec: { config: { ignition: { version: '3.5.0' } }, osImageURL: pool.baseImage },
          },
          undefined,
        ),
      );
      const source = [{ apiVersion: `${MCO_GROUP}/v1`, kind: 'MachineConfig', name: `00-${role}` }];
      this.machineConfigPools.create(
        this.objectRecord(
          {
            apiVersion: `${MCO_GROUP}/v1`,
            kind: 'MachineConfigPool',
            metadata: {
              name: pool.name,
              labels: { [`pools.operator.machineconfiguration.openshift.io/${pool.name}`]: '' },
            },
            spec: {
              machineConfigSelector: machineConfigSelectorOf(pool.spec.machineConfigSelector, role),
              nodeSelector: { matchLabels: pool.selector },
              maxUnavailable: pool.spec.maxUnavailable,
              paused: pool.spec.paused,
              configuration: { name: pool.baseConfig, source },
            },
            status: { configuration: { name: pool.baseConfig, source } },
          },
          undefined,
        ),
      );
    }
    for (const workload of this.workloads) {
      const nodes = this.schedulableNodes(workload.pool);
      for (let i = 0; i < workload.replicas; i++) {
        const node = nodes.length > 0 ? nodes[i % nodes.length]!.name : '';
        this.createPod(workload.namespace, workload.name, 'ReplicaSet', node);
      }
      if (workload.pdb) {
        this.pdbs.create({
          name: `${workload.name}-pdb`,
          namespace: workload.namespace,
          uid: this.uid(),
          rv: 0,
          labels: {},
          created: this.isoNow(),
          selector: { app: workload.name },
          minAvailable: workload.pdb.minAvailable,
          maxUnavailable: workload.pdb.maxUnavailable,
          expectedPods: workload.replicas,
          currentHealthy: 0,
          desiredHealthy: 0,
          disruptionsAllowed: 0,
          blockedUntil: 0,
          pendingBlockMs: undefined,
        });
      }
    }
    this.refreshPdbs();
    if (openshift && !this.mcoControllers) for (const pool of this.pools) this.refreshPoolStatus(pool.name);
  }

  private createPoolNodes(pool: ClusterPool): void {
    const created = Date.parse(pool.spec.nodes.createdAt);
    for (let i = 0; i < pool.spec.nodes.count; i++) {
      this.createNode(
        pool,
        new Date(created + i * pool.spec.nodes.createdEvery).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        false,
      );
    }
  }

  /** ControllerConfig, the osimageurl ConfigMap and ClusterVersion for the cluster's release. */
  private createReleaseObjects(release: Release): void {
    const at = this.isoNow();
    this.releaseHistory.unshift({
      version: release.version,
      image: release.releaseImage,
      startedTime: at,
      completionTime: at,
    });
    this.controllerConfigs.create(this.objectRecord(controllerConfigObject(release, at), undefined));
    this.configMaps.create(this.objectRecord(osImageUrlConfigMap(release), MCO_NAMESPACE));
    this.clusterVersions.create(
      this.objectRecord(
        clusterVersionObject(release, clusterId(this.ctx.seed, this.name), this.releaseHistory),
        undefined,
      ),
    );
  }

  /**
   * Moves the cluster to another release, as an OpenShift upgrade does for MCO's part: ControllerConfig
   * (base images, release image, controller version), the osimageurl ConfigMap and ClusterVersion's history
   * change; with MCO's controllers, the generated MachineConfigs are regenerated by the new controller
   * (`hooks.regenerate`) and the render controller takes it from there.
   */
  upgradeRelease(release: Release): void {
    if (this.kind !== 'openshift' || !this.release)
      throw new FleetError(`cluster "${this.name}" runs no OpenShift release to upgrade`);
    this.release = release;
    const at = this.isoNow();
    this.releaseHistory.unshift({
      version: release.version,
      image: release.releaseImage,
      startedTime: at,
      completionTime: at,
    });
    const cc = this.controllerConfigs.require(undefined, CONTROLLER_CONFIG);
    const next = controllerConfigObject(release, at);
    const generation = Number(cc.object.metadata.generation ?? 1) + 1;
    this.controllerConfigs.update({
      ...cc,
      object: {
        ...cc.object,
        metadata: { ...cc.object.metadata, annotations: next.metadata.annotations, generation },
        spec: next.spec,
        status: { ...(next.status as object), observedGeneration: generation },
      },
    });
    const cm = this.configMaps.require(MCO_NAMESPACE, 'machine-config-osimageurl');
    this.configMaps.update({ ...cm, object: { ...cm.object, data: osImageUrlConfigMap(release).data } });
    const cv = this.clusterVersions.require(undefined, 'version');
    this.clusterVersions.update({
      ...cv,
      object: {
        ...clusterVersionObject(release, clusterId(this.ctx.seed, this.name), this.releaseHistory),
        metadata: cv.object.metadata,
      },
    });
    this.ctx.hooks?.regenerate(this);
  }

  /** A new record for an object to store (uid, creation time and generation set by the server). */
  newObjectRecord(object: KObject, namespace: string | undefined): ObjectRecord {
    return this.objectRecord(object, namespace);
  }

  private objectRecord(object: KObject, namespace: string | undefined): ObjectRecord {
    const name = String(object.metadata.name ?? '');
    const metadata: Record<string, unknown> = {
      ...object.metadata,
      uid: this.uid(),
      creationTimestamp: this.isoNow(),
      generation: 1,
    };
    delete metadata.resourceVersion;
    return {
      name,
      namespace,
      uid: metadata.uid as string,
      rv: 0,
      labels: labelsOf(object),
      object: { ...object, metadata },
    };
  }

  // ---- nodes -------------------------------------------------------------------------------------

  /** Called on every node change (created, modified, deleted), after it is stored. */
  onNodeChange(listener: NodeListener): () => void {
    this.nodeListeners.add(listener);
    return () => this.nodeListeners.delete(listener);
  }

  pool(name: string): ClusterPool {
    const pool = this.pools.find((p) => p.name === name);
    if (!pool) throw new FleetError(`cluster "${this.name}" has no pool "${name}"`);
    return pool;
  }

  private createNode(pool: ClusterPool, created: string, record: boolean): NodeRecord {
    const index = pool.nextIndex++;
    const zones = pool.spec.nodes.zones;
    const zone = zones[index % zones.length]!;
    const name = `${pool.name}-${index}`;
    const poolIndex = this.pools.indexOf(pool);
    const labels: Record<string, string> = {
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/hostname': name,
      'node.openshift.io/os_id': 'rhcos',
      [ZoneLabel]: zone,
      'topology.kubernetes.io/region': this.spec.region,
      ...(pool.name === 'master' ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
      ...pool.spec.nodes.labels,
      ...pool.selector,
    };
    let annotations: Record<string, string>;
    let bootedImage: string;
    let poolName = pool.name;
    if (this.mcoControllers) {
      // A new node boots what the machine-config server serves: its pool's target config.
      poolName = this.primaryPoolOf(name, labels);
      const target = this.poolTarget(poolName === NO_POOL ? pool.name : poolName);
      annotations = {
        [A.currentConfig]: target.config,
        [A.desiredConfig]: target.config,
        [A.state]: 'Done',
        [A.reason]: '',
        [A.desiredDrain]: `uncordon-${target.config}`,
        [A.lastAppliedDrain]: `uncordon-${target.config}`,
        'machineconfiguration.openshift.io/controlPlaneTopology': 'HighlyAvailable',
      };
      bootedImage = target.image;
    } else if (this.ctx.mcoNodeAnnotations === false) {
      annotations = {};
      bootedImage = pool.baseImage;
    } else {
      annotations = {
        [A.currentConfig]: pool.baseConfig,
        [A.desiredConfig]: pool.baseConfig,
        [A.currentImage]: pool.baseImage,
        [A.desiredImage]: pool.baseImage,
        [A.state]: 'Done',
        [A.reason]: '',
      };
      bootedImage = pool.baseImage;
    }
    const node: NodeRecord = {
      name,
      namespace: undefined,
      uid: this.uid(),
      rv: 0,
      labels,
      created,
      annotations,
      unschedulable: false,
      taints:
        pool.name === 'master'
          ? [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }]
          : undefined,
      ready: true,
      readyChanged: created,
      ip: `10.${this.ctx.index % 250}.${poolIndex * 16 + Math.floor(index / 250)}.${(index % 250) + 2}`,
      pool: poolName,
      bootedImage,
    };
    this.nodes.create(node);
    if (record)
      this.ctx.timeline.record({
        cluster: this.name,
        pool: poolName,
        node: name,
        kind: 'added',
        fault: true,
      });
    if (this.mcoControllers) this.recordNodeState(node, true);
    this.leases.create({
      name,
      namespace: 'kube-node-lease',
      uid: this.uid(),
      rv: 0,
      labels: {},
      created,
      node: node.uid,
    });
    for (const ds of this.spec.daemonSets) this.createPod(ds.namespace, ds.name, 'DaemonSet', name);
    this.notify(undefined, node);
    return node;
  }

  /** A pool's target: its `spec.configuration.name` and that rendered config's `osImageURL`. */
  poolTarget(pool: string): { config: string; image: string } {
    const mcp = this.machineConfigPools.get(undefined, pool);
    const config =
      (mcp?.object.spec as { configuration?: { name?: string } } | undefined)?.configuration?.name ?? '';
    const mc = config ? this.machineConfigs.get(undefined, config) : undefined;
    const image = String((mc?.object.spec as { osImageURL?: string } | undefined)?.osImageURL ?? '');
    return { config, image: image || (this.release?.baseOSContainerImage ?? '') };
  }

  /** The MachineConfigPools as the render engine types them (kept until a pool changes). */
  poolObjects(): MachineConfigPool[] {
    this.poolList ??= this.machineConfigPools.list().map((r) => r.object as unknown as MachineConfigPool);
    return this.poolList;
  }

  /** MCO's `GetPoolsForNode` primary pool of a node with these labels ('' when none, or ambiguous). */
  primaryPoolOf(name: string, labels: Record<string, string>, pools = this.poolObjects()): string {
    try {
      return poolForNode({ metadata: { name, labels } }, pools)?.primary.metadata.name ?? NO_POOL;
    } catch (error) {
      if (error instanceof PoolResolutionError) return NO_POOL;
      throw error;
    }
  }

  /** Re-resolves every node's primary pool (after a pool was added, removed or its nodeSelector changed). */
  refreshPoolMembership(): void {
    if (!this.mcoControllers) return;
    const pools = this.poolObjects();
    for (const node of this.nodes.list()) {
      const pool = this.primaryPoolOf(node.name, node.labels, pools);
      if (pool !== node.pool)
        this.updateNode(node.name, (next) => {
          next.pool = pool;
        });
    }
  }

  /** The OS image a node booted (what rpm-ostree reports on the host). */
  bootedImage(node: string): string {
    const record = this.nodes.get(undefined, node);
    if (!record) throw new FleetError(`cluster "${this.name}" has no node "${node}"`);
    return record.bootedImage;
  }

  /** A pool's MachineConfigPool as served (status included), or undefined. */
  machineConfigPool(pool: string): KObject | undefined {
    const record = this.machineConfigPools.get(undefined, pool);
    return record ? this.machineConfigPools.type.encode(record) : undefined;
  }

  /**
   * A pool's status as served (what `kubectl get mcp` shows), flattened: targets, counts and conditions.
   * `settled` is true when the status reflects the current spec (observedGeneration = generation).
   */
  poolStatus(pool: string): PoolStatusView {
    const object = this.machineConfigPool(pool);
    if (!object) throw new FleetError(`cluster "${this.name}" has no MachineConfigPool "${pool}"`);
    const spec = (object.spec ?? {}) as { configuration?: { name?: string }; paused?: boolean };
    const status = (object.status ?? {}) as Record<string, unknown> & {
      configuration?: { name?: string };
      conditions?: { type: string; status: string; reason?: string; message?: string }[];
    };
    const conditions: PoolStatusView['conditions'] = {};
    for (const c of status.conditions ?? [])
      conditions[c.type] = { status: c.status, reason: c.reason ?? '', message: c.message ?? '' };
    const count = (field: string) => Number(status[field] ?? 0);
    return {
      target: spec.configuration?.name ?? '',
      config: status.configuration?.name ?? '',
      paused: spec.paused === true,
      machineCount: count('machineCount'),
      updatedMachineCount: count('updatedMachineCount'),
      readyMachineCount: count('readyMachineCount'),
      unavailableMachineCount: count('unavailableMachineCount'),
      degradedMachineCount: count('degradedMachineCount'),
      conditions,
      settled: Number(status.observedGeneration ?? 0) === Number(object.metadata.generation ?? 1),
      updated: conditions.Updated?.status === 'True',
    };
  }

  /** Pools and their maxUnavailable resolved against their current node count (as MCO does). */
  poolLimits(): { pool: string; maxUnavailable: number }[] {
    if (!this.mcoControllers)
      return this.pools.map((p) => ({
        pool: p.name,
        maxUnavailable: resolveMaxUnavailable(
          p.spec.maxUnavailable,
          this.nodes.list().filter((n) => n.pool === p.name).length,
        ),
      }));
    const counts = new Map<string, number>();
    for (const n of this.nodes.list()) counts.set(n.pool, (counts.get(n.pool) ?? 0) + 1);
    return this.machineConfigPools.list().map((r) => ({
      pool: r.name,
      maxUnavailable: resolveMaxUnavailable(
        (r.object.spec as { maxUnavailable?: number | string } | undefined)?.maxUnavailable,
        counts.get(r.name) ?? 0,
      ),
    }));
  }

  /** Records a node's MCO state in the timeline (clusters with MCO's controllers: the checker's input). */
  private recordNodeState(node: NodeRecord, initial = false): void {
    this.ctx.timeline.record({
      cluster: this.name,
      pool: node.pool,
      node: node.name,
      kind: 'node-state',
      state: snapshotOf(node),
      ...(initial ? {} : { by: this.actor }),
    });
  }

  /** Adds a node to a pool: it boots the pool's base config and image. */
  addNode(poolName: string): NodeRecord {
    const node = this.createNode(this.pool(poolName), this.isoNow(), true);
    this.retryPendingPods();
    return node;
  }

  /** Removes a node: its DaemonSet pods go, its other pods come back elsewhere. */
  /** Removes a node (`byClient`: deleted through the API rather than by the simulator). */
  removeNode(name: string, byClient = false): void {
    const node = this.nodes.get(undefined, name);
    if (!node) throw new FleetError(`cluster "${this.name}" has no node "${name}"`);
    this.nodes.delete(undefined, name);
    this.leases.delete('kube-node-lease', name);
    this.ctx.timeline.record({
      cluster: this.name,
      pool: node.pool,
      node: name,
      kind: 'removed',
      ...(byClient ? {} : { fault: true }),
    });
    for (const pod of this.pods.list()) {
      if (pod.nodeName !== name) continue;
      this.pods.delete(pod.namespace, pod.name);
      if (pod.ownerKind === 'ReplicaSet') this.scheduleReturn(pod);
    }
    this.refreshPdbs();
    this.notify(node, undefined);
  }

  /** Replaces a node record with `change` applied (the daemon's and the faults' writes). */
  updateNode(name: string, change: (next: NodeRecord) => void): NodeRecord | undefined {
    const current = this.nodes.get(undefined, name);
    if (!current) return undefined;
    const next: NodeRecord = { ...current, annotations: { ...current.annotations } };
    change(next);
    return this.writeNode(next, current);
  }

  /** Sets annotations (an empty-string value is written; `null` deletes). */
  setNodeAnnotations(name: string, changes: Record<string, string | null>): NodeRecord | undefined {
    return this.updateNode(name, (next) => {
      const annotations = { ...next.annotations };
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) delete annotations[key];
        else annotations[key] = value;
      }
      next.annotations = annotations;
    });
  }

  /** Sets the Ready condition; with `bootedImage`, the host came up on that image (not served). */
  setNodeReady(name: string, ready: boolean, bootedImage?: string): NodeRecord | undefined {
    return this.updateNode(name, (next) => {
      if (next.ready !== ready) next.readyChanged = this.isoNow();
      next.ready = ready;
      if (bootedImage !== undefined) next.bootedImage = bootedImage;
    });
  }

  private writeNode(next: NodeRecord, current: NodeRecord, expectedRv?: number): NodeRecord {
    if (this.mcoControllers && next.labels !== current.labels && !sameMap(next.labels, current.labels))
      next.pool = this.primaryPoolOf(next.name, next.labels);
    this.nodes.update(next, expectedRv);
    if (current.unschedulable !== next.unschedulable) {
      this.ctx.timeline.record({
        cluster: this.name,
        pool: next.pool,
        node: next.name,
        kind: next.unschedulable ? 'cordon' : 'uncordon',
      });
      if (!next.unschedulable) this.retryPendingPods();
    }
    if (this.mcoControllers) this.recordMcoChanges(current, next);
    this.notify(current, next);
    return next;
  }

  /** Timeline of a node write on a cluster with MCO's controllers: pool moves, new targets, state. */
  private recordMcoChanges(before: NodeRecord, after: NodeRecord): void {
    const base = { cluster: this.name, pool: after.pool, node: after.name } as const;
    if (before.pool !== after.pool)
      this.ctx.timeline.record({
        ...base,
        kind: 'moved',
        detail: `${before.pool || '(none)'} -> ${after.pool || '(none)'}`,
      });
    const [b, a] = [before.annotations, after.annotations];
    if (b[A.desiredConfig] !== a[A.desiredConfig] || b[A.desiredImage] !== a[A.desiredImage]) {
      const config = a[A.desiredConfig] ?? '';
      const image = a[A.desiredImage];
      this.ctx.timeline.record({
        ...base,
        kind: 'desired',
        detail: image ? `${config} ${image}` : config,
        config,
        ...(image !== undefined ? { image } : {}),
        by: this.actor,
      });
    }
    const [sb, sa] = [snapshotOf(before), snapshotOf(after)];
    if (JSON.stringify(sb) !== JSON.stringify(sa)) this.recordNodeState(after);
  }

  private notify(before: NodeRecord | undefined, after: NodeRecord | undefined): void {
    for (const listener of this.nodeListeners) listener(before, after);
    if (this.mcoControllers || this.kind !== 'openshift') return;
    for (const pool of new Set([before?.pool, after?.pool])) if (pool) this.refreshPoolStatus(pool);
  }

  /** Pool status follows its nodes: a change is a MODIFIED event for pool watchers, as MCO writes it. */
  private refreshPoolStatus(pool: string): void {
    const record = this.machineConfigPools.get(undefined, pool);
    if (!record) return;
    const status = JSON.stringify(
      withPoolStatus(
        record,
        this.nodes.list().filter((n) => n.pool === pool),
      ).status,
    );
    if (this.poolStatusSeen.get(pool) === status) return;
    const seeded = this.poolStatusSeen.has(pool);
    this.poolStatusSeen.set(pool, status);
    if (seeded) this.machineConfigPools.update({ ...record });
  }

  /**
   * Ready and schedulable nodes, in name order, optionally of one pool. Pods of no pool are not placed on
   * nodes with a NoSchedule taint (control-plane nodes).
   */
  schedulableNodes(pool?: string): NodeRecord[] {
    return this.nodes
      .list()
      .filter(
        (n) =>
          n.ready &&
          !n.unschedulable &&
          (pool === undefined ? !n.taints?.some((t) => isNoSchedule(t)) : n.pool === pool),
      );
  }

  // ---- pods, evictions, PDBs ---------------------------------------------------------------------

  private createPod(
    namespace: string,
    owner: string,
    kind: PodRecord['ownerKind'],
    nodeName: string,
  ): PodRecord {
    const suffix =
      kind === 'DaemonSet' ? this.randomSuffix(5) : `${this.randomSuffix(10)}-${this.randomSuffix(5)}`;
    return this.pods.create({
      name: `${owner}-${suffix}`,
      namespace,
      uid: this.uid(),
      rv: 0,
      labels: { app: owner },
      created: this.isoNow(),
      nodeName,
      phase: nodeName ? 'Running' : 'Pending',
      ownerKind: kind,
      ownerName: owner,
    });
  }

  private randomSuffix(length: number): string {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[this.prng.int(0, alphabet.length - 1)];
    return text;
  }

  /** Pods a drain must evict from a node: everything not owned by a DaemonSet. */
  evictablePods(nodeName: string): PodRecord[] {
    return this.pods.list().filter((p) => p.nodeName === nodeName && p.ownerKind !== 'DaemonSet');
  }

  /**
   * The Eviction API: 429 with the DisruptionBudget cause when a PDB allows no disruption, otherwise
   * the pod is deleted and (owned by a ReplicaSet) comes back on another node after a delay.
   */
  evictPod(namespace: string, name: string, dryRun: boolean): void {
    const pod = this.pods.require(namespace, name);
    const node = pod.nodeName ? this.nodes.get(undefined, pod.nodeName) : undefined;
    const pdbs = this.pdbs.list(namespace).filter((pdb) => matchesLabels(pdb.selector, pod.labels));
    if (pdbs.length > 1)
      throw new StatusError(
        500,
        'InternalError',
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      );
    const pdb = pdbs[0];
    if (pdb && pod.phase === 'Running' && pdb.disruptionsAllowed <= 0) {
      this.startPendingBlock(pdb);
      this.ctx.timeline.record({
        cluster: this.name,
        pool: node?.pool ?? '',
        node: pod.nodeName,
        kind: 'eviction-blocked',
        detail: `${namespace}/${name}`,
      });
      throw new StatusError(
        429,
        'TooManyRequests',
        "Cannot evict pod as it would violate the pod's disruption budget.",
        {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: `The disruption budget ${pdb.name} needs ${pdb.desiredHealthy} healthy pods and has ${pdb.currentHealthy} currently`,
            },
          ],
        },
      );
    }
    if (dryRun) return;
    if (pod.nodeName)
      this.ctx.timeline.record({
        cluster: this.name,
        pool: node?.pool ?? '',
        node: pod.nodeName,
        kind: 'eviction',
        detail: `${namespace}/${name}`,
      });
    this.deletePod(namespace, name);
  }

  /** Deletes a pod; its controller brings a replacement back after the eviction-return delay. */
  deletePod(namespace: string, name: string): PodRecord {
    const pod = this.pods.delete(namespace, name);
    this.refreshPdbs();
    this.scheduleReturn(pod);
    return pod;
  }

  private scheduleReturn(pod: PodRecord): void {
    const workload = this.workloads.find((w) => w.name === pod.ownerName && w.namespace === pod.namespace);
    if (pod.ownerKind === 'DaemonSet') {
      this.ctx.clock.schedule(this.ctx.evictionReturnMs, () => {
        if (this.nodes.get(undefined, pod.nodeName))
          this.createPod(pod.namespace!, pod.ownerName, 'DaemonSet', pod.nodeName);
      });
      return;
    }
    this.ctx.clock.schedule(this.ctx.evictionReturnMs, () => {
      this.createPod(
        pod.namespace!,
        pod.ownerName,
        'ReplicaSet',
        this.placeFor(workload?.pool, pod.ownerName, pod.nodeName),
      );
      this.refreshPdbs();
    });
  }

  /** The node a returning pod goes to: schedulable, not where it was, fewest pods of its workload first. */
  private placeFor(pool: string | undefined, owner: string, avoid: string): string {
    const candidates = this.schedulableNodes(pool).filter((n) => n.name !== avoid);
    const fallback = candidates.length > 0 ? candidates : this.schedulableNodes(pool);
    if (fallback.length === 0) return '';
    const load = new Map<string, number>();
    for (const p of this.pods.list())
      if (p.ownerName === owner) load.set(p.nodeName, (load.get(p.nodeName) ?? 0) + 1);
    return [...fallback].sort((a, b) => (load.get(a.name) ?? 0) - (load.get(b.name) ?? 0))[0]!.name;
  }

  /** Pending pods (no schedulable node when they came back) are placed when a node frees up. */
  private retryPendingPods(): void {
    let changed = false;
    for (const pod of this.pods.list()) {
      if (pod.phase !== 'Pending') continue;
      const workload = this.workloads.find((w) => w.name === pod.ownerName && w.namespace === pod.namespace);
      const nodeName = this.placeFor(workload?.pool, pod.ownerName, '');
      if (!nodeName) return;
      this.pods.update({ ...pod, nodeName, phase: 'Running' });
      changed = true;
    }
    if (changed) this.refreshPdbs();
  }

  /**
   * Holds a PDB's disruptionsAllowed at 0: forever (`forMs` undefined), or for `forMs` counted from the
   * first eviction it refuses, so that the block bites however long a client takes to start draining.
   */
  blockPdb(namespace: string, name: string, forMs: number | undefined): void {
    const pdb = this.pdbs.get(namespace, name);
    if (!pdb)
      throw new FleetError(`cluster "${this.name}" has no PodDisruptionBudget "${namespace}/${name}"`);
    this.pdbs.update({ ...pdb, blockedUntil: Number.POSITIVE_INFINITY, pendingBlockMs: forMs });
    this.refreshPdbs();
  }

  /** Starts a pending timed block at its first refusal. */
  private startPendingBlock(pdb: PdbRecord): void {
    if (pdb.pendingBlockMs === undefined) return;
    const until = this.ctx.clock.now() + pdb.pendingBlockMs;
    this.pdbs.update({ ...pdb, blockedUntil: until, pendingBlockMs: undefined });
    this.ctx.clock.schedule(pdb.pendingBlockMs, () => {
      // End this block explicitly: on the real-time clock the timer can fire a rounding step before
      // `until`, and a refresh comparing times would keep the budget at zero until some pod changed.
      const current = this.pdbs.list(pdb.namespace).find((p) => p.name === pdb.name);
      if (current?.blockedUntil === until) this.pdbs.update({ ...current, blockedUntil: 0 });
      this.refreshPdbs();
    });
  }

  /** Recomputes every PDB's status from the pods (stored only when it changed). */
  refreshPdbs(): void {
    const now = this.ctx.clock.now();
    for (const pdb of this.pdbs.list()) {
      const healthy = this.pods
        .list(pdb.namespace)
        .filter((p) => p.phase === 'Running' && matchesLabels(pdb.selector, p.labels)).length;
      const expected = pdb.expectedPods;
      const desired =
        pdb.minAvailable !== undefined
          ? scaleUp(pdb.minAvailable, expected)
          : Math.max(0, expected - scaleUp(pdb.maxUnavailable ?? 0, expected));
      const allowed = pdb.blockedUntil > now ? 0 : Math.max(0, healthy - desired);
      if (
        pdb.currentHealthy !== healthy ||
        pdb.desiredHealthy !== desired ||
        pdb.disruptionsAllowed !== allowed
      )
        this.pdbs.update({
          ...pdb,
          currentHealthy: healthy,
          desiredHealthy: desired,
          disruptionsAllowed: allowed,
        });
    }
  }

  private registerResources(): void {
    const add = (resource: ServedResource) =>
      this.resources.set(`${resource.type.group}/${resource.type.version}/${resource.type.plural}`, resource);
    const served = <R extends StoredRecord>(collection: Collection<R>) => ({
      type: collection.type as unknown as ResourceType<StoredRecord>,
      collection: collection as unknown as Collection<StoredRecord>,
    });
    add({
      ...served(this.nodes),
      fromWrite: (object, current) => this.nodeFromObject(object, current as NodeRecord),
      commit: (next, expectedRv) => this.commitNodeWrite(next as NodeRecord, expectedRv),
      remove: (_ns, name) => {
        const node = this.nodes.require(undefined, name);
        this.removeNode(name, true);
        return node;
      },
    });
    add({ ...served(this.pods), remove: (ns, name) => this.deletePod(ns!, name) });
    add(served(this.pdbs));
    add(served(this.namespaces));
    add(served(this.daemonSets));
    add(served(this.leases));
    add({
      ...served(this.events),
      // Clients record Events too; they are kept (and listed) but mean nothing to the simulation.
      fromCreate: (object, namespace) => {
        const name = object.metadata?.name;
        if (typeof name !== 'string' || name === '')
          throw invalid('Event', '', 'metadata.name', 'Required value');
        return this.objectRecord(
          { ...object, apiVersion: 'v1', kind: 'Event', metadata: { ...object.metadata, namespace } },
          namespace,
        );
      },
      fromWrite: (object, current) => writeObject(object, current as ObjectRecord, 'main'),
    });
    add({
      ...served(this.configMaps),
      fromCreate: (object, namespace) => this.objectFromCreate(object, 'ConfigMap', 'v1', namespace),
      fromWrite: (object, current) => writeObject(object, current as ObjectRecord, 'main'),
    });
    if (this.kind !== 'openshift') return;
    const custom = (collection: Collection<ObjectRecord>, apiVersion: string, status = true) =>
      add({
        ...served(collection),
        fromCreate: (object) => this.objectFromCreate(object, collection.type.kind, apiVersion, undefined),
        fromWrite: (object, current) => writeObject(object, current as ObjectRecord, 'main'),
        ...(status
          ? {
              fromStatusWrite: (object: KObject, current: StoredRecord) =>
                writeObject(object, current as ObjectRecord, 'status'),
            }
          : {}),
      });
    custom(this.machineConfigs, `${MCO_GROUP}/v1`);
    custom(this.machineConfigPools, `${MCO_GROUP}/v1`);
    if (!this.release) return;
    custom(this.controllerConfigs, `${MCO_GROUP}/v1`);
    custom(this.clusterVersions, 'config.openshift.io/v1');
    if (this.release.servesMachineConfigNode) custom(this.machineConfigNodes, `${MCO_GROUP}/v1`);
  }

  /** A created object of a generic kind: name and kind checked, server-owned metadata set. */
  private objectFromCreate(
    object: KObject,
    kind: string,
    apiVersion: string,
    namespace: string | undefined,
  ): ObjectRecord {
    const name = object.metadata?.name;
    if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253)
      throw invalid(
        kind,
        String(name ?? ''),
        'metadata.name',
        'Required value: a lowercase RFC 1123 subdomain',
      );
    if (object.kind !== kind)
      throw invalid(kind, name, 'kind', `expected "${kind}", got "${String(object.kind)}"`);
    return this.objectRecord(
      { ...object, apiVersion, metadata: { ...object.metadata, ...(namespace ? { namespace } : {}) } },
      namespace,
    );
  }

  /** A node write keeps status (owned by the kubelet) and takes metadata labels/annotations and spec. */
  private nodeFromObject(object: KObject, current: NodeRecord): NodeRecord {
    const spec = (object.spec ?? {}) as Record<string, unknown>;
    if (object.metadata.name !== undefined && object.metadata.name !== current.name)
      throw invalid('Node', current.name, 'metadata.name', 'field is immutable');
    return {
      ...current,
      labels: labelsOf(object),
      annotations: annotationsOf(object),
      unschedulable: spec.unschedulable === true,
      taints: Array.isArray(spec.taints) && spec.taints.length > 0 ? (spec.taints as Json[]) : undefined,
    };
  }

  /** Stores a written node (API PUT/PATCH): cordon events, daemon notification. */
  commitNodeWrite(next: NodeRecord, expectedRv: number | undefined): NodeRecord {
    const current = this.nodes.require(undefined, next.name);
    return this.writeNode(next, current, expectedRv);
  }
}

const isNoSchedule = (taint: Json): boolean =>
  typeof taint === 'object' && taint !== null && !Array.isArray(taint) && taint.effect === 'NoSchedule';

const sameMap = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
};

/** What MCO's predicates read from a node (reference/mco.md §2.4). */
export function snapshotOf(node: NodeRecord): NodeStateSnapshot {
  const a = node.annotations;
  return {
    currentConfig: a[A.currentConfig] ?? '',
    desiredConfig: a[A.desiredConfig] ?? '',
    ...(a[A.currentImage] !== undefined ? { currentImage: a[A.currentImage] } : {}),
    ...(a[A.desiredImage] !== undefined ? { desiredImage: a[A.desiredImage] } : {}),
    mcd: a[A.state] ?? '',
    ready: node.ready,
    unschedulable: node.unschedulable,
  };
}

/** A pool's `spec.machineConfigSelector` from the scenario's (default: MCO's for the role). */
export function machineConfigSelectorOf(
  selector: ScenarioLabelSelector | undefined,
  pool: string,
  customPoolsInheritWorker = false,
): Record<string, unknown> {
  if (selector === undefined) {
    if (customPoolsInheritWorker && pool !== 'master' && pool !== 'worker')
      return { matchExpressions: [{ key: RoleLabel, operator: 'In', values: ['worker', pool] }] };
    return { matchLabels: { [RoleLabel]: pool } };
  }
  const s = selector as Record<string, unknown>;
  const structured =
    (s.matchLabels !== undefined && typeof s.matchLabels === 'object') || Array.isArray(s.matchExpressions);
  return structured ? { ...s } : { matchLabels: { ...(selector as Record<string, string>) } };
}
