/** `POST /v1/checks` (run the update check now: `{track?}`) and `GET /v1/drift?cluster=`. */
import { AdminHttpError, driftAnswer, requestedCheckTrack } from '../../core/admin/index.ts';
import { NotFoundError } from '../../core/rollout/index.ts';
import type { Resource } from './resource.ts';

const run: Resource = async ({ checks, stores }, req) => {
  if (!checks) throw new AdminHttpError(501, 'this Strata runs no update checks (no check queue configured)');
  const track = requestedCheckTrack(req.body());
  if (track !== undefined && !(await stores.tracks.getTrack(track)))
    throw new NotFoundError(`track ${track}: not found`);
  const { cycle, tracks, clusters } = await checks.run(track !== undefined ? { tracks: [track] } : undefined);
  return [202, { cycle, tracks, clusters }];
};

export const checkRoutes: Record<string, Resource> = {
  'POST checks': run,
  'GET drift': async ({ stores }, req) => [
    200,
    driftAnswer(await stores.checks.listClusterDrift(), req.query.cluster),
  ],
};
