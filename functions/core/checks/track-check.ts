/**
 * What the update check remembers per track, and its rules: a failed resolution is counted and kept until
 * the next success; a resolved tag has "moved" when it differs from the last digest seen (before the first
 * check: from what the track last rolled out; a track never rolled out and never checked only records the
 * digest); the image's base is read once per image digest, re-resolved every check, and judged stale by
 * {@link assessBase}. The update-check handler does the reading and writing between these steps.
 */
import type { ImagePushed, RolloutRecord, Track } from '../model.ts';
import type { BaseImage } from './base-image.ts';
import { assessBase, type BaseStatus } from './staleness.ts';

/** What the last checks of a track found. */
export interface TrackCheck {
  track: string;
  /** When the tag was last resolved (successfully or not). */
  lastCheckedAt: string;
  /** The digest the tag pointed at when last resolved; null before the first success. */
  lastDigest: string | null;
  lastDigestAt: string | null;
  /** The last failure, cleared by the next success. */
  lastError: string | null;
  lastErrorAt: string | null;
  consecutiveFailures: number;
  /**
   * The last failure was the registry answering that the tag does not exist: a digest found later is the
   * tag's first, pushed after the track was created (absent on records written before this field).
   */
  tagAbsent?: boolean;
  /**
   * The registry's answer when image-push last failed to resolve a push of the track's tag (401, 500, …),
   * recorded at once (not when the message reaches the dead-letter queue); cleared when a push or a check
   * resolves the tag again. Absent on records written before this field.
   */
  pushError?: string | null;
  pushErrorAt?: string | null;
  /** The base the image at `baseOf` names (read once per image digest); null when it names none. */
  baseImage: BaseImage | null;
  /** The image digest `baseImage` was read from (with `#<label>` when the track names a base label). */
  baseOf: string | null;
  /** Why the base could not be read or resolved, if it could not. */
  baseError: string | null;
  base: BaseStatus | null;
  version: number;
}

/** A track that has never been checked (version 0: the first save creates it). */
export function emptyCheck(track: string): TrackCheck {
  return {
    track,
    lastCheckedAt: '',
    lastDigest: null,
    lastDigestAt: null,
    lastError: null,
    lastErrorAt: null,
    consecutiveFailures: 0,
    baseImage: null,
    baseOf: null,
    baseError: null,
    base: null,
    version: 0,
  };
}

/**
 * The tag could not be resolved: count the failure, keep everything else (the next cycle is the retry).
 * `notFound` when the registry answered that the tag does not exist.
 */
export function tagCheckFailed(
  previous: TrackCheck,
  error: string,
  now: string,
  notFound = false,
): TrackCheck {
  return {
    ...previous,
    tagAbsent: notFound && previous.lastDigest === null,
    lastCheckedAt: now,
    lastError: error,
    lastErrorAt: now,
    consecutiveFailures: previous.consecutiveFailures + 1,
  };
}

/** The digest of the track's newest rollout: what the fleet was last asked to run (null: none). */
export function lastRolledOutDigest(rollouts: Pick<RolloutRecord, 'createdAt' | 'image'>[]): string | null {
  if (rollouts.length === 0) return null;
  return rollouts.reduce((a, b) => (b.createdAt > a.createdAt ? b : a)).image.digest;
}

/**
 * The tag resolved to `digest`: whether a push must be sent, and the check with the digest recorded. A push
 * is sent when the tag moved since the last check (before the first: since the track's newest rollout), and
 * also when a push was lost: the track has rollouts but none of `digest`, or has none and the tag did not
 * exist when last checked (its first digest). A track whose tag already held `digest` before it was first
 * checked and that has no rollout only records it: creating a track does not roll out what its tag held.
 * A push sent again is harmless: image-push de-duplicates it and starts no second rollout.
 */
export function tagResolved(
  previous: TrackCheck,
  digest: string,
  now: string,
  rollouts: Pick<RolloutRecord, 'createdAt' | 'image'>[],
): { check: TrackCheck; moved: boolean; from: string | null; recovered: boolean } {
  const from = previous.lastDigest ?? lastRolledOutDigest(rollouts);
  const moved = from !== null && from !== digest;
  const missing =
    rollouts.length > 0 ? !rollouts.some((r) => r.image.digest === digest) : previous.tagAbsent === true;
  const { tagAbsent: _absent, ...kept } = previous;
  return {
    moved: moved || missing,
    recovered: missing && !moved,
    from,
    check: {
      ...kept,
      lastCheckedAt: now,
      lastDigest: digest,
      lastDigestAt: previous.lastDigest === digest ? previous.lastDigestAt : now,
      lastError: null,
      lastErrorAt: null,
      consecutiveFailures: 0,
      ...(previous.pushError ? { pushError: null, pushErrorAt: null } : {}),
    },
  };
}

/** The push a moved tag becomes: the same idempotent path a webhook takes (source `update-check`). */
export function updateCheckPush(track: Track, digest: string, cycle: string, now: string): ImagePushed {
  return {
    source: 'update-check',
    host: track.image.host,
    repository: track.image.repository,
    tag: track.image.tag,
    digestHint: digest,
    eventId: `update-check-${cycle}`,
    receivedAt: now,
  };
}

/** What the base is read from: the image digest (and the base label the track names, if any). */
export function baseSubject(track: Track, digest: string): string {
  return track.baseImageLabel ? `${digest}#${track.baseImageLabel}` : digest;
}

/** True when the base must be read (again): what an image says about its base never changes. */
export function needsBaseRead(check: TrackCheck, subject: string): boolean {
  return check.baseOf !== subject;
}

/**
 * Records what reading the image's base found. A broken reference stays broken for this digest (not read
 * again); an unavailable registry (`retryable`) is asked again next time.
 */
export function baseRead(
  check: TrackCheck,
  subject: string,
  read: { base: BaseImage | null } | { error: string; retryable: boolean },
): TrackCheck {
  if ('error' in read) {
    return {
      ...check,
      baseError: read.error,
      baseImage: null,
      base: null,
      baseOf: read.retryable ? null : subject,
    };
  }
  return { ...check, baseImage: read.base, baseOf: subject, baseError: null };
}

/** Records the base tag's digest now (or why it could not be resolved) and judges staleness. */
export function baseResolved(
  check: TrackCheck,
  imageDigest: string,
  latest: { digest: string } | { error: string },
  now: string,
): TrackCheck {
  if (check.baseImage === null) return { ...check, base: null };
  if ('error' in latest) return { ...check, baseError: `base ${latest.error}` };
  return {
    ...check,
    baseError: null,
    base: assessBase({
      previous: check.base,
      imageDigest,
      base: check.baseImage,
      latestDigest: latest.digest,
      now,
    }),
  };
}

/** The BaseImageUpdated event could not be published: said on the check; the next check publishes it. */
export function basePublishFailed(check: TrackCheck, error: string): TrackCheck {
  return { ...check, baseError: `BaseImageUpdated not published yet: ${error}` };
}

/** What one track check found (`moved`: an update-check push was sent; `published`: a BaseImageUpdated id). */
export type TrackCheckOutcome =
  | { outcome: 'gone'; track: string }
  | { outcome: 'failed'; track: string; error: string }
  | {
      outcome: 'checked';
      track: string;
      digest: string;
      moved: boolean;
      stale: boolean;
      published: string | null;
    };

/** What one tick of the update check sent: a cycle's track and drift checks, and check items forgotten. */
export interface TickOutcome {
  cycle: string;
  tracks: string[];
  clusters: string[];
  /** Check items of tracks that no longer exist, deleted. */
  forgotten: string[];
}

/** image-push could not resolve a pushed tag: the registry's answer, on the check of each following track. */
export function pushResolutionFailed(check: TrackCheck, error: string, now: string): TrackCheck {
  return { ...check, pushError: error, pushErrorAt: now };
}

/** The tag resolved again (a push or a check): a recorded push failure is over. */
export function pushResolutionRecovered(check: TrackCheck): TrackCheck {
  return { ...check, pushError: null, pushErrorAt: null };
}
