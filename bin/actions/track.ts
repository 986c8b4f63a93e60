/**
 * `strata track apply -f FILE` (create or update every track in a track file) and `strata track delete
 * NAME`. The file is validated here first, so errors name the file, the track and the field.
 */
import { readFileSync } from 'node:fs';
import { parseTrackFile, TrackDefinitionError } from '../../functions/core/tracks/index.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { type ConnectionOptions, clientFor } from '../client/index.ts';

/** `strata track apply -f FILE`. */
export async function applyTracks(options: ConnectionOptions & { file?: string }): Promise<void> {
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
}

/** `strata track delete NAME`. */
export async function deleteTrack(name: string, options: ConnectionOptions): Promise<void> {
  await clientFor(options).delete(`/tracks/${encodeURIComponent(name)}`);
  process.stdout.write(`track/${name} deleted\n`);
}
