/** Matching a resolved push to the tracks that follow its image. */
import { taggedReference } from '../ingress/reference.ts';
import type { ImagePushed, PinnedImage, RolloutRecord, Track } from '../model.ts';
import { rolloutId } from '../model.ts';

/** The key a track is found by for a push: canonical `host/repository:tag`. */
export function followedImageKey(image: { host: string; repository: string; tag: string }): string {
  return taggedReference(image);
}

/** The tracks (of `tracks`) that follow the pushed `host/repository:tag`. */
export function tracksFollowing(
  tracks: readonly Track[],
  push: Pick<ImagePushed, 'host' | 'repository' | 'tag'>,
): Track[] {
  const key = followedImageKey(push);
  return tracks.filter((track) => followedImageKey(track.image) === key);
}

/**
 * The rollout a push of `image` starts for `track`: status `Pending`, a snapshot of the track's strategy
 * and targets. Its id is `rolloutId(track, digest)` unless {@link rolloutForTagAt} chose another.
 */
export function rolloutForPush(
  track: Track,
  image: PinnedImage,
  cause: string,
  createdAt: string,
  id: string = rolloutId(track.name, image.digest),
): RolloutRecord {
  return {
    id,
    track: track.name,
    image,
    strategy: track.strategy,
    targets: track.targets,
    status: 'Pending',
    cause,
    createdAt,
    version: 1,
  };
}

/** De-duplication key of a resolved push: (host, repository, tag, digest). */
export function pushKey(image: PinnedImage & { tag: string }): string {
  return `${followedImageKey(image)}@${image.digest}`;
}

/** What image-push did with one push. */
export type ImagePushOutcome =
  | { outcome: 'invalid'; reason: string }
  | { outcome: 'tag-not-found'; reason: string }
  | { outcome: 'duplicate'; digest: string }
  | { outcome: 'processed'; digest: string; tracks: string[]; created: string[] };

/** What a push means for one track, given the track's rollouts so far (see {@link rolloutForTagAt}). */
export type PushDecision =
  /** The track's newest rollout is of this digest already: nothing to start (a repeated push). */
  | { kind: 'current'; id: string }
  /** The tag moved back to a digest the fleet already runs (what moved it away changed no node). */
  | { kind: 'already-running'; id: string }
  /** Start this rollout; `movedBackFrom` when it rolls out an earlier digest again. */
  | { kind: 'start'; record: RolloutRecord; movedBackFrom?: string };

/** Statuses after which a rollout left the fleet as it found it, if it never activated a cluster. */
const LEFT_NOTHING: readonly string[] = ['Aborted', 'Superseded', 'RolledBack', 'Pending'];

function changedNothing(r: RolloutRecord): boolean {
  return r.status === 'RolledBack' || (LEFT_NOTHING.includes(r.status) && !r.progress?.activated.length);
}

/**
 * Whether the tag followed by `track` now pointing at `image` starts a rollout, and under which id. Rollout
 * ids are `rolloutId(track, digest)` (12 hex digits, as operators and the CLI expect) for a digest's first
 * rollout; an id already used by another digest of the track (a shared 12-digit prefix) or by an earlier
 * rollout of the same digest (the tag moved back) gets the first free suffix `-2`, `-3`, …, so no two
 * rollouts share an id and none is mistaken for another's. A tag moved back to an earlier digest is rolled
 * out again (cause `…; tag moved back from <digest>`) unless the fleet already runs it: its last rollout
 * completed and every rollout since changed no node.
 * @param earlier the track's rollouts so far, any order.
 */
export function rolloutForTagAt(
  track: Track,
  image: PinnedImage,
  cause: string,
  createdAt: string,
  earlier: readonly RolloutRecord[],
): PushDecision {
  const ordered = [...earlier].sort((a, b) =>
    a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt),
  );
  const newest = ordered.at(-1);
  if (newest?.image.digest === image.digest) return { kind: 'current', id: newest.id };
  const lastOfDigest = ordered.findLast((r) => r.image.digest === image.digest);
  if (lastOfDigest?.status === 'Completed') {
    const since = ordered.slice(ordered.indexOf(lastOfDigest) + 1);
    if (since.every(changedNothing)) return { kind: 'already-running', id: lastOfDigest.id };
  }
  const taken = new Set(ordered.map((r) => r.id));
  const base = rolloutId(track.name, image.digest);
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  if (lastOfDigest === undefined)
    return { kind: 'start', record: rolloutForPush(track, image, cause, createdAt, id) };
  const from = newest!.image.digest;
  const movedCause = `${cause}; tag moved back from ${from} (earlier rollout ${lastOfDigest.id})`;
  return {
    kind: 'start',
    record: rolloutForPush(track, image, movedCause, createdAt, id),
    movedBackFrom: from,
  };
}
