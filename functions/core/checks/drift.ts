/**
 * Drift rules: what differs in a cluster from what Strata rolled out while no rollout is changing it.
 * Each rule is a pure function over what the check read (pool records, the cluster's nodes, its
 * MachineConfigPools and rendered MachineConfigs); each finding says what, where and why.
 */
import { AgentAnnotations, NodeAnnotations, type RolloutStatus } from '../model.ts';
import type { NodeFacts, PoolTarget } from '../rollout/node-facts.ts';
import { type PoolSelector, primaryPool } from '../rollout/pool-membership.ts';
import type { PoolRecord } from '../rollout/pool-state.ts';
import { isPoolMoving } from '../rollout/pool-targets.ts';

/** Kinds of drift. */
export type DriftKind =
  | 'node-config'
  | 'node-image'
  | 'node-desired-config'
  | 'rendered-config-missing'
  | 'rendered-config-modified'
  | 'pool-paused';

/** One drift finding. */
export interface DriftFinding {
  clusterId: string;
  pool: string;
  kind: DriftKind;
  /** The node or MachineConfig or pool the finding is about. */
  subject: string;
  expected: string | null;
  actual: string | null;
  /** One sentence: what is wrong and the likely cause. */
  cause: string;
}

/** A pool as the drift rules need it (from the pool record). */
export interface DriftPool extends PoolSelector {
  /** The pool's target, or null when no rollout ever targeted it (nothing to drift from). */
  target: PoolTarget | null;
  /** The config every node agreed on before the current target (a halted rollout leaves a mix). */
  lastCompleted: PoolTarget | null;
  /** Every node reached `target`. */
  reached: boolean;
  /** A rollout is moving this pool right now (its nodes are allowed to differ). */
  moving: boolean;
}

/** A rendered MachineConfig as found in the cluster: its name and the name its content hashes to. */
export interface ClusterRenderedConfig {
  name: string;
  /** `renderedName(pool, spec)` of the stored spec: differs from `name` when the content was edited. */
  contentName: string;
}

/** What the drift check read from one cluster. */
export interface ClusterDriftInput {
  clusterId: string;
  pools: DriftPool[];
  nodes: NodeFacts[];
  /**
   * Only for clusters serving MachineConfigs: per pool whether its MachineConfigPool is paused and
   * whether Strata paused it; and the rendered configs by name. Absent for node-agent clusters.
   */
  machineConfigs?: {
    paused: Record<string, { paused: boolean; byStrata: boolean }>;
    rendered: Record<string, ClusterRenderedConfig>;
  };
}

function configsAllowed(pool: DriftPool): PoolTarget[] {
  if (pool.target === null) return [];
  return pool.reached || pool.lastCompleted === null ? [pool.target] : [pool.target, pool.lastCompleted];
}

/** Nodes whose current config or image is not what the pool should run (only for pools at rest). */
export function nodeDrift(clusterId: string, pool: DriftPool, members: NodeFacts[]): DriftFinding[] {
  if (pool.moving) return [];
  const allowed = configsAllowed(pool);
  if (allowed.length === 0) return [];
  if (allowed.every((t) => t.config === '')) return agentNodeDrift(clusterId, pool, members, allowed);
  const findings: DriftFinding[] = [];
  const expectedConfig = allowed.map((t) => t.config).join(' or ');
  for (const node of members) {
    const current = node.annotations[NodeAnnotations.currentConfig] ?? null;
    const desired = node.annotations[NodeAnnotations.desiredConfig] ?? null;
    const currentImage = node.annotations[NodeAnnotations.currentImage] ?? null;
    const at = allowed.find((t) => t.config === current);
    if (at === undefined) {
      findings.push({
        clusterId,
        pool: pool.name,
        kind: 'node-config',
        subject: node.name,
        expected: expectedConfig,
        actual: current,
        cause:
          current === null
            ? `node ${node.name} reports no current config while pool ${pool.name} is at rest`
            : `node ${node.name} runs ${current}, not the pool's ${expectedConfig}, and no rollout is moving it (changed outside Strata)`,
      });
    } else if (at.image !== null && currentImage !== at.image) {
      findings.push({
        clusterId,
        pool: pool.name,
        kind: 'node-image',
        subject: node.name,
        expected: at.image,
        actual: currentImage,
        cause: `node ${node.name} booted ${currentImage ?? 'no recorded image'} instead of ${at.image} (rebased outside Strata)`,
      });
    }
    // Told to move elsewhere but not there yet (once there, the node-config finding says it all).
    if (desired !== null && desired !== current && !allowed.some((t) => t.config === desired)) {
      findings.push({
        clusterId,
        pool: pool.name,
        kind: 'node-desired-config',
        subject: node.name,
        expected: expectedConfig,
        actual: desired,
        cause: `node ${node.name} was told to move to ${desired}, which no Strata rollout asked for`,
      });
    }
  }
  return findings;
}

/** {@link nodeDrift} on a pool the Strata agent moves: its targets are images, read from the agent's annotations. */
function agentNodeDrift(
  clusterId: string,
  pool: DriftPool,
  members: NodeFacts[],
  allowed: PoolTarget[],
): DriftFinding[] {
  const images = allowed.map((t) => t.image ?? '');
  const expected = images.join(' or ');
  return members.flatMap((node) => {
    const current = node.annotations[AgentAnnotations.currentImage] || null;
    const desired = node.annotations[AgentAnnotations.desiredImage] || null;
    const out: DriftFinding[] = [];
    if (current === null || !images.includes(current))
      out.push({
        clusterId,
        pool: pool.name,
        kind: 'node-image',
        subject: node.name,
        expected,
        actual: current,
        cause: `node ${node.name} booted ${current ?? 'no recorded image'} instead of ${expected} (rebased outside Strata)`,
      });
    if (desired !== null && desired !== current && !images.includes(desired))
      out.push({
        clusterId,
        pool: pool.name,
        kind: 'node-desired-config',
        subject: node.name,
        expected,
        actual: desired,
        cause: `node ${node.name} was told to move to ${desired}, which no Strata rollout asked for`,
      });
    return out;
  });
}

/** Rendered configs Strata targets that are missing from the cluster or whose content was edited. */
export function renderedDrift(
  clusterId: string,
  pool: DriftPool,
  rendered: Record<string, ClusterRenderedConfig>,
): DriftFinding[] {
  if (pool.target === null) return [];
  const name = pool.target.config;
  const found = rendered[name];
  if (found === undefined) {
    return [
      {
        clusterId,
        pool: pool.name,
        kind: 'rendered-config-missing',
        subject: name,
        expected: name,
        actual: null,
        cause: `MachineConfig ${name} that Strata rendered for pool ${pool.name} is gone from the cluster`,
      },
    ];
  }
  if (found.contentName !== name) {
    return [
      {
        clusterId,
        pool: pool.name,
        kind: 'rendered-config-modified',
        subject: name,
        expected: name,
        actual: found.contentName,
        cause: `MachineConfig ${name} was edited in the cluster: its content now hashes to ${found.contentName}`,
      },
    ];
  }
  return [];
}

/** A MachineConfigPool paused by someone other than Strata while no rollout is moving it. */
export function pausedDrift(
  clusterId: string,
  pool: DriftPool,
  paused: { paused: boolean; byStrata: boolean } | undefined,
): DriftFinding[] {
  if (paused === undefined || !paused.paused || paused.byStrata) return [];
  return [
    {
      clusterId,
      pool: pool.name,
      kind: 'pool-paused',
      subject: pool.name,
      expected: 'paused: false',
      actual: 'paused: true',
      cause: `MachineConfigPool ${pool.name} was paused by hand: the cluster's own updates (certificates included) wait`,
    },
  ];
}

/** Every drift finding of one cluster, sorted by pool, kind and subject. */
export function clusterDrift(input: ClusterDriftInput): DriftFinding[] {
  const members = new Map<string, NodeFacts[]>();
  for (const node of input.nodes) {
    const pool = primaryPool(node.labels, input.pools);
    if (pool === null) continue;
    members.set(pool, [...(members.get(pool) ?? []), node]);
  }
  const findings: DriftFinding[] = [];
  for (const pool of input.pools) {
    findings.push(...nodeDrift(input.clusterId, pool, members.get(pool.name) ?? []));
    if (input.machineConfigs) {
      findings.push(...pausedDrift(input.clusterId, pool, input.machineConfigs.paused[pool.name]));
      if (!pool.moving) findings.push(...renderedDrift(input.clusterId, pool, input.machineConfigs.rendered));
    }
  }
  return findings.sort(
    (a, b) =>
      a.pool.localeCompare(b.pool) || a.kind.localeCompare(b.kind) || a.subject.localeCompare(b.subject),
  );
}

/** A pool item as the drift rules see it; its rollout's status says whether a rollout is moving it. */
export function driftPool(p: PoolRecord, rolloutStatus: RolloutStatus | undefined): DriftPool {
  return {
    name: p.pool,
    nodeSelector: p.nodeSelector,
    target: p.target ? { config: p.target.config, image: p.target.image } : null,
    lastCompleted: p.lastCompleted,
    reached: p.reached,
    moving: isPoolMoving(p, rolloutStatus),
  };
}
