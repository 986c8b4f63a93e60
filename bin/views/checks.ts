/** Table cells of the update checks for `strata get tracks` and `strata get drift`. */
import type { DriftView, TrackCheckView } from '../../functions/core/checks/index.ts';
import { formatAge } from './age.ts';

/** Columns the update check adds to the tracks table. */
export const TRACK_CHECK_COLUMNS = {
  narrow: ['DIGEST', 'CHECKED', 'STALE-BASE'],
  wide: ['BASE', 'CHECK-ERROR'],
} as const;

/** Columns of the drift table. */
export const DRIFT_COLUMNS = {
  narrow: ['CLUSTER', 'POOL', 'KIND', 'SUBJECT', 'EXPECTED', 'ACTUAL', 'SINCE'],
  wide: ['CAUSE'],
} as const;

function short(digest: string | null | undefined): string {
  return digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '-';
}

/** The check cells of one track (`-` before its first check). */
export function trackCheckCells(check: TrackCheckView | undefined, now: Date): Record<string, string> {
  if (!check) return { DIGEST: '-', CHECKED: 'never', 'STALE-BASE': '-', BASE: '-', 'CHECK-ERROR': '' };
  const base = check.base;
  return {
    DIGEST: short(check.lastDigest),
    CHECKED: `${formatAge(check.lastCheckedAt, now)} ago`,
    'STALE-BASE': base?.stale
      ? `yes, ${base.behind} behind for ${formatAge(base.staleSince, now)} (now ${short(base.latestDigest)})`
      : base
        ? 'no'
        : '-',
    BASE: base ? base.base : '-',
    'CHECK-ERROR':
      check.lastError !== null
        ? `${check.lastError} (${check.consecutiveFailures}x)`
        : (check.baseError ?? ''),
  };
}

/** One row of the drift table. */
export function driftRow(f: DriftView, now: Date): Record<string, string> {
  return {
    CLUSTER: f.clusterId,
    POOL: f.pool,
    KIND: f.kind,
    SUBJECT: f.subject,
    EXPECTED: f.expected ?? '-',
    ACTUAL: f.actual ?? '-',
    SINCE: formatAge(f.since, now),
    CAUSE: f.cause,
  };
}
