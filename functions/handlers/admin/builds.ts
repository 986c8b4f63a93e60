/** `GET /v1/builds?track=`, `GET /v1/builds/{id}`, `POST /v1/builds/{id}/approve` (a rebuild awaiting approval), `POST /v1/prune`. */
import { pruneBuilds } from '../../adapters/builder/prune.ts';
import { approveBuild } from '../../core/builds/index.ts';
import { NotFoundError } from '../../core/rollout/index.ts';
import type { Resource } from './resource.ts';

const one: Resource = async ({ stores }, req) => {
  const build = await stores.builds.getBuild(req.id!);
  if (!build) throw new NotFoundError(`build ${req.id}: not found`);
  if (req.action === undefined) return [200, build];
  const approved = approveBuild(build, req.now.toISOString());
  return [200, await stores.builds.putBuildIfVersion(approved, build.version)];
};

export const buildRoutes: Record<string, Resource> = {
  'GET builds': async ({ stores: { builds } }, { query: { track } }) => [
    200,
    { items: await (track ? builds.listBuildsByTrack(track) : builds.listBuilds()) },
  ],
  'GET builds/:id': one,
  'POST builds/:id/:action': async (deps, req) => {
    if (req.action !== 'approve') throw new NotFoundError(`no such action: builds/${req.id}/${req.action}`);
    return one(deps, req);
  },
  'POST prune': async (deps, req) => [200, await pruneBuilds(deps, req.body(), req.now)],
};
