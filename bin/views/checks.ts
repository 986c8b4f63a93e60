/** Table cells of the update check for `strata get tracks` (what a track's last check found). */
import type { TrackCheckView } from '../../functions/core/checks/index.ts';
import { formatAge } from './age.ts';

function short(digest: string | null | undefined): string {
  return digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '-';
}

/** The cells the update check adds to a track's row. */
export interface TrackCheckCells {
  DIGEST: string;
  CHECKED: string;
  'STALE-BASE': string;
  BASE: string;
  'LATEST-BASE': string;
  'CHECK-ERROR': string;
}

/** Why pushes of the track's tag cannot be resolved right now, with since when; null when they can. */
export function pushFailure(check: TrackCheckView | undefined, now: Date): string | null {
  if (!check?.pushError) return null;
  const since = check.pushErrorAt ? ` (${formatAge(check.pushErrorAt, now)} ago)` : '';
  return `push resolution failing: ${check.pushError}${since}`;
}

/** The check cells of one track (`-` before its first check). */
export function trackCheckCells(check: TrackCheckView | undefined, now: Date): TrackCheckCells {
  if (!check) {
    return {
      DIGEST: '-',
      CHECKED: 'never',
      'STALE-BASE': '-',
      BASE: '-',
      'LATEST-BASE': '-',
      'CHECK-ERROR': '',
    };
  }
  const base = check.base;
  return {
    DIGEST: short(check.lastDigest),
    CHECKED: `${formatAge(check.lastCheckedAt, now)} ago${check.lastError !== null ? ' (failed)' : ''}`,
    'STALE-BASE': base?.stale
      ? `yes, ${base.behind} behind for ${formatAge(base.staleSince, now)}`
      : base
        ? 'no'
        : '-',
    BASE: base ? base.base : '-',
    'LATEST-BASE': base ? short(base.latestDigest) : '-',
    'CHECK-ERROR':
      check.lastError !== null
        ? `${check.lastError} (${check.consecutiveFailures}x)`
        : (check.baseError ?? ''),
  };
}
