/** The `BaseImageUpdated` event: a track's image is built on a base whose tag has moved on; rebuild it. */
import type { BaseStatus } from './staleness.ts';

/** EventBridge `source` and `detail-type` of the event. */
export const BASE_IMAGE_UPDATED = { source: 'strata.update-check', detailType: 'BaseImageUpdated' } as const;

/** What a CI pipeline needs to rebuild the track's image on the new base. */
export interface BaseImageUpdated {
  /** Deterministic: one per (track, base digest). See {@link baseImageUpdatedId}. */
  id: string;
  track: string;
  /** The track's followed image, `host/repository:tag`. */
  image: string;
  /** The digest that image has now (the one built on the old base). */
  imageDigest: string;
  /** The base tag, `host/repository:tag`. */
  base: string;
  builtOnDigest: string;
  /** What the base tag points at now: rebuild on this. */
  baseDigest: string;
  /** Base digests published since the build. */
  behind: number;
  staleSince: string;
  detectedAt: string;
}

/** A BaseImageUpdated event as the event log keeps it (the publish-once claim). */
export interface LoggedBaseEvent {
  event: BaseImageUpdated;
  published: boolean;
  publishedAt: string | null;
}

/** The event id for (track, base digest): publishing it twice is recognisably the same event. */
export function baseImageUpdatedId(track: string, baseDigest: string): string {
  return `base-updated-${track}-${baseDigest.replace(/^sha256:/, '').slice(0, 16)}`;
}

/** The event for a stale status, or null when the base is current. */
export function baseImageUpdatedEvent(
  track: string,
  image: string,
  status: BaseStatus,
  detectedAt: string,
): BaseImageUpdated | null {
  if (!status.stale) return null;
  return {
    id: baseImageUpdatedId(track, status.latestDigest),
    track,
    image,
    imageDigest: status.imageDigest,
    base: status.base,
    builtOnDigest: status.builtOnDigest,
    baseDigest: status.latestDigest,
    behind: status.behind,
    staleSince: status.staleSince ?? detectedAt,
    detectedAt,
  };
}
