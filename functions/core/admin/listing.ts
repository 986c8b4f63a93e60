/**
 * What the admin API's list and describe answers hold, shaped from what the store and the clusters
 * returned: filters, orders, the node view of a node, the drain detail of a rollout's pools, and each
 * track's last update check. Pure.
 */
import type { ClusterDrift } from '../checks/drift-record.ts';
import type { TrackCheck } from '../checks/track-check.ts';
import type { ClusterRecord } from '../clusters.ts';
import { AgentAnnotations, NodeAnnotations, type Track, ZoneLabel } from '../model.ts';
import { agentPhase } from '../rollout/agent-nodes.ts';
import { isTargeted, type NodeFacts } from '../rollout/node-facts.ts';
import { primaryPool } from '../rollout/pool-membership.ts';
import type { PoolRecord } from '../rollout/pool-state.ts';
import type { NodeView } from './views.ts';

const byKeys =
  <T>(...keys: ((x: T) => string)[]) =>
  (a: T, b: T): number => {
    for (const key of keys) {
      if (key(a) !== key(b)) return key(a) < key(b) ? -1 : 1;
    }
    return 0;
  };

/** Pools by cluster and name (of one pool name when asked), with their cluster's registration time. */
export function poolList(pools: PoolRecord[], clusters: ClusterRecord[], pool?: string) {
  const registered = new Map(clusters.map((c) => [c.id, c.registeredAt]));
  return pools
    .filter((p) => !pool || p.pool === pool)
    .sort(
      byKeys(
        (p) => p.clusterId,
        (p) => p.pool,
      ),
    )
    .map((p) => ({ ...p, registeredAt: registered.get(p.clusterId) }));
}

/**
 * A node as `GET /v1/nodes` lists it: MCO's annotations, or on a node the Strata agent runs (no MCO
 * annotations) the agent's: its state, reason, booted and desired image.
 */
export function nodeView(clusterId: string, n: NodeFacts, pools: ClusterRecord['pools']): NodeView {
  const a = n.annotations;
  const common = {
    clusterId,
    name: n.name,
    pool: primaryPool(n.labels, pools),
    ready: n.conditions.find((c) => c.type === 'Ready')?.status === 'True',
    unschedulable: n.unschedulable,
    zone: n.labels[ZoneLabel] ?? null,
    createdAt: n.creationTimestamp || null,
  };
  if (a[NodeAnnotations.state] === undefined && a[AgentAnnotations.state] !== undefined) {
    return {
      ...common,
      state: a[AgentAnnotations.state] ?? null,
      reason: a[AgentAnnotations.reason] || null,
      currentConfig: null,
      desiredConfig: null,
      currentImage: a[AgentAnnotations.currentImage] || null,
      desiredImage: a[AgentAnnotations.desiredImage] ?? null,
    };
  }
  return {
    ...common,
    state: a[NodeAnnotations.state] ?? null,
    reason: a[NodeAnnotations.reason] ?? null,
    currentConfig: a[NodeAnnotations.currentConfig] ?? null,
    desiredConfig: a[NodeAnnotations.desiredConfig] ?? null,
    currentImage: a[NodeAnnotations.currentImage] ?? null,
    desiredImage: a[NodeAnnotations.desiredImage] ?? null,
  };
}

/** Nodes by cluster and name, of one pool when asked. */
export function nodeList(nodes: NodeView[], pool?: string): NodeView[] {
  return nodes
    .filter((n) => !pool || n.pool === pool)
    .sort(
      byKeys(
        (n) => n.clusterId,
        (n) => n.name,
      ),
    );
}

/**
 * Nodes of a pool holding a slot, cordoned but not yet told their target: their drain waits on evictions
 * (a PodDisruptionBudget refusing them), with how long the slot has been held.
 */
export function drainingNodes(
  pool: PoolRecord,
  nodes: NodeFacts[],
  at: Date,
): { node: string; seconds: number }[] {
  const facts = new Map(nodes.map((n) => [n.name, n]));
  return Object.entries(pool.slots).flatMap(([node, slot]) => {
    const n = facts.get(node);
    if (slot.failed || !n?.unschedulable) return [];
    // Agent nodes are told their image before the drain: they drain while Staged, until the reboot request.
    const agent = slot.target.config === '' && slot.target.image !== null;
    if (agent ? agentPhase(n, slot.target.image!) !== 'staged' : isTargeted(n, slot.target)) return [];
    return [{ node, seconds: Math.max(0, Math.round((at.getTime() - Date.parse(slot.since)) / 1000)) }];
  });
}

/** Tracks with what their last update check found (`check`: digest, errors, base staleness). */
export function tracksWithChecks(tracks: Track[], checks: TrackCheck[]) {
  const byTrack = new Map(checks.map((c) => [c.track, c]));
  return tracks.map((t) => {
    const c = byTrack.get(t.name);
    if (!c) return t;
    const { version: _v, track: _t, ...check } = c;
    return { ...t, check };
  });
}

/** Drift findings, one row per finding (of one cluster when asked), and clusters whose last check failed. */
export function driftAnswer(drifts: ClusterDrift[], cluster?: string) {
  const of = drifts.filter((d) => cluster === undefined || d.clusterId === cluster);
  return {
    items: of.flatMap((d) => d.findings.map((f) => ({ ...f, checkedAt: d.checkedAt }))),
    errors: of.flatMap((d) =>
      d.error ? [{ cluster: d.clusterId, error: `drift check failed at ${d.checkedAt}: ${d.error}` }] : [],
    ),
  };
}
