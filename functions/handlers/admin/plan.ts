/**
 * `POST /v1/plan`: a dry run of a rollout of an image pinned by digest. Waves, per pool the rendered name
 * or MCO's refusal (rendered as the planner renders: core/rollout/pool-render.ts), and the node order;
 * nothing is written, no registry is asked. Without an image: a build track's image per cluster.
 */
import { planBuilds } from '../../adapters/builder/plan.ts';
import { readDryRunCluster } from '../../adapters/cluster/render-target.ts';
import {
  type DryRunClusterInput,
  dryRunTrack,
  PlanSchema,
  parseRequest,
  requestedPinnedImage,
} from '../../core/admin/index.ts';
import { rolloutId, type Track } from '../../core/model.ts';
import { NotFoundError, rolloutFleet } from '../../core/rollout/index.ts';
import type { Resource } from './resource.ts';

const plan: Resource = async (deps, req) => {
  const request = parseRequest(PlanSchema, req.body(), 'body');
  if (!request.image) return [200, { builds: await planBuilds(deps.stores, request.track) }];
  const image = requestedPinnedImage(request.image, request.digest);
  const { digest, pinned } = image;
  let tracks: Track[];
  if (request.track) {
    const stored = await deps.stores.tracks.getTrack(request.track);
    if (!stored) throw new NotFoundError(`track ${request.track}: not found`);
    tracks = [stored.track];
  } else {
    tracks = await deps.stores.tracks.findTracksForImage(image);
    if (tracks.length === 0)
      throw new NotFoundError(`no track follows ${image.host}/${image.repository}:${image.tag}`);
  }
  const clusters = await deps.stores.clusters.listClusters();
  const read = new Map<string, Promise<DryRunClusterInput>>();
  const results = [];
  for (const track of tracks) {
    const inputs = rolloutFleet(track, clusters).map((c) => {
      const key = `${c.id}|${track.targets.pools.join(',')}`;
      if (!read.has(key)) read.set(key, readDryRunCluster(deps.clusters, c, track.targets.pools, pinned));
      return read.get(key)!;
    });
    const planned = dryRunTrack(track, pinned, await Promise.all(inputs));
    results.push({ ...planned, rolloutId: rolloutId(track.name, digest) });
  }
  return [200, { image: pinned, tracks: results }];
};

export const planRoutes: Record<string, Resource> = { 'POST plan': plan };
