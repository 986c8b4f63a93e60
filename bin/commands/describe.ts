/** `strata describe rollout ID` (bin/actions/describe.ts). */
import { completeArgument, lazy, type RegisterCommand, withConnection, withOutput } from './options.ts';

export const registerDescribe: RegisterCommand = (program) => {
  withOutput(
    withConnection(
      completeArgument(program.command('describe'), ['rollout'])
        .description('Describe a rollout: waves, clusters, pools, why it is blocked, events')
        .argument('<kind>', 'rollout')
        .argument('<id>', 'rollout id (strata get rollouts)'),
    ),
    ['table', 'json', 'yaml'],
  ).action(lazy(() => import('../actions/describe.ts'), 'describe'));
};
