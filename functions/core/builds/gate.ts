/**
 * The compatibility gate: a rollout of built images gives each cluster the image built on that cluster's
 * base, and refuses (with the reason) a cluster whose base matches no successful build: it is never given
 * an image built on another release. The rollout waits until every build of its matrix is settled.
 */
import { createHash } from 'node:crypto';
import type { PinnedImage, RolloutRecord, Track } from '../model.ts';
import { rolloutId } from '../model.ts';
import { type BuildRecord, isSettled } from './build.ts';
import type { BuildMatrix, ClusterRefusal } from './matrix.ts';

/** What a track's builds give its clusters. */
export interface ReleaseSet {
  revision: string;
  /** Per cluster, the image built on its base. */
  images: Record<string, PinnedImage>;
  /** Clusters given nothing, and why. */
  refused: ClusterRefusal[];
  /** Builds of the matrix not settled yet (missing, Prepared, Building, or with attempts left). */
  unsettled: string[];
}

/** Matches the matrix's clusters to its builds (by id; each cluster takes its architecture, by default the first). */
export function releaseSet(
  matrix: BuildMatrix,
  builds: readonly BuildRecord[],
  archOf: (clusterId: string) => string | undefined = () => undefined,
): ReleaseSet {
  const byId = new Map(builds.map((b) => [b.id, b]));
  const images: Record<string, PinnedImage> = {};
  const refused = [...matrix.refused];
  const unsettled: string[] = [];
  const defaultArch = matrix.entries[0]?.arch;
  for (const entry of matrix.entries) {
    const build = byId.get(entry.buildId);
    if (!build || !isSettled(build)) unsettled.push(entry.buildId);
  }
  const clusters = new Set(matrix.entries.flatMap((e) => e.clusters));
  for (const clusterId of [...clusters].sort()) {
    const arch = archOf(clusterId) ?? defaultArch;
    const entry = matrix.entries.find((e) => e.clusters.includes(clusterId) && e.arch === arch);
    if (!entry) {
      refused.push({ clusterId, reason: `no build for architecture ${arch}` });
      continue;
    }
    const build = byId.get(entry.buildId);
    if (!build || !isSettled(build)) continue;
    if (build.status === 'Succeeded' && build.digest) {
      images[clusterId] = {
        host: build.target.host,
        repository: build.target.repository,
        digest: build.digest,
      };
    } else {
      refused.push({
        clusterId,
        reason: `build ${build.id} ${build.status}: ${build.error ?? 'no reason given'}`,
      });
    }
  }
  refused.sort((a, b) => (a.clusterId < b.clusterId ? -1 : 1));
  return { revision: matrix.revision, images, refused, unsettled };
}

/** A digest naming the whole set (cluster → image): one rollout per distinct set. */
export function releaseSetDigest(set: Pick<ReleaseSet, 'images'>): string {
  const pairs = Object.entries(set.images)
    .map(([c, i]) => `${c}=${i.host}/${i.repository}@${i.digest}`)
    .sort();
  return `sha256:${createHash('sha256').update(pairs.join('\n')).digest('hex')}`;
}

/**
 * The rollout of a settled release set, or null when it waits (builds unsettled) or has nothing to give
 * (every cluster refused: nothing rolls out). Its `image` is the first cluster's, for display; each
 * cluster's pools get `images[cluster]`.
 */
export function rolloutForBuilds(
  track: Track,
  set: ReleaseSet,
  cause: string,
  createdAt: string,
): RolloutRecord | null {
  if (set.unsettled.length > 0) return null;
  const clusters = Object.keys(set.images).sort();
  if (clusters.length === 0) return null;
  return {
    id: rolloutId(track.name, releaseSetDigest(set)),
    track: track.name,
    image: set.images[clusters[0]!]!,
    images: set.images,
    refused: set.refused,
    strategy: track.strategy,
    targets: track.targets,
    status: 'Pending',
    cause,
    createdAt,
    version: 1,
  };
}

/** The image a rollout gives cluster `clusterId`: its own build's, or the rollout's one image. */
export function imageForCluster(
  rollout: Pick<RolloutRecord, 'image' | 'images'>,
  clusterId: string,
): PinnedImage | null {
  if (!rollout.images) return rollout.image;
  return rollout.images[clusterId] ?? null;
}
