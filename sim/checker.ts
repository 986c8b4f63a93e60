/**
 * The invariant checker: replays a timeline and reports, per pool, the most nodes unavailable at once
 * against maxUnavailable, the nodes updated while not drained, the nodes left cordoned, nodes whose
 * desired config (clusters running MCO's controllers) or desired image (Strata agent nodes) flips back
 * and forth, and, on clusters running MCO's controllers, pool statuses that disagree with the nodes.
 * Definitions: docs/simulator.md, "Timeline and invariants".
 */
import type { NodeStateSnapshot, TimelineEvent } from './timeline.ts';

/** A pool's limit, resolved to a number of nodes. */
export interface PoolLimit {
  cluster: string;
  pool: string;
  maxUnavailable: number;
}

export type ViolationKind =
  | 'max-unavailable'
  | 'not-drained'
  | 'left-cordoned'
  | 'desired-flip'
  | 'pool-status';

export interface Violation {
  kind: ViolationKind;
  cluster: string;
  pool: string;
  node: string;
  /** Simulated time of the event that broke the rule (end of the timeline for left-cordoned). */
  t: number;
  seq: number;
  detail: string;
}

export interface PoolReport extends PoolLimit {
  /** The most nodes unavailable (cordoned, NotReady or updating) at one instant. */
  peakUnavailable: number;
}

export interface InvariantReport {
  pools: PoolReport[];
  /** Nodes cordoned at the end of the timeline, with their last daemon state. */
  leftCordoned: { cluster: string; pool: string; node: string; lastState: string }[];
  violations: Violation[];
  ok: boolean;
}

interface NodeState {
  pool: string;
  cordoned: boolean;
  notReady: boolean;
  updating: boolean;
  lastState: string;
  removed: boolean;
  /** MCO state from 'node-state' events (clusters running MCO's controllers). */
  mco?: NodeStateSnapshot;
  /** desiredConfig history for the flip rule: the value before the current one, the current one, when set. */
  desired?: { previous: string | undefined; current: string; seq: number; by: string };
  /** `strata.io/desired-image` history (Strata agent nodes): the value before, the current one, its writer. */
  desiredImage?: { previous: string; current: string; by: string };
}

// MCO's node predicates (reference/mco.md §2.4), restated on the snapshots the timeline carries so that the
// pool-status check does not lean on the code it checks.
const done = (s: NodeStateSnapshot): boolean =>
  s.currentConfig !== '' &&
  s.currentConfig === s.desiredConfig &&
  ((s.desiredImage === undefined && s.currentImage === undefined) ||
    (!!s.desiredImage && s.desiredImage === s.currentImage)) &&
  s.mcd === 'Done';
const nodeReady = (s: NodeStateSnapshot): boolean => s.ready && !s.unschedulable;
const degraded = (s: NodeStateSnapshot): boolean => s.mcd === 'Degraded' || s.mcd === 'Unreconcilable';
const unavailable = (s: NodeStateSnapshot): boolean =>
  !nodeReady(s) || (!done(s) && !(s.currentConfig !== s.desiredConfig && degraded(s)));
const updatedTo = (s: NodeStateSnapshot, target: string): boolean =>
  done(s) && s.desiredConfig === target && s.desiredImage === undefined;

const isUnavailable = (n: NodeState) => !n.removed && (n.cordoned || n.notReady || n.updating);

/**
 * Checks a timeline. A pool over its limit is a violation only when a client action (cordon, desired
 * config) took it there; nodes the simulator itself made NotReady (faults) are counted but not blamed.
 * A node left cordoned is a violation unless its update failed (a failed node stays cordoned for a human).
 */
export function checkInvariants(
  events: readonly TimelineEvent[],
  pools: readonly PoolLimit[],
): InvariantReport {
  const nodes = new Map<string, NodeState>();
  const peaks = new Map<string, number>();
  const limits = new Map(pools.map((p) => [`${p.cluster}/${p.pool}`, p.maxUnavailable]));
  /** Limits MCO's node controller resolved at its status writes (the pool's live spec.maxUnavailable). */
  const liveLimits = new Map<string, number>();
  /** For each pool, the last seq at which its target was set to each config. */
  const targetSet = new Map<string, Map<string, number>>();
  const violations: Violation[] = [];
  const counts = new Map<string, number>();
  /** Nodes with an MCO state, by cluster/pool (the pool-status check reads a pool's own nodes only). */
  const members = new Map<string, Set<NodeState>>();
  const join = (poolKey: string, n: NodeState) => {
    const set = members.get(poolKey) ?? new Set<NodeState>();
    members.set(poolKey, set);
    set.add(n);
  };
  for (const e of events) {
    if (e.kind === 'pool-target') {
      const poolKey = `${e.cluster}/${e.pool}`;
      const set = targetSet.get(poolKey) ?? new Map<string, number>();
      targetSet.set(poolKey, set);
      set.set(e.config ?? '', e.seq);
      continue;
    }
    if (e.kind === 'pool-status') {
      if (e.status) {
        liveLimits.set(`${e.cluster}/${e.pool}`, e.status.maxUnavailable);
        const problem = checkPoolStatus(e, members.get(`${e.cluster}/${e.pool}`));
        if (problem)
          violations.push({
            kind: 'pool-status',
            cluster: e.cluster,
            pool: e.pool,
            node: '',
            t: e.t,
            seq: e.seq,
            detail: problem,
          });
      }
      continue;
    }
    const key = `${e.cluster}/${e.node}`;
    let n = nodes.get(key);
    if (!n) {
      n = {
        pool: e.pool,
        cordoned: false,
        notReady: false,
        updating: false,
        lastState: 'Done',
        removed: false,
      };
      nodes.set(key, n);
    }
    const wasUnavailable = isUnavailable(n);
    switch (e.kind) {
      case 'cordon':
        n.cordoned = true;
        break;
      case 'uncordon':
        n.cordoned = false;
        break;
      case 'reboot':
      case 'not-ready':
        n.notReady = true;
        break;
      case 'ready':
        n.notReady = false;
        break;
      case 'desired': {
        n.updating = true;
        if (e.config === undefined || !n.desired) break;
        const history = n.desired;
        if (e.config === history.current) break;
        const poolKey = `${e.cluster}/${n.pool}`;
        const askedAt = targetSet.get(poolKey)?.get(e.config) ?? -1;
        if (e.config === history.previous && askedAt < history.seq)
          violations.push({
            kind: 'desired-flip',
            cluster: e.cluster,
            pool: n.pool,
            node: e.node,
            t: e.t,
            seq: e.seq,
            detail: `desiredConfig flipped ${e.config} -> ${history.current} -> ${e.config} (${history.current} set by ${history.by || 'unknown'}, then reset by ${e.by ?? 'unknown'}); the pool's target did not move back to ${e.config} in between`,
          });
        n.desired = { previous: history.current, current: e.config, seq: e.seq, by: e.by ?? '' };
        break;
      }
      case 'desired-image': {
        // No cluster-side target tells a rollback from a fight here: a value reset to the one before by
        // another writer than the one who replaced it is two writers fighting over the node.
        const image = e.image ?? '';
        const history = n.desiredImage ?? { previous: '', current: '', by: '' };
        if (image === history.current) break;
        const by = e.by ?? '';
        if (n.desiredImage && image === history.previous && by !== history.by)
          violations.push({
            kind: 'desired-flip',
            cluster: e.cluster,
            pool: n.pool,
            node: e.node,
            t: e.t,
            seq: e.seq,
            detail: `strata.io/desired-image flipped ${image || '(none)'} -> ${history.current || '(none)'} -> ${image || '(none)'} (${history.current || '(none)'} set by ${history.by || 'unknown'}, then reset by ${by || 'unknown'})`,
          });
        n.desiredImage = { previous: history.current, current: image, by };
        break;
      }
      case 'working':
        n.lastState = 'Working';
        break;
      case 'done':
        n.updating = false;
        n.lastState = 'Done';
        break;
      case 'degraded':
      case 'unreconcilable':
        n.updating = false;
        n.lastState = e.kind === 'degraded' ? 'Degraded' : 'Unreconcilable';
        break;
      case 'removed':
        n.removed = true;
        members.get(`${e.cluster}/${n.pool}`)?.delete(n);
        break;
      case 'node-state':
        if (!n.mco) join(`${e.cluster}/${n.pool}`, n);
        n.mco = e.state;
        if (e.state && !n.desired)
          n.desired = { previous: undefined, current: e.state.desiredConfig, seq: e.seq, by: e.by ?? '' };
        break;
      case 'moved': {
        // Carry the node's unavailability from its old pool's count to its new pool's.
        const from = `${e.cluster}/${n.pool}`;
        if (wasUnavailable) counts.set(from, (counts.get(from) ?? 1) - 1);
        if (n.mco) {
          members.get(from)?.delete(n);
          join(`${e.cluster}/${e.pool}`, n);
        }
        n.pool = e.pool;
        if (wasUnavailable) {
          const to = `${e.cluster}/${n.pool}`;
          counts.set(to, (counts.get(to) ?? 0) + 1);
        }
        continue;
      }
      case 'violation':
        violations.push({
          kind: 'not-drained',
          cluster: e.cluster,
          pool: e.pool,
          node: e.node,
          t: e.t,
          seq: e.seq,
          detail: e.detail ?? '',
        });
        break;
      default:
        break;
    }
    const poolKey = `${e.cluster}/${n.pool}`;
    if (wasUnavailable && !isUnavailable(n)) counts.set(poolKey, (counts.get(poolKey) ?? 1) - 1);
    if (isUnavailable(n) && !wasUnavailable) {
      const count = (counts.get(poolKey) ?? 0) + 1;
      counts.set(poolKey, count);
      peaks.set(poolKey, Math.max(peaks.get(poolKey) ?? 0, count));
      const limit = liveLimits.get(poolKey) ?? limits.get(poolKey);
      if (limit !== undefined && count > limit && !e.fault && (e.kind === 'cordon' || e.kind === 'desired'))
        violations.push({
          kind: 'max-unavailable',
          cluster: e.cluster,
          pool: n.pool,
          node: e.node,
          t: e.t,
          seq: e.seq,
          detail: `${count} nodes unavailable at once in pool ${n.pool}, maxUnavailable ${limit}`,
        });
    }
  }
  const end = events.at(-1);
  for (const [poolKey, limit] of liveLimits) limits.set(poolKey, limit);
  const leftCordoned: InvariantReport['leftCordoned'] = [];
  for (const [key, n] of nodes) {
    if (!n.cordoned || n.removed) continue;
    const [cluster, node] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    leftCordoned.push({ cluster, pool: n.pool, node, lastState: n.lastState });
    if (n.lastState === 'Done' || n.lastState === 'Working')
      violations.push({
        kind: 'left-cordoned',
        cluster,
        pool: n.pool,
        node,
        t: end?.t ?? 0,
        seq: end?.seq ?? 0,
        detail: `node left cordoned (last state ${n.lastState})`,
      });
  }
  return {
    pools: pools.map((p) => ({
      ...p,
      maxUnavailable: limits.get(`${p.cluster}/${p.pool}`) ?? p.maxUnavailable,
      peakUnavailable: peaks.get(`${p.cluster}/${p.pool}`) ?? 0,
    })),
    leftCordoned,
    violations,
    ok: violations.length === 0,
  };
}

/**
 * A pool status written by MCO's node controller against the nodes at that instant: machine, updated,
 * ready, unavailable and degraded counts, the Updated condition, and `status.configuration` being the
 * target whenever the pool says it is updated. Returns what disagrees, or undefined.
 */
function checkPoolStatus(e: TimelineEvent, pool: ReadonlySet<NodeState> | undefined): string | undefined {
  const status = e.status!;
  const members: NodeStateSnapshot[] = [];
  for (const n of pool ?? []) if (!n.removed && n.mco) members.push(n.mco);
  const expected = {
    machineCount: members.length,
    updatedMachineCount: members.filter((s) => updatedTo(s, status.target)).length,
    readyMachineCount: members.filter((s) => updatedTo(s, status.target) && nodeReady(s)).length,
    unavailableMachineCount: members.filter(unavailable).length,
    degradedMachineCount: members.filter(degraded).length,
  };
  const problems: string[] = [];
  for (const [field, value] of Object.entries(expected)) {
    const written = status[field as keyof typeof expected];
    if (written !== value) problems.push(`${field} ${written}, the nodes say ${value}`);
  }
  const allUpdated =
    expected.updatedMachineCount === expected.machineCount &&
    expected.readyMachineCount === expected.machineCount &&
    expected.unavailableMachineCount === 0;
  if (status.updated !== allUpdated)
    problems.push(
      `Updated=${status.updated ? 'True' : 'False'}, the nodes say ${allUpdated ? 'True' : 'False'}`,
    );
  if (status.updated && status.config !== status.target)
    problems.push(
      `Updated=True but status.configuration is ${status.config}, not the target ${status.target}`,
    );
  return problems.length > 0
    ? `pool ${e.pool} status disagrees with its nodes: ${problems.join('; ')}`
    : undefined;
}
