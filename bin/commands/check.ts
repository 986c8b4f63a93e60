/** `strata check [TRACK] [--wait]`: the update check, now (bin/actions/check.ts). */
import { lazy, type RegisterCommand, withConnection } from './options.ts';

export const registerCheck: RegisterCommand = (program) => {
  withConnection(
    program
      .command('check')
      .description('Run the update check now: re-resolve tracked tags and bases, check drift')
      .argument('[track]', 'only this track (default: every track and every cluster)')
      .option('--wait', 'wait until the tracks were checked and print what was found')
      .option('--timeout <seconds>', 'how long --wait waits', '60'),
  ).action(lazy(() => import('../actions/check.ts'), 'check'));
};
