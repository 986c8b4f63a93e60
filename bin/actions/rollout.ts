/** `strata rollout pause|resume|abort|rollback ID`: manual controls of a rollout. */
import type { Command } from 'commander';
import type { RolloutRecord } from '../../functions/core/model.ts';
import { type ConnectionOptions, clientFor } from '../client/index.ts';

/** Runs the control named by the subcommand (`pause`, `resume`, `abort` or `rollback`). */
export async function rollout(id: string, options: ConnectionOptions, command: Command): Promise<void> {
  const out = await clientFor(options).post<{ rollout: RolloutRecord }>(
    `/rollouts/${encodeURIComponent(id)}/${command.name()}`,
  );
  process.stdout.write(`rollout ${out.rollout.id}: ${out.rollout.status}\n`);
}
