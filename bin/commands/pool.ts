/** `strata pool release CLUSTER/POOL` (bin/actions/pool.ts). */
import { lazy, type RegisterCommand, withConnection } from './options.ts';

export const registerPool: RegisterCommand = (program) => {
  const pool = program.command('pool').description('Act on one pool');
  withConnection(
    pool
      .command('release')
      .description(
        'Give a pool of an OpenShift (mco) cluster back to its administrators: delete Strata’s image-layer MachineConfig, restore maxUnavailable, lift Strata’s pause',
      )
      .argument('<cluster/pool>', 'the pool, e.g. prod-us-east/worker'),
  ).action(lazy(() => import('../actions/pool.ts'), 'releasePool'));
};
