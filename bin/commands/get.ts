/** `strata get KIND [NAME]`: tables of a running Strata's resources (bin/actions/get.ts). */
import { completeArgument, lazy, type RegisterCommand, withConnection, withOutput } from './options.ts';
import { withWatch } from './watch.ts';

/** The kinds `get` lists (it also takes the singular, and `mcp`). */
export const KIND_NAMES = ['clusters', 'pools', 'rollouts', 'nodes', 'tracks', 'drift', 'builds'];

export const registerGet: RegisterCommand = (program) => {
  withWatch(
    withOutput(
      withConnection(
        completeArgument(program.command('get'), KIND_NAMES)
          .description(
            'List clusters, pools, rollouts, nodes, tracks, drift or builds of a running Strata, or show one',
          )
          .argument('<kind>', 'clusters | pools | rollouts | nodes | tracks | drift | builds')
          .argument(
            '[name]',
            'one object: a cluster, pool or node (CLUSTER/NAME), rollout id, track or build',
          )
          .option('--cluster <id>', 'pools and nodes of this cluster only')
          .option('--pool <name>', 'pools and nodes of this pool only')
          .option('--track <name>', 'rollouts or builds of this track only'),
      ),
    ),
  ).action(lazy(() => import('../actions/get.ts'), 'get'));
};
