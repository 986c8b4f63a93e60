/** `strata describe rollout|pool|node|cluster|track|build NAME` (bin/actions/describe.ts). */
import { completeArgument, lazy, type RegisterCommand, withConnection, withOutput } from './options.ts';

/** The kinds `describe` takes (it also takes the plurals, and `mcp`). */
export const DESCRIBE_KINDS = ['rollout', 'pool', 'node', 'cluster', 'track', 'build'];

export const registerDescribe: RegisterCommand = (program) => {
  withOutput(
    withConnection(
      completeArgument(program.command('describe'), DESCRIBE_KINDS)
        .description(
          'Describe a rollout, pool, node, cluster, track or build: its state, why it is blocked, recent events',
        )
        .argument('<kind>', DESCRIBE_KINDS.join(' | '))
        .argument(
          '<name>',
          'rollout id, track, cluster, build, or pool / node as CLUSTER/NAME (or NAME with --cluster)',
        )
        .option('--cluster <id>', 'the cluster of a pool or node named without one'),
    ),
    ['table', 'json', 'yaml'],
  ).action(lazy(() => import('../actions/describe.ts'), 'describe'));
};
