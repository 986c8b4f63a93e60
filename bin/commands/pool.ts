/** `strata pool release|pause|resume CLUSTER/POOL` (bin/actions/pool.ts). */
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
  withConnection(
    pool
      .command('pause')
      .description(
        'Hold one pool: no node of it starts until it is resumed (nodes in flight finish); on an OpenShift (mco) cluster the MachineConfigPool is paused, annotated as Strata’s',
      )
      .argument('<cluster/pool>', 'the pool, e.g. prod-us-east/worker'),
  ).action(lazy(() => import('../actions/pool.ts'), 'pausePool'));
  withConnection(
    pool
      .command('resume')
      .description(
        'Lift the hold `strata pool pause` set; the MachineConfigPool is unpaused only where Strata paused it',
      )
      .argument('<cluster/pool>', 'the pool, e.g. prod-us-east/worker'),
  ).action(lazy(() => import('../actions/pool.ts'), 'resumePool'));
};
