/** `strata prune [--dry-run] [--keep N] [--track NAME]`: delete old builds' images (bin/actions/prune.ts). */
import { lazy, type RegisterCommand, withConnection, withOutput } from './options.ts';

export const registerPrune: RegisterCommand = (program) => {
  withOutput(
    withConnection(
      program
        .command('prune')
        .description(
          "Delete old builds' images from the registry: per track all but the newest N revisions, never an image a pool runs",
        )
        .option('--dry-run', 'list what would be deleted; change nothing')
        .option('--keep <n>', 'revisions kept per track (default 3)')
        .option('--track <name>', "only this track's builds"),
    ),
    ['table', 'json', 'yaml'],
  ).action(lazy(() => import('../actions/prune.ts'), 'prune'));
};
