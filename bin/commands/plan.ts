/** `strata plan IMAGE`: the dry run of a rollout; `strata plan --track NAME`: a build track's image per cluster (bin/actions/plan.ts). */
import { lazy, type RegisterCommand, withConnection, withOutput } from './options.ts';

export const registerPlan: RegisterCommand = (program) => {
  withOutput(
    withConnection(
      program
        .command('plan')
        .description(
          "Dry run: which clusters, pools and nodes an image would reach, in which order; without IMAGE, a build track's image per cluster",
        )
        .argument(
          '[image]',
          'host/repo:tag@sha256:… (or with --digest); omit it to plan a build track (--track)',
        )
        .option('--digest <digest>', 'the digest (sha256:…)')
        .option('--track <name>', 'only this track'),
    ),
    ['table', 'json', 'yaml'],
  ).action(lazy(() => import('../actions/plan.ts'), 'plan'));
};
