/**
 * Where a build track's images go, for `strata plan --track NAME`: per target cluster, the newest build of
 * the current revision that is for it (the first architecture's), and what the cluster gets from it: the
 * pinned image of a Succeeded build, nothing yet (not built, building, awaiting approval), or a refusal with
 * the reason (the build failed with no attempt left). Read from the recorded builds: the next build pass
 * reads the clusters' bases again, so a cluster that upgraded since shows its old base's build until then.
 */
import { type BuildRecord, type BuildStatus, isSettled } from './build.ts';
import type { BuildDefinition } from './definition.ts';

/** What one cluster gets from a build track. */
export interface ClusterPlacement {
  clusterId: string;
  /** The build for it, or null when no build of the current revision names it yet. */
  buildId: string | null;
  status: BuildStatus | null;
  release: string | null;
  /** The base the build is FROM (`host/repository@digest`). */
  base: string | null;
  /** The pinned image the cluster is given (Succeeded builds only). */
  image: string | null;
  /** Why the cluster has no image: pending (not built, building, awaiting approval) or refused (failed). */
  pending: string | null;
  refused: string | null;
}

/** Each of `clusters` (the track's target clusters) with its build of `revision` (see the module comment). */
export function buildPlacement(
  def: BuildDefinition,
  revision: string,
  clusters: readonly string[],
  builds: readonly BuildRecord[],
): ClusterPlacement[] {
  const arch = def.architectures[0];
  const current = builds
    .filter((b) => b.revision === revision && b.arch === arch && !b.prunedAt)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  return [...clusters].sort().map((clusterId) => {
    const b = current.find((x) => x.clusters.includes(clusterId));
    if (!b)
      return {
        clusterId,
        buildId: null,
        status: null,
        release: null,
        base: null,
        image: null,
        pending: 'no build yet: the next build pass reads its base',
        refused: null,
      };
    const base = `${b.base.host}/${b.base.repository}@${b.base.digest}`;
    const image =
      b.status === 'Succeeded' && b.digest ? `${b.target.host}/${b.target.repository}@${b.digest}` : null;
    const failed = !image && isSettled(b);
    const pending = image || failed ? null : b.awaitingApproval ? 'awaiting approval' : `build ${b.status}`;
    return {
      clusterId,
      buildId: b.id,
      status: b.status,
      release: b.release,
      base,
      image,
      pending,
      refused: failed
        ? `build ${b.status} after ${b.attempts} attempt(s): ${b.error ?? 'no reason recorded'}`
        : null,
    };
  });
}
