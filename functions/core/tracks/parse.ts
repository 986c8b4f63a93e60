/**
 * Track files: YAML, one track per document (`---` separated), or a `tracks:` list in one document.
 */
import { parseAllDocuments } from 'yaml';
import type { Track } from '../model.ts';
import { TrackDefinitionError } from './errors.ts';
import { TrackSchema } from './schema.ts';

/**
 * Validates one track object.
 * @param file where it came from (file name, `admin API`), named in errors.
 * @throws TrackDefinitionError naming the file, the track and the field.
 */
export function parseTrack(value: unknown, file: string, where = 'track'): Track {
  const result = TrackSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = (value as { name?: unknown } | null)?.name;
  const label = typeof name === 'string' ? `track "${name}"` : where;
  throw new TrackDefinitionError(file, label, formatPath(issue.path), issue.message);
}

/**
 * Parses a YAML track file.
 * @throws TrackDefinitionError on YAML errors, invalid tracks, or a name used twice.
 */
export function parseTrackFile(text: string, file: string): Track[] {
  const tracks: Track[] = [];
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  list.forEach((doc, index) => {
    const where = `document ${index + 1}`;
    if (doc.errors.length > 0) throw new TrackDefinitionError(file, where, '', doc.errors[0]!.message);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const items =
      typeof value === 'object' && !Array.isArray(value) && 'tracks' in value
        ? (value as { tracks: unknown }).tracks
        : [value];
    if (!Array.isArray(items)) throw new TrackDefinitionError(file, where, 'tracks', 'must be a list');
    items.forEach((item, i) => {
      tracks.push(parseTrack(item, file, items.length > 1 ? `${where}, tracks[${i}]` : where));
    });
  });
  const seen = new Set<string>();
  for (const track of tracks) {
    if (seen.has(track.name))
      throw new TrackDefinitionError(file, `track "${track.name}"`, 'name', 'defined twice');
    seen.add(track.name);
  }
  return tracks;
}

/** `strategy.waves[0].percent` from zod's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}
