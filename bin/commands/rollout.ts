/** `strata rollout pause|resume|abort|rollback ID`: manual controls of a rollout. */
import type { Command } from 'commander';
import type { RolloutRecord } from '../../functions/core/model.ts';
import { type ConnectionOptions, clientFor, withConnection } from './client/index.ts';
import type { RegisterCommand } from './index.ts';

const ACTIONS = {
  pause: 'stop starting nodes (nodes in flight finish)',
  resume: 'continue a paused or halted rollout',
  abort: 'stop the rollout for good (nodes in flight finish; nothing is rolled back)',
  rollback: 'move the touched pools back to their previous config, with the same pacing',
} as const;

export const registerRollout: RegisterCommand = (program: Command) => {
  const rollout = program.command('rollout').description('Pause, resume, abort or roll back a rollout');
  for (const [action, description] of Object.entries(ACTIONS)) {
    withConnection(rollout.command(action).description(description).argument('<id>', 'rollout id')).action(
      async (id: string, options: ConnectionOptions) => {
        const out = await clientFor(options).post<{ rollout: RolloutRecord }>(
          `/rollouts/${encodeURIComponent(id)}/${action}`,
        );
        process.stdout.write(`rollout ${out.rollout.id}: ${out.rollout.status}\n`);
      },
    );
  }
};
