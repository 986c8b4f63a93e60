/** What the admin API carries of the update checks: a track's last check, and drift findings. */
import type { DriftFinding } from './drift.ts';
import type { BaseStatus } from './staleness.ts';

/** What `GET /v1/tracks` carries per track under `check`. */
export interface TrackCheckView {
  lastCheckedAt: string;
  lastDigest: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  baseError: string | null;
  base: BaseStatus | null;
  /** The registry's answer when image-push last failed to resolve a push of the tag (cleared on success). */
  pushError?: string | null;
  pushErrorAt?: string | null;
}

/** A drift finding as `GET /v1/drift` lists it. */
export interface DriftView extends DriftFinding {
  since: string;
  checkedAt: string;
}
