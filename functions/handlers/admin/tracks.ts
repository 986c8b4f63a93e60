/** `GET /v1/tracks` (with each one's last check), `POST`, `PUT /v1/tracks/{name}` and `DELETE`. */
import { AdminRequestError, tracksWithChecks } from '../../core/admin/index.ts';
import { retryOnConflict } from '../../core/retry.ts';
import { NotFoundError } from '../../core/rollout/index.ts';
import { parseTrack } from '../../core/tracks/index.ts';
import type { Resource } from './resource.ts';

/** Creates or replaces a track; an unchanged one is left as it is. */
const apply: Resource = async (deps, req) => {
  const track = parseTrack(req.body(), 'request body');
  if (req.id !== undefined && track.name !== req.id) {
    throw new AdminRequestError('body.name', `"${track.name}" does not match the path's track "${req.id}"`);
  }
  const { tracks } = deps.stores;
  const saved = await retryOnConflict(`track ${track.name}`, async () => {
    const existing = await tracks.getTrack(track.name);
    if (existing && JSON.stringify(existing.track) === JSON.stringify(track)) {
      return { track, version: existing.version, changed: false };
    }
    const written = await tracks.saveTrack(track, existing?.version);
    return { track: written.track, version: written.version, changed: true, created: !existing };
  });
  return [200, saved];
};

export const trackRoutes: Record<string, Resource> = {
  'GET tracks': async ({ stores }) => {
    const [tracks, checks] = await Promise.all([stores.tracks.listTracks(), stores.checks.listTrackChecks()]);
    return [200, { items: tracksWithChecks(tracks, checks) }];
  },
  'POST tracks': apply,
  'PUT tracks/:id': apply,
  'DELETE tracks/:id': async (deps, req) => {
    if (!(await deps.stores.tracks.deleteTrack(req.id!)))
      throw new NotFoundError(`track ${req.id}: not found`);
    return [200, { deleted: req.id }];
  },
};
