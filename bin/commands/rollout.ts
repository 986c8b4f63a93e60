/** `strata rollout pause|resume|abort|rollback ID` (bin/actions/rollout.ts). */
import { lazy, type RegisterCommand, withConnection } from './options.ts';

/** The manual controls and what each does. */
export const ROLLOUT_ACTIONS = {
  pause: 'stop starting nodes (nodes in flight finish)',
  resume: 'continue a paused or halted rollout',
  abort: 'stop the rollout for good (nodes in flight finish; nothing is rolled back)',
  rollback: 'move the touched pools back to their previous config, with the same pacing',
} as const;

export const registerRollout: RegisterCommand = (program) => {
  const rollout = program.command('rollout').description('Pause, resume, abort or roll back a rollout');
  for (const [action, description] of Object.entries(ROLLOUT_ACTIONS)) {
    withConnection(rollout.command(action).description(description).argument('<id>', 'rollout id')).action(
      lazy(() => import('../actions/rollout.ts'), 'rollout'),
    );
  }
};
