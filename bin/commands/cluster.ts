/** `strata cluster add|remove` (bin/actions/cluster.ts). */
import { lazy, type RegisterCommand, withConnection } from './options.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

export const registerCluster: RegisterCommand = (program) => {
  const cluster = program.command('cluster').description('Register or unregister clusters');
  withConnection(
    cluster
      .command('add')
      .description('Register a cluster and its pools')
      .option('--name <id>', 'cluster id (lower-case letters, digits, - and .)')
      .option('--kubeconfig <file>', 'take endpoint, CA and credentials from this kubeconfig')
      .option('--context <name>', 'the kubeconfig context (default: its current context)')
      .option('--server <url>', 'API server URL (with --token-file, --ca-file)')
      .option('--token-file <file>', 'file holding a bearer token')
      .option('--secret-name <name>', 'a token already stored under this name (Secrets Manager on AWS)')
      .option('--ca-file <file>', "PEM file of the API server's CA")
      .option('--label <k=v>', 'a cluster label (wave selectors); repeatable', collect, [])
      .option('--pool <name>', 'a pool to manage (default worker); repeatable', collect, [])
      .option('--driver <driver>', 'mco or agent (default: detected: mco where MCO runs)')
      .option(
        '--no-verify',
        "register without first checking the cluster's API (reachability, credentials, API groups)",
      ),
  ).action(lazy(() => import('../actions/cluster.ts'), 'addCluster'));
  withConnection(cluster.command('remove').description('Unregister a cluster').argument('<id>')).action(
    lazy(() => import('../actions/cluster.ts'), 'removeCluster'),
  );
};
