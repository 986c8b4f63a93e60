/**
 * `strata get clusters|pools|rollouts|nodes|tracks [-o table|wide|json|yaml]`: lists resources of a running
 * Strata through the admin API. Tables follow kubectl (`pools` has the columns of `oc get mcp`).
 */
import type { Command } from 'commander';
import type { ClusterView, NodeView, PoolView, RolloutView } from '../../functions/core/admin/index.ts';
import type { DriftView, TrackCheckView } from '../../functions/core/checks/index.ts';
import type { Track } from '../../functions/core/model.ts';
import { DRIFT_COLUMNS, driftRow, TRACK_CHECK_COLUMNS, trackCheckCells } from '../views/checks.ts';
import {
  clusterRow,
  nodeRow,
  poolRow,
  rolloutRow,
  TABLE_COLUMNS,
  type TableName,
  trackRow,
} from '../views/resources.ts';
import { CliError, EXIT_USAGE } from './cli-error.ts';
import { type AdminClient, type ConnectionOptions, clientFor, withConnection } from './client/index.ts';
import { type OutputFormat, outputFormat, renderData, renderTable, withOutput } from './client/output.ts';
import type { RegisterCommand } from './index.ts';

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
  output?: string;
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
export function formatItems(
  kind: TableName,
  items: unknown[],
  format: OutputFormat,
  now = new Date(),
): string {
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
export function formatDrift(items: DriftView[], format: OutputFormat, now = new Date()): string {
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

export const registerGet: RegisterCommand = (program: Command) => {
  withOutput(
    withConnection(
      program
        .command('get')
        .description('List clusters, pools, rollouts, nodes, tracks or drift of a running Strata')
        .argument('<kind>', 'clusters | pools | rollouts | nodes | tracks | drift')
        .option('--cluster <id>', 'pools and nodes of this cluster only')
        .option('--pool <name>', 'pools and nodes of this pool only')
        .option('--track <name>', 'rollouts of this track only'),
    ),
  ).action(async (kindArg: string, options: GetOptions) => {
    if (kindArg === 'drift') {
      const format = outputFormat(options.output);
      const out = await clientFor(options).get<{
        items: DriftView[];
        errors?: { cluster: string; error: string }[];
      }>('/drift', { cluster: options.cluster });
      process.stdout.write(`${formatDrift(out.items, format)}\n`);
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
    const format = outputFormat(options.output);
    const { items, errors } = await fetchItems(clientFor(options), kind, options);
    process.stdout.write(`${formatItems(kind, items, format)}\n`);
    for (const e of errors) process.stderr.write(`strata: cluster ${e.cluster}: ${e.error}\n`);
    if (errors.length > 0) process.exitCode = 1;
  });
};
