/**
 * `strata track apply -f FILE` (create or update every track in a track file) and `strata track delete
 * NAME`. The file is validated here first, so errors name the file, the track and the field.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseTrackFile, TrackDefinitionError } from '../../functions/core/tracks/index.ts';
import { CliError, EXIT_USAGE } from './cli-error.ts';
import { type ConnectionOptions, clientFor, withConnection } from './client/index.ts';
import type { RegisterCommand } from './index.ts';

export const registerTrack: RegisterCommand = (program: Command) => {
  const track = program.command('track').description('Apply or delete image tracks');
  withConnection(
    track
      .command('apply')
      .description('Create or update the tracks of a YAML track file (docs/ingress.md)')
      .option('-f, --file <file>', 'track file (one track per document, or a tracks: list); - for stdin'),
  ).action(async (options: ConnectionOptions & { file?: string }) => {
    if (!options.file) throw new CliError('track apply: -f FILE is required', EXIT_USAGE);
    let text: string;
    try {
      text = readFileSync(options.file === '-' ? 0 : options.file, 'utf8');
    } catch (error) {
      throw new CliError(`${options.file}: cannot read: ${(error as Error).message}`);
    }
    let tracks: ReturnType<typeof parseTrackFile>;
    try {
      tracks = parseTrackFile(text, options.file);
    } catch (error) {
      if (error instanceof TrackDefinitionError) throw new CliError(error.message);
      throw error;
    }
    if (tracks.length === 0) throw new CliError(`${options.file}: no tracks in the file`);
    const client = clientFor(options);
    for (const t of tracks) {
      const body = { ...t, image: `${t.image.host}/${t.image.repository}:${t.image.tag}` };
      const out = await client.put<{ changed: boolean; created?: boolean; version: number }>(
        `/tracks/${encodeURIComponent(t.name)}`,
        body,
      );
      const what = !out.changed ? 'unchanged' : out.created ? 'created' : 'configured';
      process.stdout.write(`track/${t.name} ${what}\n`);
    }
  });
  withConnection(track.command('delete').description('Delete a track').argument('<name>')).action(
    async (name: string, options: ConnectionOptions) => {
      await clientFor(options).delete(`/tracks/${encodeURIComponent(name)}`);
      process.stdout.write(`track/${name} deleted\n`);
    },
  );
};
