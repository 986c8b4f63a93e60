/**
 * The tables of `strata get clusters|pools|rollouts|nodes|tracks|drift`, built from what the admin API lists
 * (functions/core/admin/views.ts and functions/core/checks/views.ts have the item types). The default view
 * keeps to about 120 columns; `-o wide` adds the rest (for pools: every column of `oc get mcp`).
 */
import type { ClusterView, NodeView, PoolView, RolloutView } from '../../functions/core/admin/index.ts';
import type { BuildRecord } from '../../functions/core/builds/record.ts';
import type { DriftView, TrackCheckView } from '../../functions/core/checks/index.ts';
import type { ClusterHealth } from '../../functions/core/cluster-health.ts';
import type { Track } from '../../functions/core/model.ts';
import type { PoolStatus } from '../../functions/core/rollout/pool-status.ts';
import { formatAge } from './age.ts';
import { trackCheckCells } from './checks.ts';
import { conditionStyle, stateStyle } from './colour.ts';
import type { TableSpec } from './columns.ts';

function condition(status: PoolStatus | null, type: string): string {
  const c = status?.conditions.find((x) => x.type === type);
  return c ? c.status : 'Unknown';
}

function count(status: PoolStatus | null, field: keyof Omit<PoolStatus, 'conditions'>): string {
  return status ? String(status[field]) : '-';
}

/** A cell that names states (`Ready,SchedulingDisabled`): coloured by its worst part. */
function statesStyle(cell: string) {
  const styles = cell.split(',').map(stateStyle);
  return styles.find((s) => s === 'red') ?? styles.find((s) => s === 'yellow') ?? styles[0];
}

/** `repo@sha256:<12 hex>` of `host/path/repo@sha256:<64 hex>` ('' for none): an image in a table cell. */
export function shortImage(image: string | null | undefined): string {
  if (!image) return '';
  const [name, digest] = image.split('@');
  const repo = name!.slice(name!.lastIndexOf('/') + 1);
  return digest ? `${repo}@${digest.slice(0, 'sha256:'.length + 12)}` : repo;
}

/** `strata get pools`: `oc get mcp` plus the cluster. Counts are `-` until a rollout first targets the pool. */
export const POOLS: TableSpec<PoolView> = {
  sortKey: (p) => [p.clusterId, p.pool],
  columns: [
    { header: 'CLUSTER', cell: (p) => p.clusterId },
    // An operator's pause (`strata pool pause`) shows beside the name; -o wide says who and when.
    { header: 'NAME', cell: (p) => (p.paused ? `${p.pool} (paused)` : p.pool) },
    // mco driver: what MCO reports the pool on (status.configuration), as `oc get mcp` shows it; agent
    // pools have no rendered config: their target is the image (shortened; -o json has it whole).
    {
      header: 'CONFIG',
      cell: (p) =>
        p.status?.configuration ||
        p.target?.config ||
        shortImage(p.target?.image) ||
        p.lastCompleted?.config ||
        shortImage(p.lastCompleted?.image) ||
        '-',
    },
    {
      header: 'UPDATED',
      // Before its first status (a target just set) a targeted pool is updating; an untargeted one is on its baseline.
      cell: (p) =>
        p.status ? condition(p.status, 'Updated') : p.target ? 'False' : p.lastCompleted ? 'True' : 'Unknown',
      style: (c) => conditionStyle(c, 'True'),
    },
    {
      header: 'UPDATING',
      cell: (p) => (p.status ? condition(p.status, 'Updating') : p.target ? 'True' : 'False'),
      style: (c) => (c === 'True' ? 'yellow' : undefined),
    },
    {
      header: 'DEGRADED',
      cell: (p) => (p.status ? condition(p.status, 'Degraded') : 'False'),
      style: (c) => conditionStyle(c, 'False'),
    },
    {
      header: 'NODES',
      show: 'narrow',
      cell: (p) => (p.status ? `${p.status.updatedMachineCount}/${p.status.machineCount}` : '-'),
    },
    { header: 'MACHINECOUNT', show: 'wide', cell: (p) => count(p.status, 'machineCount') },
    { header: 'READYMACHINECOUNT', show: 'wide', cell: (p) => count(p.status, 'readyMachineCount') },
    { header: 'UPDATEDMACHINECOUNT', show: 'wide', cell: (p) => count(p.status, 'updatedMachineCount') },
    { header: 'DEGRADEDMACHINECOUNT', show: 'wide', cell: (p) => count(p.status, 'degradedMachineCount') },
    { header: 'AGE', cell: (p, now) => formatAge(p.registeredAt ?? p.updatedAt, now) },
    { header: 'ROLLOUT', show: 'wide', cell: (p) => p.target?.rolloutId ?? '-' },
    { header: 'HOLDS', show: 'wide', cell: (p) => (p.holds.length > 0 ? p.holds.join(',') : '-') },
    {
      header: 'PAUSED',
      show: 'wide',
      cell: (p, now) => (p.paused ? `${p.paused.by}, ${formatAge(p.paused.at, now)} ago` : '-'),
    },
  ],
};

function labels(l: Record<string, string>): string {
  const entries = Object.entries(l);
  return entries.length === 0 ? '-' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/** A cluster as `GET /v1/clusters` lists it: with what the last probe of its API found. */
export type ClusterItem = ClusterView & { health?: ClusterHealth | null };

/** `strata get clusters`: REACHABLE from its health; CONTACT (the last successful probe) and the error under -o wide. */
export const CLUSTERS: TableSpec<ClusterItem> = {
  sortKey: (c) => [c.id],
  columns: [
    { header: 'NAME', cell: (c) => c.id },
    // mco: MCO moves the nodes, Strata paces the pool; agent: Strata moves them; '-': not reached yet.
    { header: 'DRIVER', cell: (c) => c.driver ?? '-' },
    { header: 'LABELS', cell: (c) => labels(c.labels) },
    { header: 'POOLS', cell: (c) => c.pools.map((p) => p.name).join(',') },
    {
      header: 'REACHABLE',
      cell: (c) => (!c.health ? '-' : c.health.reachable ? 'yes' : `no (${c.health.cause})`),
      style: (v) => (v === 'yes' ? 'green' : v.startsWith('no') ? 'red' : undefined),
    },
    {
      header: 'CONTACT',
      show: 'wide',
      cell: (c, now) => (c.health?.lastContact ? formatAge(c.health.lastContact, now) : '-'),
    },
    { header: 'AGE', cell: (c, now) => formatAge(c.registeredAt, now) },
    { header: 'ENDPOINT', show: 'wide', cell: (c) => c.endpoint },
    { header: 'CREDENTIALS', show: 'wide', cell: (c) => c.credentials.kind },
    {
      header: 'WINDOWS',
      show: 'wide',
      cell: (c) =>
        c.windows?.length ? c.windows.map((w) => `${w.cron} ${w.durationMinutes}m`).join('; ') : '-',
    },
    { header: 'ERROR', show: 'wide', cell: (c) => c.health?.error ?? '-' },
  ],
};

/** `strata get rollouts`. */
export const ROLLOUTS: TableSpec<RolloutView> = {
  sortKey: (r) => [r.id],
  columns: [
    { header: 'ID', cell: (r) => r.id },
    { header: 'TRACK', cell: (r) => r.track },
    { header: 'STATUS', cell: (r) => r.status, style: stateStyle },
    {
      header: 'WAVE',
      cell: (r) => {
        const p = r.progress;
        if (!p || p.waves.length === 0) return '-';
        const wave = `${Math.min(p.wave + 1, p.waves.length)}/${p.waves.length}`;
        const name = p.waves[p.wave]?.name;
        return name ? `${wave} ${name}` : wave;
      },
    },
    {
      header: 'CLUSTERS',
      cell: (r) =>
        r.progress
          ? `${r.progress.completed.length}/${r.progress.waves.reduce((n, w) => n + w.clusters.length, 0)}`
          : '-',
    },
    { header: 'AGE', cell: (r, now) => formatAge(r.createdAt, now) },
    { header: 'IMAGE', show: 'wide', cell: (r) => `${r.image.host}/${r.image.repository}@${r.image.digest}` },
    { header: 'CAUSE', show: 'wide', cell: (r) => r.cause },
    { header: 'REASON', show: 'wide', cell: (r) => r.progress?.failureReason ?? '-' },
  ],
};

/** `strata get nodes` (read live from the clusters). */
export const NODES: TableSpec<NodeView> = {
  sortKey: (n) => [n.clusterId, n.name],
  columns: [
    { header: 'CLUSTER', cell: (n) => n.clusterId },
    { header: 'NAME', cell: (n) => n.name },
    { header: 'POOL', show: 'wide', cell: (n) => n.pool ?? '-' },
    {
      header: 'STATUS',
      cell: (n) =>
        [n.ready ? 'Ready' : 'NotReady', ...(n.unschedulable ? ['SchedulingDisabled'] : [])].join(','),
      style: statesStyle,
    },
    { header: 'STATE', cell: (n) => n.state ?? '-', style: stateStyle },
    { header: 'CONFIG', cell: (n) => n.currentConfig ?? '-' },
    { header: 'DESIRED', show: 'wide', cell: (n) => n.desiredConfig ?? '-' },
    { header: 'IMAGE', show: 'wide', cell: (n) => n.currentImage ?? '-' },
    { header: 'ZONE', show: 'wide', cell: (n) => n.zone ?? '-' },
    { header: 'AGE', show: 'wide', cell: (n, now) => formatAge(n.createdAt, now) },
    { header: 'REASON', show: 'wide', cell: (n) => n.reason || '-' },
  ],
};

function selector(s: Track['targets']['clusterSelector']): string {
  const parts = [
    ...Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(s.matchExpressions ?? []).map(
      (e) => `${e.key} ${e.operator}${e.values ? ` (${e.values.join(',')})` : ''}`,
    ),
  ];
  return parts.length === 0 ? '(all)' : parts.join(',');
}

/**
 * Every wave a rollout of the track forms, in order: the strategy's, then `rest` (the clusters no wave took;
 * functions/core/rollout/waves.ts) unless a last `percent: 100` wave leaves none.
 */
export function waveNames(strategy: Track['strategy']): string[] {
  const names = strategy.waves.map((w) => w.name);
  const last = strategy.waves.at(-1);
  const takesAll = last !== undefined && 'percent' in last && last.percent >= 100;
  return takesAll ? names : [...names, 'rest'];
}

/** A track as `GET /v1/tracks` lists it: the track and what its last update check found. */
export type TrackItem = Track & { check?: TrackCheckView };

/** `strata get tracks`: the track, then what the update check last found (functions/core/checks). */
export const TRACKS: TableSpec<TrackItem> = {
  sortKey: (t) => [t.name],
  columns: [
    { header: 'NAME', cell: (t) => t.name },
    { header: 'IMAGE', cell: (t) => `${t.image.host}/${t.image.repository}:${t.image.tag}` },
    { header: 'CLUSTERS', cell: (t) => selector(t.targets.clusterSelector) },
    { header: 'POOLS', cell: (t) => t.targets.pools.join(',') },
    { header: 'WAVES', cell: (t) => waveNames(t.strategy).join(',') },
    { header: 'MAXCONCURRENT', show: 'wide', cell: (t) => String(t.strategy.maxConcurrentClusters) },
    { header: 'SOAK', show: 'wide', cell: (t) => `${t.strategy.soakSeconds}s` },
    {
      header: 'BUDGETS',
      show: 'wide',
      cell: (t) => `pool ${t.strategy.poolFailureBudget}, fleet ${t.strategy.fleetFailureBudget}`,
    },
    { header: 'ONFAILURE', show: 'wide', cell: (t) => t.strategy.onFailure },
    { header: 'DIGEST', cell: (t, now) => trackCheckCells(t.check, now).DIGEST },
    {
      header: 'CHECKED',
      cell: (t, now) => trackCheckCells(t.check, now).CHECKED,
      style: (c) => (c.endsWith('(failed)') ? 'red' : undefined),
    },
    {
      header: 'STALE-BASE',
      cell: (t, now) => trackCheckCells(t.check, now)['STALE-BASE'],
      style: (c) => (c.startsWith('yes') ? 'yellow' : undefined),
    },
    { header: 'BASE', show: 'wide', cell: (t, now) => trackCheckCells(t.check, now).BASE },
    { header: 'LATEST-BASE', show: 'wide', cell: (t, now) => trackCheckCells(t.check, now)['LATEST-BASE'] },
    { header: 'CHECK-ERROR', show: 'wide', cell: (t, now) => trackCheckCells(t.check, now)['CHECK-ERROR'] },
  ],
};

/** `strata get drift`: one row per finding. */
export const DRIFT: TableSpec<DriftView> = {
  sortKey: (f) => [f.clusterId, f.pool, f.subject, f.kind],
  columns: [
    { header: 'CLUSTER', cell: (f) => f.clusterId },
    { header: 'POOL', cell: (f) => f.pool },
    { header: 'KIND', cell: (f) => f.kind },
    { header: 'SUBJECT', cell: (f) => f.subject },
    { header: 'EXPECTED', show: 'wide', cell: (f) => f.expected ?? '-' },
    { header: 'ACTUAL', cell: (f) => f.actual ?? '-' },
    { header: 'SINCE', cell: (f, now) => formatAge(f.since, now) },
    { header: 'CAUSE', show: 'wide', cell: (f) => f.cause },
  ],
};

/** The kinds `strata get` lists, each with its table. */
/** A build state as MachineOSBuild's columns show it: `True` when the build is in it. */
const stateColumn = (state: BuildRecord['status'], header: string, show?: 'wide') => ({
  header,
  ...(show ? { show } : {}),
  cell: (b: BuildRecord) =>
    b.awaitingApproval && state === 'Prepared' ? 'Approval' : String(b.status === state ? 'True' : 'False'),
});

/** `strata get builds`: `oc get machineosbuilds` columns, then the base, revision, digest and age. */
export const BUILDS: TableSpec<BuildRecord> = {
  sortKey: (b) => [b.track, b.createdAt, b.id],
  columns: [
    { header: 'NAME', cell: (b) => b.id },
    stateColumn('Prepared', 'PREPARED'),
    stateColumn('Building', 'BUILDING'),
    stateColumn('Succeeded', 'SUCCEEDED'),
    stateColumn('Interrupted', 'INTERRUPTED'),
    stateColumn('Failed', 'FAILED'),
    { header: 'BASE', cell: (b) => b.release },
    { header: 'REVISION', cell: (b) => b.revision },
    { header: 'DIGEST', cell: (b) => (b.digest ? b.digest.slice(0, 'sha256:'.length + 12) : '-') },
    { header: 'AGE', cell: (b, now) => formatAge(b.createdAt, now) },
    { header: 'TRACK', show: 'wide', cell: (b) => b.track },
    { header: 'ATTEMPTS', show: 'wide', cell: (b) => `${b.attempts}/${b.maxAttempts}` },
    {
      header: 'BASE IMAGE',
      show: 'wide',
      cell: (b) => `${b.base.host}/${b.base.repository}@${b.base.digest}`,
    },
    { header: 'IMAGE', show: 'wide', cell: (b) => `${b.target.host}/${b.target.repository}:${b.target.tag}` },
  ],
};

export const TABLES = {
  clusters: CLUSTERS as TableSpec<unknown>,
  pools: POOLS as TableSpec<unknown>,
  rollouts: ROLLOUTS as TableSpec<unknown>,
  nodes: NODES as TableSpec<unknown>,
  tracks: TRACKS as TableSpec<unknown>,
  drift: DRIFT as TableSpec<unknown>,
  builds: BUILDS as TableSpec<unknown>,
} satisfies Record<string, TableSpec<unknown>>;

/** A kind `strata get` lists. */
export type Kind = keyof typeof TABLES;
