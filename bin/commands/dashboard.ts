/** `strata dashboard`: the web dashboard's address, or a signing proxy for a deployed Strata (bin/actions/dashboard.ts). */
import { lazy, type RegisterCommand, withConnection } from './options.ts';

export const registerDashboard: RegisterCommand = (program) => {
  withConnection(
    program
      .command('dashboard')
      .description(
        'Open the web dashboard: the local admin address, or a signing proxy for a deployed Strata (--aws-region)',
      )
      .option('--port <n>', 'with --aws-region: port of the proxy on 127.0.0.1 (0: a free one)', '0')
      .option('--open', 'open the dashboard in the desktop browser'),
  ).action(lazy(() => import('../actions/dashboard.ts'), 'dashboard'));
};
