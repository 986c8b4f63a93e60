/**
 * The build matrix of a track: one build per (base digest, revision, architecture), where the bases are
 * the distinct base images the track's target clusters run. A cluster whose base cannot be read, or is not
 * of the Containerfile's base stream, gets no build and is refused with the reason.
 */
import { InvalidReferenceError, parseImageReference } from '../ingress/reference.ts';
import type { PinnedImage } from '../model.ts';
import { type Architecture, type BuildDefinition, baseStream } from './definition.ts';
import { buildRevision } from './revision.ts';

/** What a target cluster runs as its base (mco: ControllerConfig; agent clusters: the stream's tag resolved). */
export interface ClusterBase {
  clusterId: string;
  /** The pinned base reference (`host/repository@sha256:…`), or null when it could not be read. */
  base: string | null;
  /** The release the cluster runs (ClusterVersion), or null when it does not say. */
  release: string | null;
  /** Why the base could not be read (with `base: null`). */
  error?: string;
}

/** A cluster no build is for, and why. */
export interface ClusterRefusal {
  clusterId: string;
  reason: string;
}

/** One build of the matrix. */
export interface MatrixEntry {
  /** `<track>-<revision>-<base digest 12>-<arch>`: one per (track, revision, base, arch). */
  buildId: string;
  track: string;
  revision: string;
  arch: Architecture;
  /** What the tag calls the base: the clusters' release, or `base-<digest 12>` when they name none. */
  release: string;
  base: PinnedImage;
  /** Where the build is pushed: `repository:<release>-<revision>` (`-<arch>` when several). */
  target: { host: string; repository: string; tag: string };
  /** The clusters on this base, sorted. */
  clusters: string[];
}

/** The builds a track needs and the clusters it cannot serve. */
export interface BuildMatrix {
  revision: string;
  entries: MatrixEntry[];
  refused: ClusterRefusal[];
}

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/** A release as a tag component: tag characters only, at most 64. */
function tagSafe(release: string): string {
  return (
    release
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .replace(/^[.-]+/, '')
      .slice(0, 64) || 'release'
  );
}

/** The build matrix of track `track` with definition `def` over its target clusters' bases. */
export function buildMatrix(track: string, def: BuildDefinition, bases: readonly ClusterBase[]): BuildMatrix {
  const stream = baseStream(def);
  const revision = buildRevision(def);
  const refused: ClusterRefusal[] = [];
  const byDigest = new Map<string, { base: PinnedImage; clusters: string[]; releases: Set<string> }>();
  for (const c of bases) {
    if (c.base === null) {
      refused.push({
        clusterId: c.clusterId,
        reason: `base image unknown: ${c.error ?? 'the cluster does not say'}`,
      });
      continue;
    }
    let ref: ReturnType<typeof parseImageReference>;
    try {
      ref = parseImageReference(c.base);
    } catch (error) {
      if (!(error instanceof InvalidReferenceError)) throw error;
      refused.push({ clusterId: c.clusterId, reason: `base image unreadable: ${error.message}` });
      continue;
    }
    if (ref.digest === null) {
      refused.push({ clusterId: c.clusterId, reason: `base image ${c.base} is not pinned by digest` });
      continue;
    }
    if (ref.host !== stream.host || ref.repository !== stream.repository) {
      refused.push({
        clusterId: c.clusterId,
        reason: `base ${ref.host}/${ref.repository} is not the build's base stream ${stream.host}/${stream.repository}`,
      });
      continue;
    }
    const entry = byDigest.get(ref.digest) ?? {
      base: { host: ref.host, repository: ref.repository, digest: ref.digest },
      clusters: [],
      releases: new Set<string>(),
    };
    entry.clusters.push(c.clusterId);
    if (c.release) entry.releases.add(c.release);
    byDigest.set(ref.digest, entry);
  }
  const bases_ = [...byDigest.values()].sort((a, b) => (a.base.digest < b.base.digest ? -1 : 1));
  // A release names one base; two bases claiming one release (an override) keep their digest in the tag.
  const claims = new Map<string, number>();
  for (const b of bases_) for (const r of b.releases) claims.set(r, (claims.get(r) ?? 0) + 1);
  const entries = bases_.flatMap((b) => {
    const named = [...b.releases].sort()[0];
    const release =
      named === undefined
        ? `base-${short(b.base.digest)}`
        : claims.get(named)! > 1
          ? `${tagSafe(named)}-${short(b.base.digest)}`
          : tagSafe(named);
    return def.architectures.map(
      (arch): MatrixEntry => ({
        buildId: `${track}-${revision}-${short(b.base.digest)}-${arch}`,
        track,
        revision,
        arch,
        release,
        base: b.base,
        target: {
          ...def.repository,
          tag: `${release}-${revision}${def.architectures.length > 1 ? `-${arch}` : ''}`,
        },
        clusters: [...b.clusters].sort(),
      }),
    );
  });
  return { revision, entries, refused: refused.sort((a, b) => (a.clusterId < b.clusterId ? -1 : 1)) };
}
