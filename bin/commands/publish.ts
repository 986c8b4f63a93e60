/** `strata publish IMAGE` (bin/actions/publish.ts). */
import { lazy, type RegisterCommand, withConnection } from './options.ts';

export const registerPublish: RegisterCommand = (program) => {
  withConnection(
    program
      .command('publish')
      .description(
        'Announce a pushed image (as a registry webhook would) so that tracks following it roll it out',
      )
      .argument('<image>', 'host/repo:tag or host/repo:tag@sha256:…')
      .option('--digest <digest>', 'the digest the tag points at (sha256:…)'),
  ).action(lazy(() => import('../actions/publish.ts'), 'publish'));
};
