/**
 * `strata plan --track NAME` of a build track (`POST /v1/plan` with no image): which image each target
 * cluster gets, from the recorded builds of the track's current revision (core/builds/placement.ts).
 */
import { AdminRequestError } from '../../core/admin/index.ts';
import * as builds from '../../core/builds/index.ts';
import { NotFoundError } from '../../core/rollout/index.ts';
import { rolloutFleet } from '../../core/rollout/pool-targets.ts';
import type { Stores } from '../../core/stores.ts';

/** The build plan of a track. */
export interface BuildPlan {
  track: string;
  revision: string;
  repository: string;
  clusters: builds.ClusterPlacement[];
}

/**
 * The build plan of track `name`.
 * @throws AdminRequestError without a track or for a track with no build definition; NotFoundError
 */
export async function planBuilds(
  stores: Pick<Stores, 'tracks' | 'clusters' | 'builds'>,
  name: string | undefined,
): Promise<BuildPlan> {
  if (!name) throw new AdminRequestError('body.image', 'required (or name a build track in body.track)');
  const stored = await stores.tracks.getTrack(name);
  if (!stored) throw new NotFoundError(`track ${name}: not found`);
  const def = stored.track.build;
  if (!def)
    throw new AdminRequestError('body.image', `required: track ${name} has no build definition to plan`);
  const fleet = rolloutFleet({ targets: stored.track.targets }, await stores.clusters.listClusters());
  const revision = builds.buildRevision(def);
  const recorded = await stores.builds.listBuildsByTrack(name);
  return {
    track: name,
    revision,
    repository: `${def.repository.host}/${def.repository.repository}`,
    clusters: builds.buildPlacement(
      def,
      revision,
      fleet.map((c) => c.id),
      recorded,
    ),
  };
}
