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
 * The rollout a push of `image` starts for `track`: deterministic id (one per track and digest),
 * status `Pending`, a snapshot of the track's strategy and targets.
 */
export function rolloutForPush(
  track: Track,
  image: PinnedImage,
  cause: string,
  createdAt: string,
): RolloutRecord {
  return {
    id: rolloutId(track.name, image.digest),
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
