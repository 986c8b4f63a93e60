/** `POST /v1/checks` (run the update check now: `{track?}`) and `GET /v1/drift?cluster=`. */
import { AdminHttpError, AdminRequestError, driftAnswer } from '../../core/admin/index.ts';
import { NotFoundError } from '../../core/rollout/index.ts';
import type { Resource } from './resource.ts';

const run: Resource = async (deps, req) => {
  if (!deps.checks)
    throw new AdminHttpError(501, 'this Strata runs no update checks (no check queue configured)');
  const track = (req.body() as { track?: unknown } | null)?.track;
  if (track !== undefined && (typeof track !== 'string' || track === '')) {
    throw new AdminRequestError('body.track', 'must be a track name');
  }
  if (track !== undefined && !(await deps.stores.tracks.getTrack(track))) {
    throw new NotFoundError(`track ${track}: not found`);
  }
  const { cycle, tracks, clusters } = await deps.checks.run(
    track !== undefined ? { tracks: [track] } : undefined,
  );
  return [202, { cycle, tracks, clusters }];
};

export const checkRoutes: Record<string, Resource> = {
  'POST checks': run,
  'GET drift': async (deps, req) => [
    200,
    driftAnswer(await deps.stores.checks.listClusterDrift(), req.query.cluster),
  ],
};
