/** `strata pool release CLUSTER/POOL`: the admin API's `POST /v1/clusters/{id}/release`. */
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { type ConnectionOptions, clientFor } from '../client/index.ts';

interface Released {
  released: string;
  deletedMachineConfig: string | null;
  restoredMaxUnavailable?: number | string | null;
  unpaused: boolean;
}

/** `cluster/pool` split (usage error naming the argument otherwise). */
export function poolRef(ref: string): { cluster: string; pool: string } {
  const [cluster, pool, ...rest] = ref.split('/');
  if (!cluster || !pool || rest.length > 0) {
    throw new CliError(`pool release ${ref}: expected CLUSTER/POOL, e.g. prod-us-east/worker`, EXIT_USAGE);
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
