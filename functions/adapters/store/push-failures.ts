/**
 * A push image-push cannot resolve (registry 401, 500, …) is retried by its queue until it reaches the
 * dead-letter queue; so that the failure is visible at once, the registry's answer is recorded on the check
 * of every track following the tag (shown by `strata describe track` and `strata status`) and cleared when
 * the tag resolves again.
 */
import * as rules from '../../core/checks/index.ts';
import type { Stores } from '../../core/stores.ts';

/** Reads, changes and conditionally writes each track's check; a lost race is decided again. */
async function updateChecks(
  checks: Stores['checks'],
  tracks: readonly string[],
  change: (check: rules.TrackCheck) => rules.TrackCheck | null,
): Promise<void> {
  for (const track of tracks) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const check = (await checks.getTrackCheck(track)) ?? rules.emptyCheck(track);
      const next = change(check);
      if (next === null || (await checks.saveTrackCheck(next))) break;
    }
  }
}

/** Records `error` (the registry's answer) on the checks of `tracks`. */
export function recordPushFailure(
  checks: Stores['checks'],
  tracks: readonly string[],
  error: string,
  now: string,
): Promise<void> {
  return updateChecks(checks, tracks, (c) => rules.pushResolutionFailed(c, error, now));
}

/** Clears a recorded push failure on the checks of `tracks` (writes only where one is recorded). */
export function clearPushFailure(checks: Stores['checks'], tracks: readonly string[]): Promise<void> {
  return updateChecks(checks, tracks, (c) => (c.pushError ? rules.pushResolutionRecovered(c) : null));
}
