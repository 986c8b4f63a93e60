/**
 * `strata get clusters|pools|rollouts|nodes|tracks [-o table|wide|json|yaml]`: lists resources of a running
 * Strata through the admin API. Tables follow kubectl (`pools` has the columns of `oc get mcp`).
 */
import type { ClusterView, NodeView, PoolView, RolloutView } from '../../functions/core/admin/index.ts';
import type { DriftView, TrackCheckView } from '../../functions/core/checks/index.ts';
import type { Track } from '../../functions/core/model.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { type AdminClient, type ConnectionOptions, clientFor } from '../client/index.ts';
import type { OutputFormat } from '../commands/options.ts';
import { DRIFT_COLUMNS, driftRow, TRACK_CHECK_COLUMNS, trackCheckCells } from '../views/checks.ts';
import { renderData, renderTable } from '../views/output.ts';
import {
  clusterRow,
  nodeRow,
  poolRow,
  rolloutRow,
  TABLE_COLUMNS,
  type TableName,
  trackRow,
} from '../views/resources.ts';

const KINDS: Record<string, TableName> = {
  clusters: 'clusters',
  cluster: 'clusters',
  pools: 'pools',
  pool: 'pools',
  mcp: 'pools',
  rollouts: 'rollouts',
  rollout: 'rollouts',
  nodes: 'nodes',
  node: 'nodes',
  tracks: 'tracks',
  track: 'tracks',
};

interface GetOptions extends ConnectionOptions {
  output: OutputFormat;
  cluster?: string;
  pool?: string;
  track?: string;
}

/** Rows of one table from the API's items. */
export function rowsOf(kind: TableName, items: unknown[], now: Date): Record<string, string>[] {
  switch (kind) {
    case 'pools':
      return (items as PoolView[]).map((p) => ({ ...poolRow(p, now) }));
    case 'clusters':
      return (items as ClusterView[]).map((c) => clusterRow(c, now));
    case 'rollouts':
      return (items as RolloutView[]).map((r) => rolloutRow(r, now));
    case 'nodes':
      return (items as NodeView[]).map(nodeRow);
    case 'tracks':
      return (items as (Track & { check?: TrackCheckView })[]).map((t) => ({
        ...trackRow(t),
        ...trackCheckCells(t.check, now),
      }));
  }
}

/** Renders items in the chosen format. */
export async function formatItems(
  kind: TableName,
  items: unknown[],
  format: OutputFormat,
  now = new Date(),
): Promise<string> {
  if (format === 'json' || format === 'yaml') return renderData(format, { kind, items });
  const columns = TABLE_COLUMNS[kind];
  const list: string[] = format === 'wide' ? [...columns.narrow, ...columns.wide] : [...columns.narrow];
  // Tracks also show what the update check last found.
  if (kind === 'tracks') {
    list.push(...TRACK_CHECK_COLUMNS.narrow, ...(format === 'wide' ? TRACK_CHECK_COLUMNS.wide : []));
  }
  return renderTable(list, rowsOf(kind, items, now));
}

/** Renders drift findings (`strata get drift`). */
export async function formatDrift(
  items: DriftView[],
  format: OutputFormat,
  now = new Date(),
): Promise<string> {
  if (format === 'json' || format === 'yaml') return renderData(format, { kind: 'drift', items });
  const list = [...DRIFT_COLUMNS.narrow, ...(format === 'wide' ? DRIFT_COLUMNS.wide : [])];
  if (items.length === 0) return 'No drift found.';
  return renderTable(
    list,
    items.map((f) => driftRow(f, now)),
  );
}

/** Fetches one kind's items (and per-cluster errors for nodes). */
export async function fetchItems(
  client: AdminClient,
  kind: TableName,
  filter: { cluster?: string; pool?: string; track?: string } = {},
): Promise<{ items: unknown[]; errors: { cluster: string; error: string }[] }> {
  const query =
    kind === 'pools' || kind === 'nodes'
      ? { cluster: filter.cluster, pool: filter.pool }
      : kind === 'rollouts'
        ? { track: filter.track }
        : {};
  const out = await client.get<{ items: unknown[]; errors?: { cluster: string; error: string }[] }>(
    `/${kind}`,
    query,
  );
  return { items: out.items, errors: out.errors ?? [] };
}

/** `strata get KIND`. */
export async function get(kindArg: string, options: GetOptions): Promise<void> {
  const format = options.output;
  if (kindArg === 'drift') {
    const out = await clientFor(options).get<{
      items: DriftView[];
      errors?: { cluster: string; error: string }[];
    }>('/drift', { cluster: options.cluster });
    process.stdout.write(`${await formatDrift(out.items, format)}\n`);
    for (const e of out.errors ?? []) process.stderr.write(`strata: cluster ${e.cluster}: ${e.error}\n`);
    if ((out.errors ?? []).length > 0) process.exitCode = 1;
    return;
  }
  const kind = KINDS[kindArg];
  if (!kind) {
    throw new CliError(
      `get ${kindArg}: unknown kind (clusters, pools, rollouts, nodes, tracks, drift)`,
      EXIT_USAGE,
    );
  }
  const { items, errors } = await fetchItems(clientFor(options), kind, options);
  process.stdout.write(`${await formatItems(kind, items, format)}\n`);
  for (const e of errors) process.stderr.write(`strata: cluster ${e.cluster}: ${e.error}\n`);
  if (errors.length > 0) process.exitCode = 1;
}
