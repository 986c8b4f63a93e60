/**
 * Which builds pruning may delete: per track all but the newest `keep` revisions' builds, except any build
 * whose image a pool runs, targets or would roll back to (a node may still need to pull it). Pure: the
 * caller deletes the builds' images from the registry and marks the build items pruned.
 */
import type { PoolRecord } from '../rollout/pool-state.ts';
import type { BuildRecord } from './build.ts';

/** Revisions kept per track by default. */
export const DEFAULT_KEEP = 3;

/** A build pruning would delete, and what it would remove. */
export interface PruneCandidate {
  build: BuildRecord;
  /** `host/repository:tag` to delete (null when the build pushed nothing). */
  tag: string | null;
}

const imageOf = (b: BuildRecord) => (b.digest ? `${b.target.host}/${b.target.repository}@${b.digest}` : null);

/**
 * The builds to prune: of each track, the builds of every revision but the newest `keep` (by the newest
 * build of each revision), unless `inUse` (pinned image references `host/repository@digest` that pools run,
 * target or keep for rollback) holds the build's image. Builds already pruned are not candidates again, and
 * neither is a build sharing its image with a kept build: a registry deletes a manifest by digest, which
 * would take the kept build's tag with it.
 */
export function pruneCandidates(
  builds: readonly BuildRecord[],
  inUse: ReadonlySet<string>,
  keep = DEFAULT_KEEP,
): PruneCandidate[] {
  const byTrack = new Map<string, BuildRecord[]>();
  for (const b of builds) byTrack.set(b.track, [...(byTrack.get(b.track) ?? []), b]);
  const out: PruneCandidate[] = [];
  for (const trackBuilds of byTrack.values()) {
    const newest = new Map<string, string>();
    for (const b of trackBuilds)
      if ((newest.get(b.revision) ?? '') < b.createdAt) newest.set(b.revision, b.createdAt);
    const kept = new Set(
      [...newest.entries()]
        .sort(([, a], [, b]) => (a < b ? 1 : a > b ? -1 : 0))
        .slice(0, keep)
        .map(([revision]) => revision),
    );
    const keptImages = new Set(trackBuilds.filter((b) => kept.has(b.revision)).map(imageOf));
    for (const b of trackBuilds) {
      if (kept.has(b.revision) || b.prunedAt) continue;
      const image = imageOf(b);
      if (image && (inUse.has(image) || keptImages.has(image))) continue;
      out.push({
        build: b,
        tag: b.digest ? `${b.target.host}/${b.target.repository}:${b.target.tag}` : null,
      });
    }
  }
  return out.sort((a, b) => (a.build.id < b.build.id ? -1 : 1));
}

/** The pinned images pools run, target or keep for rollback (what pruning never deletes). */
export function imagesInUse(pools: readonly PoolRecord[]): Set<string> {
  const images = new Set<string>();
  for (const p of pools)
    for (const t of [p.target, p.rollbackTo, p.lastCompleted]) if (t?.image) images.add(t.image);
  return images;
}

/** The build with its image deleted from the registry. */
export function markPruned(build: BuildRecord, now: string): BuildRecord {
  return { ...build, prunedAt: now, updatedAt: now };
}
