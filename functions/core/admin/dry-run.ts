/**
 * `strata plan IMAGE`: what a rollout of an image would do, without touching anything. Waves as the
 * planner would form them, per cluster and pool the rendered config name (or MCO's refusal), and the
 * order in which nodes would start: MCO's candidate order (zone, age, name) in batches of maxUnavailable.
 */
import type { RolloutStrategy, Track } from '../model.ts';
import { sortNodeList } from '../rollout/candidates.ts';
import { resolveMaxUnavailable } from '../rollout/max-unavailable.ts';
import { isUpdated, type NodeFacts, type PoolTarget } from '../rollout/node-facts.ts';
import { planWaves } from '../rollout/waves.ts';

/** A pool as the dry run sees it: its nodes and the rendered target, or why MCO would refuse it. */
export interface DryRunPoolInput {
  pool: string;
  maxUnavailable?: number | string;
  nodes: NodeFacts[];
  rendered: { config: string; image: string; sources: string[]; warnings: string[] } | { refusal: string };
}

/** A targeted cluster, or one that could not be read. */
export interface DryRunClusterInput {
  id: string;
  labels: Record<string, string>;
  pools: DryRunPoolInput[];
  /** Set when the cluster could not be read (its pools are then empty). */
  unreachable?: string;
}

/** What would happen to one pool. */
export interface PoolDryRun {
  pool: string;
  renderedConfig: string | null;
  sources: string[];
  warnings: string[];
  refusal: string | null;
  maxUnavailable: number;
  /** Nodes in start order, in batches of at most maxUnavailable. */
  batches: string[][];
  /** Nodes already at the rendered target. */
  upToDate: string[];
}

/** One planned wave. */
export interface WaveDryRun {
  name: string;
  clusters: { id: string; unreachable: string | null; pools: PoolDryRun[] }[];
}

/** The dry run of one track. */
export interface TrackDryRun {
  track: string;
  image: string;
  strategy: RolloutStrategy;
  waves: WaveDryRun[];
  /** Everything that would stop the rollout before a node is touched. */
  refusals: string[];
  /**
   * What the rollout would skip, as it would: a targeted pool a cluster does not have (the rollout moves
   * the pools a cluster has and leaves the cluster at that).
   */
  notices: string[];
}

/** Plans a rollout of `image` for `track` over the given clusters (already filtered by the track). */
export function dryRunTrack(track: Track, image: string, clusters: DryRunClusterInput[]): TrackDryRun {
  const byId = new Map(clusters.map((c) => [c.id, c]));
  const refusals: string[] = [];
  const notices: string[] = [];
  const planned = planWaves(clusters, track.strategy);
  const waves = planned.map((w) => ({
    name: w.name,
    clusters: w.clusters.map((id) => {
      const c = byId.get(id)!;
      if (c.unreachable) refusals.push(`cluster ${id}: ${c.unreachable}`);
      const pools = c.pools
        .filter((p) => track.targets.pools.includes(p.pool))
        .map((p): PoolDryRun => {
          const maxUnavailable = resolveMaxUnavailable(
            (track.strategy.maxUnavailable ?? p.maxUnavailable) as never,
            p.nodes.length,
          );
          if ('refusal' in p.rendered) {
            refusals.push(`pool ${id}/${p.pool}: ${p.rendered.refusal}`);
            return {
              pool: p.pool,
              renderedConfig: null,
              sources: [],
              warnings: [],
              refusal: p.rendered.refusal,
              maxUnavailable,
              batches: [],
              upToDate: [],
            };
          }
          const target: PoolTarget = { config: p.rendered.config, image: p.rendered.image };
          const upToDate = p.nodes.filter((n) => isUpdated(n, target)).map((n) => n.name);
          const order = sortNodeList(p.nodes.filter((n) => !upToDate.includes(n.name))).map((n) => n.name);
          const batches: string[][] = [];
          for (let i = 0; i < order.length; i += Math.max(1, maxUnavailable)) {
            batches.push(order.slice(i, i + Math.max(1, maxUnavailable)));
          }
          return {
            pool: p.pool,
            renderedConfig: p.rendered.config,
            sources: p.rendered.sources,
            warnings: p.rendered.warnings,
            refusal: null,
            maxUnavailable,
            batches,
            upToDate,
          };
        });
      for (const name of track.targets.pools) {
        if (!c.unreachable && !c.pools.some((p) => p.pool === name)) {
          notices.push(`cluster ${id}: no pool ${name} registered; the rollout skips it there`);
        }
      }
      return { id, unreachable: c.unreachable ?? null, pools };
    }),
  }));
  if (clusters.length === 0)
    refusals.push(`track ${track.name}: no registered cluster matches its clusterSelector`);
  else if (clusters.every((c) => !c.unreachable && c.pools.length === 0)) {
    refusals.push(
      `track ${track.name}: none of its clusters has a pool it targets (${track.targets.pools.join(', ')}): the rollout would update nothing`,
    );
  }
  return { track: track.name, image, strategy: track.strategy, waves, refusals, notices };
}
