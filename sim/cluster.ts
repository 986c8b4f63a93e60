/**
 * One simulated cluster: its objects (nodes, pods, PDBs, namespaces, MachineConfigs, MachineConfigPools),
 * the cluster-side behaviour a real control plane has (evictions honouring PDBs, evicted pods coming back
 * on another node, PDB status kept up to date, pool status computed from nodes) and the hooks the node
 * daemons and faults use. The HTTP API in `api-server.ts` serves these collections.
 */
import { createHash } from 'node:crypto';
import { NodeAnnotations as A, RoleLabel, ZoneLabel } from '../functions/core/model.ts';
import type { SimClock } from './clock.ts';
import { FleetError } from './errors.ts';
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
import type { ScenarioCluster, ScenarioPool, ScenarioWorkload } from './scenario.ts';
import { invalid, StatusError } from './status.ts';
import { Collection, type KObject, type ResourceType, RevisionCounter, type StoredRecord } from './store.ts';
import type { Timeline } from './timeline.ts';

export { MCO_GROUP, type NodeRecord, type ObjectRecord, type PdbRecord, type PodRecord };

export interface ClusterContext {
  index: number;
  seed: number | string;
  clock: SimClock;
  timeline: Timeline;
  /** Wall-clock time (ms since epoch) of simulated time 0. */
  epochMs: number;
  evictionReturnMs: number;
  watchHistory: number;
}

/** A pool as the cluster knows it. */
export interface ClusterPool {
  name: string;
  spec: ScenarioPool;
  baseConfig: string;
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
  /** Served resources by `group/version/plural` (group '' for core). */
  readonly resources = new Map<string, ServedResource>();
  private readonly ctx: ClusterContext;
  private readonly prng: Prng;
  private readonly nodeListeners = new Set<NodeListener>();
  private readonly workloads: ScenarioWorkload[];
  private readonly revisions = new RevisionCounter();
  private readonly poolStatusSeen = new Map<string, string>();
  private uidCounter = 0;

  constructor(spec: ScenarioCluster, ctx: ClusterContext) {
    this.name = spec.name;
    this.spec = spec;
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
    this.machineConfigPools = new Collection(
      poolType((pool) => this.nodes.list().filter((n) => n.pool === pool)),
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
    this.registerResources();
    this.pools = spec.pools.map((pool) => ({
      name: pool.name,
      spec: pool,
      baseConfig: pool.baseConfig ?? defaultBaseConfig(spec.name, pool.name),
      selector: pool.nodeSelector ?? { [`node-role.kubernetes.io/${pool.name}`]: '' },
      nextIndex: 0,
    }));
    this.populate();
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
    for (const ns of new Set([
      'default',
      'kube-system',
      'kube-node-lease',
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
    for (const pool of this.pools) {
      const created = Date.parse(pool.spec.nodes.createdAt);
      for (let i = 0; i < pool.spec.nodes.count; i++) {
        this.createNode(
          pool,
          new Date(created + i * pool.spec.nodes.createdEvery).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          false,
        );
      }
      const role = pool.name;
      this.machineConfigs.create(
        this.objectRecord(
          {
            apiVersion: `${MCO_GROUP}/v1`,
            kind: 'MachineConfig',
            metadata: { name: `00-${role}`, labels: { [RoleLabel]: role } },
            spec: { config: { ignition: { version: '3.5.0' } }, osImageURL: pool.spec.baseImage },
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
            spec: { config: { ignition: { version: '3.5.0' } }, osImageURL: pool.spec.baseImage },
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
              machineConfigSelector: {
                matchLabels: pool.spec.machineConfigSelector ?? { [RoleLabel]: role },
              },
              nodeSelector: { matchLabels: pool.selector },
              maxUnavailable: pool.spec.maxUnavailable,
              paused: false,
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
    for (const pool of this.pools) this.refreshPoolStatus(pool.name);
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
    const node: NodeRecord = {
      name,
      namespace: undefined,
      uid: this.uid(),
      rv: 0,
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        'node.openshift.io/os_id': 'rhcos',
        [ZoneLabel]: zone,
        'topology.kubernetes.io/region': this.spec.region,
        ...pool.spec.nodes.labels,
        ...pool.selector,
      },
      created,
      annotations: {
        [A.currentConfig]: pool.baseConfig,
        [A.desiredConfig]: pool.baseConfig,
        [A.currentImage]: pool.spec.baseImage,
        [A.desiredImage]: pool.spec.baseImage,
        [A.state]: 'Done',
        [A.reason]: '',
      },
      unschedulable: false,
      taints: undefined,
      ready: true,
      readyChanged: created,
      ip: `10.${this.ctx.index % 250}.${poolIndex * 16 + Math.floor(index / 250)}.${(index % 250) + 2}`,
      pool: pool.name,
    };
    this.nodes.create(node);
    if (record)
      this.ctx.timeline.record({
        cluster: this.name,
        pool: pool.name,
        node: name,
        kind: 'added',
        fault: true,
      });
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

  setNodeReady(name: string, ready: boolean): NodeRecord | undefined {
    return this.updateNode(name, (next) => {
      if (next.ready !== ready) next.readyChanged = this.isoNow();
      next.ready = ready;
    });
  }

  private writeNode(next: NodeRecord, current: NodeRecord, expectedRv?: number): NodeRecord {
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
    this.notify(current, next);
    return next;
  }

  private notify(before: NodeRecord | undefined, after: NodeRecord | undefined): void {
    for (const listener of this.nodeListeners) listener(before, after);
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

  /** Ready and schedulable nodes, in name order, optionally of one pool. */
  schedulableNodes(pool?: string): NodeRecord[] {
    return this.nodes
      .list()
      .filter((n) => n.ready && !n.unschedulable && (pool === undefined || n.pool === pool));
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
    add({
      type: this.nodes.type as unknown as ResourceType<StoredRecord>,
      collection: this.nodes as unknown as Collection<StoredRecord>,
      fromWrite: (object, current) => this.nodeFromObject(object, current as NodeRecord),
      commit: (next, expectedRv) => this.commitNodeWrite(next as NodeRecord, expectedRv),
      remove: (_ns, name) => {
        const node = this.nodes.require(undefined, name);
        this.removeNode(name, true);
        return node;
      },
    });
    add({
      type: this.pods.type as unknown as ResourceType<StoredRecord>,
      collection: this.pods as unknown as Collection<StoredRecord>,
      remove: (ns, name) => this.deletePod(ns!, name),
    });
    add({
      type: this.pdbs.type as unknown as ResourceType<StoredRecord>,
      collection: this.pdbs as unknown as Collection<StoredRecord>,
    });
    add({
      type: this.namespaces.type as ResourceType<StoredRecord>,
      collection: this.namespaces as Collection<StoredRecord>,
    });
    add({
      type: this.daemonSets.type as ResourceType<StoredRecord>,
      collection: this.daemonSets as Collection<StoredRecord>,
    });
    add({
      type: this.leases.type as unknown as ResourceType<StoredRecord>,
      collection: this.leases as unknown as Collection<StoredRecord>,
    });
    add({
      type: this.events.type as ResourceType<StoredRecord>,
      collection: this.events as Collection<StoredRecord>,
      // Controllers record Events; they are kept (and listed) but mean nothing to the simulation.
      fromCreate: (object, namespace) => {
        const name = object.metadata?.name;
        if (typeof name !== 'string' || name === '')
          throw invalid('Event', '', 'metadata.name', 'Required value');
        return this.objectRecord(
          { ...object, apiVersion: 'v1', kind: 'Event', metadata: { ...object.metadata, namespace } },
          namespace,
        );
      },
    });
    for (const collection of [this.machineConfigs, this.machineConfigPools]) {
      add({
        type: collection.type as ResourceType<StoredRecord>,
        collection: collection as Collection<StoredRecord>,
        fromCreate: (object) => this.customFromCreate(object, collection.type.kind),
        fromWrite: (object, current) => writeObject(object, current as ObjectRecord, 'main'),
        fromStatusWrite: (object, current) => writeObject(object, current as ObjectRecord, 'status'),
      });
    }
  }

  private customFromCreate(object: KObject, kind: string): ObjectRecord {
    const name = object.metadata?.name;
    if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name))
      throw invalid(
        kind,
        String(name ?? ''),
        'metadata.name',
        'Required value: a lowercase RFC 1123 subdomain',
      );
    if (object.kind !== kind)
      throw invalid(kind, name, 'kind', `expected "${kind}", got "${String(object.kind)}"`);
    return this.objectRecord({ ...object, apiVersion: `${MCO_GROUP}/v1` }, undefined);
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
