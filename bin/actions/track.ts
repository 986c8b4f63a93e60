/**
 * `strata track apply -f FILE` (create or update every track in a track file) and `strata track delete
 * NAME`. The file is validated here first, so errors name the file, the track and the field. What `strata
 * get tracks [NAME] -o yaml|json` prints is a valid file: its `{kind: tracks, items}` list and the
 * read-only `check` of each track (what the update check found) are taken as such.
 */
import { readFileSync } from 'node:fs';
import { text as readText } from 'node:stream/consumers';
import { parseAllDocuments, stringify } from 'yaml';
import { parseTrackFile, TrackDefinitionError } from '../../functions/core/tracks/index.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { type ConnectionOptions, clientFor } from '../client/index.ts';

/** Fields the admin API adds to a track it lists: state, not definition. */
const READ_ONLY = ['check'];

/**
 * The track file with `get`'s output shapes made plain: a `{kind: tracks, items}` document becomes a
 * `tracks:` list and read-only fields are dropped. Text with a YAML error is returned as it is, for the
 * parser to report.
 */
export function plainTrackFile(text: string): string {
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  if (list.some((d) => d.errors.length > 0)) return text;
  const strip = (item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
    return Object.fromEntries(Object.entries(item).filter(([key]) => !READ_ONLY.includes(key)));
  };
  return list
    .map((doc) => {
      const value: unknown = doc.toJS();
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return stringify(value);
      const v = value as Record<string, unknown>;
      if (v.kind === 'tracks' && Array.isArray(v.items)) return stringify({ tracks: v.items.map(strip) });
      if (Array.isArray(v.tracks)) return stringify({ ...v, tracks: v.tracks.map(strip) });
      return stringify(strip(v));
    })
    .join('---\n');
}

/** `strata track apply -f FILE`. */
export async function applyTracks(options: ConnectionOptions & { file?: string }): Promise<void> {
  if (!options.file) throw new CliError('track apply: -f FILE is required', EXIT_USAGE);
  let text: string;
  try {
    // stdin read as a stream: a synchronous read of a pipe fails (EAGAIN) while the writer is not done.
    text = options.file === '-' ? await readText(process.stdin) : readFileSync(options.file, 'utf8');
  } catch (error) {
    throw new CliError(`${options.file}: cannot read: ${(error as Error).message}`);
  }
  let tracks: ReturnType<typeof parseTrackFile>;
  try {
    tracks = parseTrackFile(plainTrackFile(text), options.file);
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
