/**
 * `strata get KIND [NAME] [-o table|wide|json|yaml]`: resources of a running Strata through the admin API.
 * Tables follow kubectl; `get KIND NAME` shows one object (`-o json|yaml`: the object itself).
 *
 * Fetching and formatting are separate steps so that a watch can repeat them.
 */
import type { RolloutDescription } from '../../functions/core/admin/index.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { AdminApiError, type AdminClient, type ConnectionOptions, clientFor } from '../client/index.ts';
import type { OutputFormat } from '../commands/options.ts';
import { renderData } from '../views/output.ts';
import { type Kind, TABLES } from '../views/resources.ts';
import { naturally } from '../views/sort.ts';
import { formatTable } from '../views/table.ts';
import { showOrWatch, type WatchFlags } from './watch.ts';

/** Every spelling of a kind `get` accepts. */
const KINDS: Record<string, Kind> = {
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
  drift: 'drift',
  builds: 'builds',
  build: 'builds',
  mosb: 'builds',
};

/** One object of a kind, as errors name it. */
const SINGULAR: Record<Kind, string> = {
  clusters: 'cluster',
  pools: 'pool',
  rollouts: 'rollout',
  nodes: 'node',
  tracks: 'track',
  drift: 'drift finding',
  builds: 'build',
};

/** Filters of `get`. */
export interface GetFilter {
  cluster?: string;
  pool?: string;
  track?: string;
}

interface GetOptions extends ConnectionOptions, GetFilter, WatchFlags {
  output: OutputFormat;
}

/** What one fetch found: the items, and the clusters that could not be read (nodes, drift). */
export interface Fetched {
  items: unknown[];
  errors: { cluster: string; error: string }[];
}

/** The kind named on the command line (a usage error naming the kinds otherwise). */
export function kindOf(arg: string): Kind {
  const kind = KINDS[arg];
  if (!kind) {
    throw new CliError(
      `get ${arg}: unknown kind (clusters, pools, rollouts, nodes, tracks, drift, builds)`,
      EXIT_USAGE,
    );
  }
  return kind;
}

/** Fetches one kind's items, filtered as the API allows. */
export async function fetchItems(client: AdminClient, kind: Kind, filter: GetFilter = {}): Promise<Fetched> {
  const query =
    kind === 'pools' || kind === 'nodes'
      ? { cluster: filter.cluster, pool: filter.pool }
      : kind === 'rollouts' || kind === 'builds'
        ? { track: filter.track }
        : kind === 'drift'
          ? { cluster: filter.cluster }
          : {};
  const out = await client.get<{ items: unknown[]; errors?: Fetched['errors'] }>(`/${kind}`, query);
  return { items: out.items, errors: out.errors ?? [] };
}

/**
 * Fetches the one object `name` names. Rollouts have their own route (`GET /v1/rollouts/{id}`); the API
 * serves no single clusters, pools, nodes or tracks yet, so those are found in the (filtered) list.
 * Pools and nodes are named `CLUSTER/NAME`, or `NAME` with `--cluster` or when one cluster has it.
 * @throws CliError (exit 1) when nothing or more than one object has that name.
 */
export async function fetchOne(
  client: AdminClient,
  kind: Kind,
  name: string,
  filter: GetFilter = {},
): Promise<Fetched> {
  const what = `${SINGULAR[kind]} "${name}"`;
  if (kind === 'drift')
    throw new CliError('get drift NAME: drift findings have no names; use --cluster', EXIT_USAGE);
  try {
    if (kind === 'rollouts') {
      const d = await client.get<RolloutDescription>(`/rollouts/${encodeURIComponent(name)}`);
      return { items: [d.rollout], errors: [] };
    }
    if (kind === 'builds')
      return { items: [await client.get(`/builds/${encodeURIComponent(name)}`)], errors: [] };
    if (kind === 'pools' || kind === 'nodes') {
      const slash = name.indexOf('/');
      const cluster = slash > 0 ? name.slice(0, slash) : filter.cluster;
      const short = slash > 0 ? name.slice(slash + 1) : name;
      const fetched = await fetchItems(
        client,
        kind,
        kind === 'pools' ? { cluster, pool: short } : { cluster, pool: filter.pool },
      );
      const items = fetched.items.filter((i) =>
        kind === 'pools' ? true : (i as { name: string }).name === short,
      );
      if (items.length > 1) {
        const where = naturally(items.map((i) => `${(i as { clusterId: string }).clusterId}/${short}`)).join(
          ', ',
        );
        throw new CliError(
          `${what} is in several clusters (${where}): name one as CLUSTER/${short} or with --cluster`,
        );
      }
      if (items.length === 0) {
        const unread =
          fetched.errors.length > 0
            ? ` (unreadable: ${fetched.errors.map((e) => e.cluster).join(', ')})`
            : '';
        throw new CliError(`${what} not found${unread}`);
      }
      return { items, errors: [] };
    }
    const fetched = await fetchItems(client, kind, filter);
    const key = kind === 'clusters' ? 'id' : 'name';
    const items = fetched.items.filter((i) => (i as Record<string, unknown>)[key] === name);
    if (items.length === 0) throw new CliError(`${what} not found`);
    return { items, errors: [] };
  } catch (error) {
    // The API's 404s (an unknown rollout, or pools of an unregistered cluster) are the same answer.
    if (error instanceof AdminApiError && error.status === 404) {
      throw new CliError(
        kind === 'rollouts' || kind === 'builds' ? `${what} not found` : `${what} not found: ${error.detail}`,
      );
    }
    throw error;
  }
}

/** `items` in `format`: a table, `{kind, items}`, or with `one` the object itself. */
export async function formatItems(
  kind: Kind,
  items: unknown[],
  format: OutputFormat,
  options: { one?: boolean; now?: Date } = {},
): Promise<string> {
  if (format === 'json' || format === 'yaml') {
    return renderData(format, options.one ? items[0] : { kind, items });
  }
  if (kind === 'drift' && items.length === 0) return 'No drift found.';
  return formatTable(TABLES[kind], items, {
    wide: format === 'wide',
    ...(options.now ? { now: options.now } : {}),
  });
}

/** `strata get KIND [NAME] [-w]`. */
export async function get(kindArg: string, name: string | undefined, options: GetOptions): Promise<void> {
  const kind = kindOf(kindArg);
  const client = clientFor(options);
  let failed = false;
  let reported = '';
  await showOrWatch(async () => {
    const { items, errors } =
      name === undefined
        ? await fetchItems(client, kind, options)
        : await fetchOne(client, kind, name, options);
    // Unreadable clusters on stderr, once per change while watching.
    const report = errors.map((e) => `strata: cluster ${e.cluster}: ${e.error}\n`).join('');
    if (report !== reported) process.stderr.write(report);
    reported = report;
    failed ||= errors.length > 0;
    const text = await formatItems(kind, items, options.output, { one: name !== undefined });
    return { key: JSON.stringify([items, errors]), text };
  }, options);
  if (failed) process.exitCode = 1;
}
