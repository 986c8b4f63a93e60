/**
 * Base-image staleness: whether a track's current image was built on an older digest of its base tag than
 * the one the tag points at now, since when, and by how many base digests.
 */
import type { BaseImage } from './base-image.ts';
import { baseKey } from './base-image.ts';

/** Most base digests remembered as missed (the count keeps going). */
export const MAX_MISSED_DIGESTS = 10;

/** A track's base-image status, as the last check left it. */
export interface BaseStatus {
  /** `host/repository:tag` of the base. */
  base: string;
  /** Digest of the track's image this status is about (a rebuilt image starts over). */
  imageDigest: string;
  /**
   * The base digest the image was built on: from `org.opencontainers.image.base.digest`, else the digest
   * the base tag had when this image was first checked (the build cannot have used a later one).
   */
  builtOnDigest: string;
  /** Whether `builtOnDigest` was recorded by the build (`annotation`) or assumed at first sight (`observed`). */
  builtOnFrom: 'image' | 'observed';
  /** What the base tag points at now. */
  latestDigest: string;
  stale: boolean;
  /** When a check first saw the base ahead of the image; null while current. */
  staleSince: string | null;
  /** Base digests published since the build, newest last (at most {@link MAX_MISSED_DIGESTS}). */
  missedDigests: string[];
  /** How many base digests the image is behind (may exceed `missedDigests.length`). */
  behind: number;
}

/**
 * The next base status of a track from its previous one, the image's base and what the base tag resolves
 * to now. Pure: same inputs, same result.
 */
export function assessBase(input: {
  previous: BaseStatus | null;
  imageDigest: string;
  base: BaseImage;
  latestDigest: string;
  now: string;
}): BaseStatus {
  const { base, imageDigest, latestDigest, now } = input;
  const key = baseKey(base);
  // A new image (rebuilt) or a different base starts over: nothing missed yet.
  const previous =
    input.previous !== null && input.previous.imageDigest === imageDigest && input.previous.base === key
      ? input.previous
      : null;
  const builtOnDigest = base.builtOnDigest ?? previous?.builtOnDigest ?? latestDigest;
  const builtOnFrom = base.builtOnDigest !== null ? 'image' : (previous?.builtOnFrom ?? 'observed');
  const stale = latestDigest !== builtOnDigest;
  if (!stale) {
    return {
      base: key,
      imageDigest,
      builtOnDigest,
      builtOnFrom,
      latestDigest,
      stale,
      staleSince: null,
      missedDigests: [],
      behind: 0,
    };
  }
  const missed = previous?.stale ? previous.missedDigests : [];
  const seen = missed.includes(latestDigest);
  const missedDigests = seen ? missed : [...missed, latestDigest].slice(-MAX_MISSED_DIGESTS);
  const behind = seen ? (previous?.behind ?? missed.length) : (previous?.stale ? previous.behind : 0) + 1;
  return {
    base: key,
    imageDigest,
    builtOnDigest,
    builtOnFrom,
    latestDigest,
    stale,
    staleSince: previous?.stale ? (previous.staleSince ?? now) : now,
    missedDigests,
    behind,
  };
}
