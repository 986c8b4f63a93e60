/**
 * `strata pool release|pause|resume CLUSTER/POOL`: the admin API's `POST /v1/clusters/{id}/release`,
 * `…/pause` and `…/resume` with `{ pool }`.
 */
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { type ConnectionOptions, clientFor } from '../client/index.ts';

interface Released {
  released: string;
  deletedMachineConfig: string | null;
  restoredMaxUnavailable?: number | string | null;
  unpaused: boolean;
}

/** `cluster/pool` split (usage error naming the argument otherwise). */
export function poolRef(ref: string, command = 'release'): { cluster: string; pool: string } {
  const [cluster, pool, ...rest] = ref.split('/');
  if (!cluster || !pool || rest.length > 0) {
    throw new CliError(`pool ${command} ${ref}: expected CLUSTER/POOL, e.g. prod-us-east/worker`, EXIT_USAGE);
  }
  return { cluster, pool };
}

/** `strata pool release CLUSTER/POOL`. */
export async function releasePool(ref: string, options: ConnectionOptions): Promise<void> {
  const { cluster, pool } = poolRef(ref);
  const out = await clientFor(options).post<Released>(`/clusters/${encodeURIComponent(cluster)}/release`, {
    pool,
  });
  const done = [
    out.deletedMachineConfig
      ? `deleted MachineConfig ${out.deletedMachineConfig}`
      : 'no image layer to delete',
    ...('restoredMaxUnavailable' in out
      ? [`maxUnavailable restored to ${out.restoredMaxUnavailable ?? 'unset'}`]
      : []),
    ...(out.unpaused ? ['Strata’s pause lifted'] : []),
  ];
  process.stdout.write(`pool/${out.released} released: ${done.join('; ')}\n`);
}

interface Controlled {
  pool: { clusterId: string; pool: string; paused?: { by: string; at: string } };
  changed: boolean;
}

async function control(action: 'pause' | 'resume', ref: string, options: ConnectionOptions) {
  const { cluster, pool } = poolRef(ref, action);
  return clientFor(options).post<Controlled>(`/clusters/${encodeURIComponent(cluster)}/${action}`, { pool });
}

/** `strata pool pause CLUSTER/POOL`. */
export async function pausePool(ref: string, options: ConnectionOptions): Promise<void> {
  const out = await control('pause', ref, options);
  const name = `pool/${out.pool.clusterId}/${out.pool.pool}`;
  const since = out.pool.paused ? ` (by ${out.pool.paused.by} at ${out.pool.paused.at})` : '';
  process.stdout.write(
    out.changed
      ? `${name} paused: no node of it starts until \`strata pool resume\`; nodes in flight finish\n`
      : `${name} already paused${since}\n`,
  );
}

/** `strata pool resume CLUSTER/POOL`. */
export async function resumePool(ref: string, options: ConnectionOptions): Promise<void> {
  const out = await control('resume', ref, options);
  const name = `pool/${out.pool.clusterId}/${out.pool.pool}`;
  process.stdout.write(out.changed ? `${name} resumed\n` : `${name} was not paused\n`);
}
