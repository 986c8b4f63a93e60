/**
 * MCO's node controller (reference/mco.md §2): per pool, which nodes may take the pool's target now
 * (maxUnavailable with MCO's floor and "0 → 1" rules, unavailable and failing nodes holding capacity, the
 * candidate rules, zone-then-age order when capacity is short), setting their `desiredConfig` and removing
 * any `desiredImage` (non-layered pools), the `UpdateInProgress` taint, and the pool's status. A paused pool
 * gets its status only. On an unpaused pool any foreign `desiredConfig`/`desiredImage` is reset to the
 * pool's target, so an outsider that writes them ping-pongs with it (§9.1).
 */
import { NodeAnnotations as A, ZoneLabel } from '../../functions/core/model.ts';
import type { SimClock } from '../clock.ts';
import type { NodeRecord, ObjectRecord, SimCluster } from '../cluster.ts';
import { isNodeMcdFailing, isNodeReady, isUnavailableForUpdate } from '../node-state.ts';
import type { Json } from '../patch.ts';
import type { PoolStatusSnapshot, Timeline } from '../timeline.ts';
import { recordPoolEvent } from './pool-event.ts';
import { calculatePoolStatus } from './pool-status.ts';
import { selectsEverything } from './render-controller.ts';
import { WorkQueue } from './work-queue.ts';

export const NODE_CONTROLLER = 'machineconfigcontroller-nodecontroller';
export const CONTROLLER_ACTOR = 'machine-config-controller';
const UPDATE_TAINT = { key: 'UpdateInProgress', effect: 'PreferNoSchedule' } as const;
/** MCO waits this long when a pool has no target yet. */
const NO_TARGET_RETRY_MS = 5000;

/** A maxUnavailable MCO cannot read (`GetScaledValueFromIntOrPercent`). */
export class MaxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MaxUnavailableError';
  }
}

/**
 * MCO's `maxUnavailable(pool, nodes)`: an int, or a percentage of the pool's nodes rounded down; default
 * 1; 0 becomes 1. Strings other than `<int>%` are errors, as in Kubernetes' intstr.
 */
export function maxUnavailableOf(value: unknown, nodes: number): number {
  let n = 1;
  if (typeof value === 'number') n = Math.trunc(value);
  else if (typeof value === 'string') {
    if (!value.endsWith('%'))
      throw new MaxUnavailableError(
        `invalid value for IntOrString: invalid type: string is not a percentage`,
      );
    const digits = value.slice(0, -1);
    if (!/^-?\d+$/.test(digits))
      throw new MaxUnavailableError(
        `invalid value "${value}": strconv.Atoi: parsing "${digits}": invalid syntax`,
      );
    n = Math.floor((Number.parseInt(digits, 10) * nodes) / 100);
  } else if (value !== undefined && value !== null) {
    throw new MaxUnavailableError(`invalid value for IntOrString: ${JSON.stringify(value)}`);
  }
  return n === 0 ? 1 : n;
}

/** Non-layered `CheckNodeCandidacyForUpdate`: not on the target, or on it but still carrying a desiredImage. */
export function isCandidate(node: NodeRecord, target: string): boolean {
  const desired = node.annotations[A.desiredConfig] ?? '';
  return desired !== target || node.annotations[A.desiredImage] !== undefined;
}

/**
 * `getAllCandidateMachines`: the nodes that may be given the target now and the capacity left, with
 * unavailable nodes and nodes failing on their way to another config holding capacity.
 */
export function candidateMachines(
  nodes: readonly NodeRecord[],
  target: string,
  maxUnavailable: number,
): { candidates: NodeRecord[]; capacity: number } {
  const unavailable = nodes.filter((n) => isUnavailableForUpdate(n)).length;
  if (unavailable >= maxUnavailable) return { candidates: [], capacity: 0 };
  let capacity = maxUnavailable - unavailable;
  let failing = 0;
  const candidates: NodeRecord[] = [];
  for (const node of nodes) {
    if (!isCandidate(node, target)) {
      if (isNodeMcdFailing(node)) failing++;
      continue;
    }
    if (!isNodeReady(node)) continue;
    candidates.push(node);
  }
  if (failing >= capacity) return { candidates: [], capacity: 0 };
  capacity -= failing;
  return { candidates, capacity };
}

/**
 * `sortNodeList`: nodes with a zone label first, by zone then age (oldest first); then the others by age.
 * MCO's `sort.Slice` is not stable; ties here keep name order, so runs are deterministic.
 */
export function sortNodeList(nodes: readonly NodeRecord[]): NodeRecord[] {
  const created = (n: NodeRecord) => Date.parse(n.created);
  return [...nodes].sort((a, b) => {
    const za = a.labels[ZoneLabel];
    const zb = b.labels[ZoneLabel];
    if ((za === undefined) !== (zb === undefined)) return za === undefined ? 1 : -1;
    if (za !== undefined && zb !== undefined && za !== zb) return za < zb ? -1 : 1;
    return created(a) - created(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  });
}

const hasUpdateTaint = (node: NodeRecord) =>
  (node.taints ?? []).some(
    (t) =>
      typeof t === 'object' &&
      t !== null &&
      !Array.isArray(t) &&
      t.key === UPDATE_TAINT.key &&
      t.effect === UPDATE_TAINT.effect,
  );

/** The node controller of one cluster. */
export class NodeController {
  private readonly cluster: SimCluster;
  private readonly timeline: Timeline;
  private readonly queue: WorkQueue;
  private readonly delay: number;
  private readonly unsubscribe: (() => void)[];
  /** The target each pool had at its last status write (for the Updating event). */
  private readonly lastTarget = new Map<string, string>();

  constructor(cluster: SimCluster, delayMs: number, clock: SimClock, timeline: Timeline) {
    this.cluster = cluster;
    this.timeline = timeline;
    this.delay = delayMs;
    this.queue = new WorkQueue(clock, (pool) => this.sync(pool));
    for (const pool of cluster.machineConfigPools.list()) this.lastTarget.set(pool.name, targetOf(pool));
    this.unsubscribe = [
      cluster.machineConfigPools.subscribe((type, record) => {
        if (type !== 'DELETED') this.queue.add(record.name, this.delay);
      }),
      cluster.onNodeChange((before, after) => this.nodeChanged(before, after)),
    ];
  }

  get errors(): readonly { key: string; message: string }[] {
    return this.queue.errors;
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
    this.queue.stop();
  }

  /** Queues the pools a node change concerns, as MCO's node event handlers do. */
  private nodeChanged(before: NodeRecord | undefined, after: NodeRecord | undefined): void {
    if (!before || !after) {
      const pool = (after ?? before)!.pool;
      if (pool) this.queue.add(pool, this.delay);
      return;
    }
    if (before.pool !== after.pool) {
      if (before.pool) this.queue.add(before.pool, this.delay);
      if (after.pool) this.queue.add(after.pool, this.delay);
      return;
    }
    if (!after.pool) return;
    const relevant =
      isNodeReady(before) !== isNodeReady(after) ||
      before.ready !== after.ready ||
      [A.currentConfig, A.desiredConfig, A.state, A.reason, A.currentImage, A.desiredImage].some(
        (k) => before.annotations[k] !== after.annotations[k],
      );
    if (relevant) this.queue.add(after.pool, this.delay);
  }

  private sync(poolName: string): void {
    const record = this.cluster.machineConfigPools.get(undefined, poolName);
    if (!record) return;
    const spec = (record.object.spec ?? {}) as {
      configuration?: { name?: string };
      nodeSelector?: unknown;
      paused?: boolean;
      maxUnavailable?: unknown;
    };
    const target = spec.configuration?.name ?? '';
    if (!target) {
      this.queue.add(poolName, NO_TARGET_RETRY_MS);
      return;
    }
    if (selectsEverything(spec.nodeSelector)) {
      this.event(record, 'Warning', 'SelectingAll', 'This machineconfigpool is selecting all nodes.');
      return;
    }
    if (spec.paused) {
      this.syncStatus(poolName);
      return;
    }
    const nodes = this.nodesOf(poolName);
    let maxUnavailable: number;
    try {
      maxUnavailable = maxUnavailableOf(spec.maxUnavailable, nodes.length);
    } catch (error) {
      this.syncStatus(poolName);
      throw error;
    }
    this.cluster.asActor(CONTROLLER_ACTOR, () => {
      for (const node of nodes) this.setTaint(node, target);
      const { candidates, capacity } = candidateMachines(this.nodesOf(poolName), target, maxUnavailable);
      if (candidates.length > 0) {
        const chosen =
          capacity < candidates.length ? sortNodeList(candidates).slice(0, capacity) : candidates;
        this.setDesired(record, chosen, target);
      }
    });
    this.syncStatus(poolName);
  }

  private nodesOf(pool: string): NodeRecord[] {
    return this.cluster.nodes.list().filter((n) => n.pool === pool);
  }

  /** Nodes not at the target carry the UpdateInProgress taint; nodes at it do not. */
  private setTaint(node: NodeRecord, target: string): void {
    const a = node.annotations;
    const atTarget =
      a[A.desiredConfig] === target && a[A.desiredImage] === undefined && a[A.currentImage] === undefined;
    if (atTarget === !hasUpdateTaint(node)) return;
    this.cluster.updateNode(node.name, (next) => {
      const others = (next.taints ?? []).filter(
        (t) => !(typeof t === 'object' && t !== null && !Array.isArray(t) && t.key === UPDATE_TAINT.key),
      );
      const taints: Json[] = atTarget ? others : [...others, { ...UPDATE_TAINT }];
      next.taints = taints.length > 0 ? taints : undefined;
    });
  }

  /** `updateCandidateNode` for each chosen node: desiredConfig = target, desiredImage removed. */
  private setDesired(pool: ObjectRecord, nodes: readonly NodeRecord[], target: string): void {
    const changed: string[] = [];
    for (const node of nodes) {
      const a = node.annotations;
      if (a[A.desiredConfig] === target && a[A.desiredImage] === undefined) continue;
      this.cluster.setNodeAnnotations(node.name, { [A.desiredConfig]: target, [A.desiredImage]: null });
      changed.push(node.name);
    }
    if (changed.length === 0) return;
    this.event(
      pool,
      'Normal',
      'SetDesiredConfig',
      changed.length === 1
        ? `Targeted node ${changed[0]} to MachineConfig: ${target}`
        : `Set target for ${changed.length} nodes to MachineConfig: ${target}`,
    );
  }

  /** Computes and, when it changed, writes the pool's status (recorded in the timeline). */
  syncStatus(poolName: string): void {
    const record = this.cluster.machineConfigPools.get(undefined, poolName);
    if (!record) return;
    const nodes = this.nodesOf(poolName);
    const status = calculatePoolStatus(record.object, nodes, this.cluster.isoNow());
    const previous = (record.object.status ?? {}) as { configuration?: { name?: string } };
    if (JSON.stringify(status) === JSON.stringify(record.object.status ?? {})) return;
    const stored = this.cluster.asActor(CONTROLLER_ACTOR, () =>
      this.cluster.machineConfigPools.update({ ...record, object: { ...record.object, status } }),
    );
    this.timeline.record({
      cluster: this.cluster.name,
      pool: poolName,
      node: '',
      kind: 'pool-status',
      by: CONTROLLER_ACTOR,
      status: snapshotStatus(stored.object, nodes.length),
    });
    const target = targetOf(stored);
    if (this.lastTarget.get(poolName) !== target) {
      this.lastTarget.set(poolName, target);
      this.event(stored, 'Normal', 'Updating', `Pool ${poolName} now targeting MachineConfig ${target}`);
    }
    const config = (status.configuration as { name?: string } | undefined)?.name;
    if (config && config !== previous.configuration?.name)
      this.event(
        stored,
        'Normal',
        'Completed',
        `Pool ${poolName} has completed update to MachineConfig ${config}`,
      );
  }

  private event(pool: ObjectRecord, type: 'Normal' | 'Warning', reason: string, message: string): void {
    recordPoolEvent(this.cluster, NODE_CONTROLLER, pool, type, reason, message);
  }
}

const targetOf = (record: ObjectRecord): string =>
  (record.object.spec as { configuration?: { name?: string } } | undefined)?.configuration?.name ?? '';

/** The status of a stored pool, as the checker reads it. */
export function snapshotStatus(pool: Record<string, unknown>, nodes: number): PoolStatusSnapshot {
  const spec = (pool.spec ?? {}) as {
    configuration?: { name?: string };
    paused?: boolean;
    maxUnavailable?: unknown;
  };
  const status = (pool.status ?? {}) as Record<string, unknown> & {
    configuration?: { name?: string };
    conditions?: { type: string; status: string }[];
  };
  let maxUnavailable = 1;
  try {
    maxUnavailable = maxUnavailableOf(spec.maxUnavailable, nodes);
  } catch {
    // an unreadable maxUnavailable leaves MCO's default
  }
  return {
    target: spec.configuration?.name ?? '',
    config: status.configuration?.name ?? '',
    machineCount: Number(status.machineCount ?? 0),
    updatedMachineCount: Number(status.updatedMachineCount ?? 0),
    readyMachineCount: Number(status.readyMachineCount ?? 0),
    unavailableMachineCount: Number(status.unavailableMachineCount ?? 0),
    degradedMachineCount: Number(status.degradedMachineCount ?? 0),
    updated: (status.conditions ?? []).some((c) => c.type === 'Updated' && c.status === 'True'),
    paused: spec.paused === true,
    maxUnavailable,
  };
}
