/** `strata track apply -f FILE` · `strata track delete NAME` (bin/actions/track.ts). */
import { lazy, type RegisterCommand, withConnection } from './options.ts';

export const registerTrack: RegisterCommand = (program) => {
  const track = program.command('track').description('Apply or delete image tracks');
  withConnection(
    track
      .command('apply')
      .description('Create or update the tracks of a YAML track file (docs/ingress.md)')
      .option('-f, --file <file>', 'track file (one track per document, or a tracks: list); - for stdin'),
  ).action(lazy(() => import('../actions/track.ts'), 'applyTracks'));
  withConnection(track.command('delete').description('Delete a track').argument('<name>')).action(
    lazy(() => import('../actions/track.ts'), 'deleteTrack'),
  );
};
