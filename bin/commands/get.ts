/**
 * `strata get clusters|pools|rollouts|nodes|tracks [-o table|wide|json|yaml]`: lists resources of a running
 * Strata through the admin API. Tables follow kubectl (`pools` has the columns of `oc get mcp`).
 */
import type { Command } from 'commander';
import {
  type ClusterView,
  clusterRow,
  type NodeView,
  nodeRow,
  type PoolView,
  poolRow,
  type RolloutView,
  rolloutRow,
  TABLE_COLUMNS,
  type TableName,
  trackRow,
} from '../../functions/core/admin/index.ts';
import type { Track } from '../../functions/core/model.ts';
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
      return (items as Track[]).map(trackRow);
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
  const list = format === 'wide' ? [...columns.narrow, ...columns.wide] : [...columns.narrow];
  return renderTable(list, rowsOf(kind, items, now));
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
        .description('List clusters, pools, rollouts, nodes or tracks of a running Strata')
        .argument('<kind>', 'clusters | pools | rollouts | nodes | tracks')
        .option('--cluster <id>', 'pools and nodes of this cluster only')
        .option('--pool <name>', 'pools and nodes of this pool only')
        .option('--track <name>', 'rollouts of this track only'),
    ),
  ).action(async (kindArg: string, options: GetOptions) => {
    const kind = KINDS[kindArg];
    if (!kind) {
      throw new CliError(
        `get ${kindArg}: unknown kind (clusters, pools, rollouts, nodes, tracks)`,
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
