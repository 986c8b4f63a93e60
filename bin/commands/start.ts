/** `strata start` (`npm start`): Strata on this machine, with a simulated fleet and the demo (bin/actions/start.ts). */
import { DEFAULT_PORT } from '../client/admin-client.ts';
import { lazy, type RegisterCommand } from './options.ts';

export const registerStart: RegisterCommand = (program) => {
  program
    .command('start')
    .description(
      'Run Strata on this machine: control plane, admin API and a simulated fleet with a demo rollout',
    )
    .option('--scenario <file>', 'simulated fleet scenario (default: sim/scenarios/openshift.yaml)')
    .option('--config <file>', 'real clusters (kubeconfig contexts), registries and tracks (YAML)')
    .option('--port <n>', 'admin API and webhook port (0: a free one)', String(DEFAULT_PORT))
    .option(
      '--host <address>',
      'address to listen on; any but loopback (e.g. 0.0.0.0) requires the access token on every admin request',
      '127.0.0.1',
    )
    .option('--require-token', 'require the access token on loopback too (see docs/security.md)')
    .option(
      '--allow-host <name>',
      'also answer to this Host name (e.g. the DNS name of this machine); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--data-dir <dir>', 'keep the table in this directory across restarts (default: in memory)')
    .option(
      '--build-interval <seconds>',
      'build tracks with a build definition this often (buildah, as root)',
    )
    .option('--time-scale <n>', 'simulated time runs N times faster than wall time (default 100)')
    .option('--timeline <file>', "append the simulator's node transitions to this JSONL file")
    .option('--kubeconfig-out <file>', 'write a kubeconfig for the simulated clusters (kubectl)')
    .option('--no-demo', 'do not run the demo rollout')
    .option(
      '--exit-when-done',
      'exit when the demo rollout ends: 0 if it completed without invariant violations',
    )
    .action(lazy(() => import('../actions/start.ts'), 'start'));
};
