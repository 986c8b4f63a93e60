/**
 * The invariant checker: replays a timeline and reports, per pool, the most nodes unavailable at once
 * against maxUnavailable, the nodes updated while not drained, and the nodes left cordoned.
 */
import type { TimelineEvent } from './timeline.ts';

/** A pool's limit, resolved to a number of nodes. */
export interface PoolLimit {
  cluster: string;
  pool: string;
  maxUnavailable: number;
}

export type ViolationKind = 'max-unavailable' | 'not-drained' | 'left-cordoned';

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
}

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
  const violations: Violation[] = [];
  const counts = new Map<string, number>();
  for (const e of events) {
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
      case 'desired':
        n.updating = true;
        break;
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
        break;
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
      const limit = limits.get(poolKey);
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
    pools: pools.map((p) => ({ ...p, peakUnavailable: peaks.get(`${p.cluster}/${p.pool}`) ?? 0 })),
    leftCordoned,
    violations,
    ok: violations.length === 0,
  };
}
