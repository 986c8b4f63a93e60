/** `strata get KIND`: tables of a running Strata's resources (bin/actions/get.ts). */
import { lazy, type RegisterCommand, withConnection, withOutput } from './options.ts';

export const registerGet: RegisterCommand = (program) => {
  withOutput(
    withConnection(
      program
        .command('get')
        .description('List clusters, pools, rollouts, nodes, tracks or drift of a running Strata')
        .argument('<kind>', 'clusters | pools | rollouts | nodes | tracks | drift')
        .option('--cluster <id>', 'pools and nodes of this cluster only')
        .option('--pool <name>', 'pools and nodes of this pool only')
        .option('--track <name>', 'rollouts of this track only'),
    ),
  ).action(lazy(() => import('../actions/get.ts'), 'get'));
};
