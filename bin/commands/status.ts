/** `strata status`: one screen of rollouts in flight, troubled pools and clusters, stale tracks (bin/actions/status.ts). */
import { lazy, type RegisterCommand, withConnection, withOutput } from './options.ts';
import { withWatch } from './watch.ts';

export const registerStatus: RegisterCommand = (program) => {
  withWatch(
    withOutput(
      withConnection(
        program
          .command('status')
          .description(
            'Rollouts in flight (progress per wave), halted or stalled pools, unreachable clusters, stale tracks',
          ),
      ),
      ['table', 'json', 'yaml'],
    ),
  ).action(lazy(() => import('../actions/status.ts'), 'status'));
};
