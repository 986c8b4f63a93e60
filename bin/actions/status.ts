/** `strata status [-w]`: the status screen (bin/views/status.ts) from the admin API's answers. */
import type {
  NodeView,
  PoolView,
  RolloutDescription,
  RolloutView,
} from '../../functions/core/admin/index.ts';
import { isTerminal } from '../../functions/core/rollout/lifecycle.ts';
import { type AdminClient, type ConnectionOptions, clientFor } from '../client/index.ts';
import type { OutputFormat } from '../commands/options.ts';
import { renderData } from '../views/output.ts';
import type { TrackItem } from '../views/resources.ts';
import { formatStatus, type StatusData } from '../views/status.ts';
import { fetchItems } from './get.ts';
import { showOrWatch, type WatchFlags } from './watch.ts';

/** Reads everything the status screen shows. */
export async function fetchStatus(client: AdminClient): Promise<StatusData> {
  const [rollouts, pools, nodes, tracks] = await Promise.all([
    fetchItems(client, 'rollouts'),
    fetchItems(client, 'pools'),
    fetchItems(client, 'nodes'),
    fetchItems(client, 'tracks'),
  ]);
  const live = (rollouts.items as RolloutView[]).filter((r) => !isTerminal(r.status));
  const described = await Promise.all(
    live.map((r) => client.get<RolloutDescription>(`/rollouts/${encodeURIComponent(r.id)}`)),
  );
  const nodeCounts: Record<string, number> = {};
  for (const n of nodes.items as NodeView[]) {
    if (n.pool) nodeCounts[`${n.clusterId}/${n.pool}`] = (nodeCounts[`${n.clusterId}/${n.pool}`] ?? 0) + 1;
  }
  return {
    nodeCounts,
    rollouts: described,
    pools: pools.items as PoolView[],
    unreachable: nodes.errors,
    tracks: tracks.items as TrackItem[],
  };
}

/** `strata status`. */
export async function status(
  options: ConnectionOptions & WatchFlags & { output: OutputFormat },
): Promise<void> {
  const client = clientFor(options);
  const tty = process.stdout.isTTY === true;
  await showOrWatch(async () => {
    const data = await fetchStatus(client);
    // A change is a change of state, not of time: the seconds a soak has left are not one.
    const key = JSON.stringify(data).replace(/\d+s of soakSeconds/g, 's of soakSeconds');
    const format = options.output;
    const text =
      format === 'json' || format === 'yaml' ? await renderData(format, data) : formatStatus(data, { tty });
    return { key, text };
  }, options);
}
