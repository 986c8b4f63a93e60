/**
 * The tables of `strata get clusters|pools|rollouts|nodes|tracks`: columns and one row per item, built from
 * what the admin API lists (functions/core/admin/views.ts has the item types).
 */
import type { ClusterView, NodeView, PoolView, RolloutView } from '../../functions/core/admin/index.ts';
import type { Track } from '../../functions/core/model.ts';
import type { PoolStatus } from '../../functions/core/rollout/pool-status.ts';
import { formatAge } from './age.ts';

/** One row of `strata get pools`, the columns of `oc get mcp` plus the cluster. */
export interface PoolRow {
  CLUSTER: string;
  NAME: string;
  CONFIG: string;
  UPDATED: string;
  UPDATING: string;
  DEGRADED: string;
  MACHINECOUNT: string;
  READYMACHINECOUNT: string;
  UPDATEDMACHINECOUNT: string;
  DEGRADEDMACHINECOUNT: string;
  AGE: string;
  /** Wide only. */
  ROLLOUT: string;
  HOLDS: string;
}

/** Columns of each table, in order; `wide` adds the rest. */
export const TABLE_COLUMNS = {
  pools: {
    narrow: [
      'CLUSTER',
      'NAME',
      'CONFIG',
      'UPDATED',
      'UPDATING',
      'DEGRADED',
      'MACHINECOUNT',
      'READYMACHINECOUNT',
      'UPDATEDMACHINECOUNT',
      'DEGRADEDMACHINECOUNT',
      'AGE',
    ],
    wide: ['ROLLOUT', 'HOLDS'],
  },
  clusters: { narrow: ['NAME', 'ENDPOINT', 'LABELS', 'POOLS', 'AGE'], wide: ['CREDENTIALS', 'WINDOWS'] },
  rollouts: {
    narrow: ['ID', 'TRACK', 'STATUS', 'WAVE', 'CLUSTERS', 'AGE'],
    wide: ['IMAGE', 'CAUSE', 'REASON'],
  },
  nodes: {
    narrow: ['CLUSTER', 'NAME', 'POOL', 'STATUS', 'STATE', 'CONFIG'],
    wide: ['DESIRED', 'IMAGE', 'ZONE', 'REASON'],
  },
  tracks: {
    narrow: ['NAME', 'IMAGE', 'CLUSTERS', 'POOLS', 'WAVES'],
    wide: ['MAXCONCURRENT', 'SOAK', 'BUDGETS', 'ONFAILURE'],
  },
} as const;

/** A table's name. */
export type TableName = keyof typeof TABLE_COLUMNS;

function condition(status: PoolStatus | null, type: string): string {
  const c = status?.conditions.find((x) => x.type === type);
  return c ? c.status : 'Unknown';
}

function count(status: PoolStatus | null, field: keyof Omit<PoolStatus, 'conditions'>): string {
  return status ? String(status[field]) : '-';
}

/** The `oc get mcp` row of a pool. Counts are `-` until a rollout first targets the pool. */
export function poolRow(pool: PoolView, now: Date): PoolRow {
  const config = pool.target?.config ?? pool.lastCompleted?.config ?? '-';
  return {
    CLUSTER: pool.clusterId,
    NAME: pool.pool,
    CONFIG: config,
    // Before its first status (a target just set) a targeted pool is updating; an untargeted one is on its baseline.
    UPDATED: pool.status
      ? condition(pool.status, 'Updated')
      : pool.target
        ? 'False'
        : pool.lastCompleted
          ? 'True'
          : 'Unknown',
    UPDATING: pool.status ? condition(pool.status, 'Updating') : pool.target ? 'True' : 'False',
    DEGRADED: pool.status ? condition(pool.status, 'Degraded') : 'False',
    MACHINECOUNT: count(pool.status, 'machineCount'),
    READYMACHINECOUNT: count(pool.status, 'readyMachineCount'),
    UPDATEDMACHINECOUNT: count(pool.status, 'updatedMachineCount'),
    DEGRADEDMACHINECOUNT: count(pool.status, 'degradedMachineCount'),
    AGE: formatAge(pool.registeredAt ?? pool.updatedAt, now),
    ROLLOUT: pool.target?.rolloutId ?? '-',
    HOLDS: pool.holds.length > 0 ? pool.holds.join(',') : '-',
  };
}

function labels(l: Record<string, string>): string {
  const entries = Object.entries(l);
  return entries.length === 0 ? '-' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/** The row of a cluster. */
export function clusterRow(c: ClusterView, now: Date): Record<string, string> {
  return {
    NAME: c.id,
    ENDPOINT: c.endpoint,
    LABELS: labels(c.labels),
    POOLS: c.pools.map((p) => p.name).join(','),
    AGE: formatAge(c.registeredAt, now),
    CREDENTIALS: c.credentials.kind,
    WINDOWS: c.windows?.length ? c.windows.map((w) => `${w.cron} ${w.durationMinutes}m`).join('; ') : '-',
  };
}

/** The row of a rollout. */
export function rolloutRow(r: RolloutView, now: Date): Record<string, string> {
  const p = r.progress;
  const wave = p && p.waves.length > 0 ? `${Math.min(p.wave + 1, p.waves.length)}/${p.waves.length}` : '-';
  const waveName = p?.waves[p.wave]?.name;
  const total = p ? p.waves.reduce((n, w) => n + w.clusters.length, 0) : 0;
  return {
    ID: r.id,
    TRACK: r.track,
    STATUS: r.status,
    WAVE: waveName ? `${wave} ${waveName}` : wave,
    CLUSTERS: p ? `${p.completed.length}/${total}` : '-',
    AGE: formatAge(r.createdAt, now),
    IMAGE: `${r.image.host}/${r.image.repository}@${r.image.digest}`,
    CAUSE: r.cause,
    REASON: p?.failureReason ?? '-',
  };
}

/** The row of a node. */
export function nodeRow(n: NodeView): Record<string, string> {
  const status = [n.ready ? 'Ready' : 'NotReady', ...(n.unschedulable ? ['SchedulingDisabled'] : [])];
  return {
    CLUSTER: n.clusterId,
    NAME: n.name,
    POOL: n.pool ?? '-',
    STATUS: status.join(','),
    STATE: n.state ?? '-',
    CONFIG: n.currentConfig ?? '-',
    DESIRED: n.desiredConfig ?? '-',
    IMAGE: n.currentImage ?? '-',
    ZONE: n.zone ?? '-',
    REASON: n.reason || '-',
  };
}

function selector(s: Track['targets']['clusterSelector']): string {
  const parts = [
    ...Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(s.matchExpressions ?? []).map(
      (e) => `${e.key} ${e.operator}${e.values ? ` (${e.values.join(',')})` : ''}`,
    ),
  ];
  return parts.length === 0 ? '(all)' : parts.join(',');
}

/** The row of a track. */
export function trackRow(t: Track): Record<string, string> {
  const s = t.strategy;
  return {
    NAME: t.name,
    IMAGE: `${t.image.host}/${t.image.repository}:${t.image.tag}`,
    CLUSTERS: selector(t.targets.clusterSelector),
    POOLS: t.targets.pools.join(','),
    WAVES: s.waves.length === 0 ? '(one)' : s.waves.map((w) => w.name).join(','),
    MAXCONCURRENT: String(s.maxConcurrentClusters),
    SOAK: `${s.soakSeconds}s`,
    BUDGETS: `pool ${s.poolFailureBudget}, fleet ${s.fleetFailureBudget}`,
    ONFAILURE: s.onFailure,
  };
}
