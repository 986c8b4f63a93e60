/**
 * `strata describe KIND NAME`: a rollout's waves, each cluster's and pool's progress, why anything is
 * blocked, and its audit events; a pool, node, cluster or track composed from the admin API's answers
 * (state, why blocked, recent events; a node's update history). `-o json|yaml` for the whole description.
 */
import type {
  ClusterView,
  NodeView,
  PoolView,
  RolloutDescription,
  RolloutView,
} from '../../functions/core/admin/index.ts';
import type { BuildRecord } from '../../functions/core/builds/index.ts';
import type { NodeHistory } from '../../functions/core/history/index.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { AdminApiError, type AdminClient, type ConnectionOptions, clientFor } from '../client/index.ts';
import type { OutputFormat } from '../commands/options.ts';
import { formatAge } from '../views/age.ts';
import {
  type ClusterDescription,
  formatBuildDescription,
  formatClusterDescription,
  formatNodeDescription,
  formatPoolDescription,
  formatTrackDescription,
  type NodeDescription,
  type PoolDescription,
  type TrackDescription,
} from '../views/describe.ts';
import { renderData } from '../views/output.ts';
import type { TrackItem } from '../views/resources.ts';
import { naturally } from '../views/sort.ts';
import { renderTable } from '../views/table.ts';
import { fetchItems, fetchOne } from './get.ts';

/** The human-readable description. */
export function formatDescription(d: RolloutDescription, now = new Date()): string {
  const r = d.rollout;
  const s = r.strategy;
  const lines = [
    `Name:        ${r.id}`,
    `Track:       ${r.track}`,
    `Image:       ${r.image.host}/${r.image.repository}@${r.image.digest}`,
    `Status:      ${r.status}`,
    `Cause:       ${r.cause}`,
    `Created:     ${r.createdAt} (${formatAge(r.createdAt, now)} ago)`,
    `Strategy:    maxConcurrentClusters ${s.maxConcurrentClusters}, soak ${s.soakSeconds}s, ` +
      `budgets pool ${s.poolFailureBudget} / fleet ${s.fleetFailureBudget}, onFailure ${s.onFailure}` +
      (s.maxUnavailable !== undefined ? `, maxUnavailable ${s.maxUnavailable}` : ''),
    `Pools:       ${r.targets.pools.join(', ')}`,
  ];
  // A rollout of builds (docs/builds.md): which digest goes to which cluster, and who gets none.
  if (r.images) {
    lines.push('Images (built per base):');
    for (const c of naturally(Object.keys(r.images))) lines.push(`  ${c}: ${r.images[c]!.digest}`);
    for (const x of r.refused ?? []) lines.push(`  ${x.clusterId}: REFUSED: ${x.reason}`);
  }
  lines.push('Waves:');
  if (d.waves.length === 0) lines.push('  (not planned yet)');
  for (const w of d.waves) {
    lines.push(`  ${w.index + 1}. ${w.name} (${w.phase})`);
    for (const c of w.clusters) {
      lines.push(`     ${c.id}: ${c.phase}`);
      for (const p of c.pools) {
        const parts = [
          `${p.updatedMachineCount ?? 0}/${p.machineCount ?? '?'} updated`,
          ...(p.inFlight.length ? [`in flight: ${naturally(p.inFlight).join(', ')}`] : []),
          ...(p.failed.length ? [`failed: ${naturally(p.failed).join(', ')}`] : []),
          ...(p.holds.filter((h) => h !== 'no-target').length ? [`holds: ${p.holds.join(', ')}`] : []),
        ];
        lines.push(`       ${p.pool.padEnd(10)} ${parts.join('; ')}${p.config ? `  (${p.config})` : ''}`);
      }
    }
  }
  lines.push('Blocked:');
  if (d.blocked.length === 0) lines.push('  nothing');
  for (const b of d.blocked) lines.push(`  - ${b}`);
  lines.push('Events:');
  const events = d.events.map((e) => [formatAge(e.time, now), e.kind, e.actor, e.message]);
  if (events.length === 0) lines.push('  none');
  else
    lines.push(
      renderTable(['AGE', 'KIND', 'ACTOR', 'MESSAGE'], events)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  return lines.join('\n');
}

type Kind = 'rollout' | 'pool' | 'node' | 'cluster' | 'track' | 'build';

const KINDS: Record<string, Kind> = {
  rollout: 'rollout',
  rollouts: 'rollout',
  pool: 'pool',
  pools: 'pool',
  mcp: 'pool',
  node: 'node',
  nodes: 'node',
  cluster: 'cluster',
  clusters: 'cluster',
  track: 'track',
  tracks: 'track',
  build: 'build',
  builds: 'build',
};

/** A rollout's description, or null when it is gone. */
async function rolloutDescription(client: AdminClient, id: string | undefined) {
  if (!id) return null;
  try {
    return await client.get<RolloutDescription>(`/rollouts/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error instanceof AdminApiError && error.status === 404) return null;
    throw error;
  }
}

/** Nodes read live, or why the cluster could not be read. */
async function liveNodes(client: AdminClient, cluster: string, pool?: string) {
  const { items, errors } = await fetchItems(client, 'nodes', { cluster, ...(pool ? { pool } : {}) });
  return { nodes: items as NodeView[], nodesError: errors[0]?.error ?? null };
}

async function describePool(client: AdminClient, name: string, cluster?: string): Promise<PoolDescription> {
  const pool = (await fetchOne(client, 'pools', name, cluster ? { cluster } : {})).items[0] as PoolView;
  const live = await liveNodes(client, pool.clusterId, pool.pool);
  return { pool, ...live, rollout: await rolloutDescription(client, pool.target?.rolloutId) };
}

async function describeNode(client: AdminClient, name: string, cluster?: string): Promise<NodeDescription> {
  const node = (await fetchOne(client, 'nodes', name, cluster ? { cluster } : {})).items[0] as NodeView;
  const pools = node.pool
    ? ((await fetchItems(client, 'pools', { cluster: node.clusterId, pool: node.pool })).items as PoolView[])
    : [];
  const path = `/nodes/${encodeURIComponent(node.clusterId)}/${encodeURIComponent(node.name)}/history`;
  const history = await client.get<NodeHistory>(path).catch((error: unknown) => {
    if (error instanceof AdminApiError && error.status === 404) return null;
    throw error;
  });
  return { node, pool: pools[0] ?? null, history };
}

/** The rollouts whose waves include `cluster`, newest first. */
function rolloutsOf(all: RolloutView[], cluster: string): RolloutView[] {
  return all.filter((r) => r.progress?.waves.some((w) => w.clusters.includes(cluster)));
}

async function describeCluster(client: AdminClient, name: string): Promise<ClusterDescription> {
  const cluster = (await fetchOne(client, 'clusters', name)).items[0] as ClusterView;
  const [pools, live, all] = await Promise.all([
    fetchItems(client, 'pools', { cluster: cluster.id }),
    liveNodes(client, cluster.id),
    fetchItems(client, 'rollouts'),
  ]);
  const rollouts = rolloutsOf(all.items as RolloutView[], cluster.id);
  const latest = await rolloutDescription(client, rollouts[0]?.id);
  return { cluster, pools: pools.items as PoolView[], ...live, rollouts, latest };
}

async function describeTrack(client: AdminClient, name: string): Promise<TrackDescription> {
  const track = (await fetchOne(client, 'tracks', name)).items[0] as TrackItem;
  const rollouts = (await fetchItems(client, 'rollouts', { track: track.name })).items as RolloutView[];
  return { track, rollouts, latest: await rolloutDescription(client, rollouts[0]?.id) };
}

/** `strata describe KIND NAME`. */
export async function describe(
  kindArg: string,
  name: string,
  options: ConnectionOptions & { output: OutputFormat; cluster?: string },
): Promise<void> {
  const kind = KINDS[kindArg];
  if (!kind) {
    throw new CliError(
      `describe ${kindArg}: unknown kind (rollout, pool, node, cluster, track, build)`,
      EXIT_USAGE,
    );
  }
  const client = clientFor(options);
  const format = options.output;
  let data: unknown;
  let text: () => string;
  if (kind === 'rollout') {
    const d = await rolloutDescription(client, name);
    if (!d) throw new CliError(`rollout "${name}" not found`);
    [data, text] = [d, () => formatDescription(d)];
  } else if (kind === 'pool') {
    const d = await describePool(client, name, options.cluster);
    [data, text] = [d, () => formatPoolDescription(d)];
  } else if (kind === 'node') {
    const d = await describeNode(client, name, options.cluster);
    [data, text] = [d, () => formatNodeDescription(d)];
  } else if (kind === 'cluster') {
    const d = await describeCluster(client, name);
    [data, text] = [d, () => formatClusterDescription(d)];
  } else if (kind === 'build') {
    const d = (await fetchOne(client, 'builds', name)).items[0] as BuildRecord;
    [data, text] = [d, () => formatBuildDescription(d)];
  } else {
    const d = await describeTrack(client, name);
    [data, text] = [d, () => formatTrackDescription(d)];
  }
  process.stdout.write(`${format === 'json' || format === 'yaml' ? await renderData(format, data) : text()}
`);
}
