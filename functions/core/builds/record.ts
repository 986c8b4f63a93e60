/**
 * A build as stored and shown (docs/builds.md), apart from the rules that change it (build.ts): views,
 * the dashboard included, import it without the build code.
 */
import type { Architecture, PinnedImage } from '../model.ts';

/** A build's state. */
export type BuildStatus = 'Prepared' | 'Building' | 'Succeeded' | 'Interrupted' | 'Failed';

/** Every state, in `strata get builds` column order. */
export const BUILD_STATES: readonly BuildStatus[] = [
  'Prepared',
  'Building',
  'Succeeded',
  'Interrupted',
  'Failed',
];

/** One build of a track (stored; see docs/builds.md). */
export interface BuildRecord {
  id: string;
  track: string;
  revision: string;
  arch: Architecture;
  release: string;
  /** The base the build is `FROM`, pinned. */
  base: PinnedImage;
  /** The base stream's tag (`host/repository:tag`), the base name the image is labelled with. */
  baseName: string;
  /** Where it is pushed. */
  target: { host: string; repository: string; tag: string };
  /** The clusters this build is for (on its base when it was planned). */
  clusters: string[];
  status: BuildStatus;
  /** Attempts started so far. */
  attempts: number;
  maxAttempts: number;
  /** The pushed image's digest (Succeeded). */
  digest: string | null;
  /** Why the last attempt failed or was interrupted. */
  error: string | null;
  /** The last lines of the failed attempt's log. */
  logTail: string[] | null;
  /** A rebuild on a moved base waiting for approval (the track's `rebuild: approval`): no attempt starts. */
  awaitingApproval?: boolean;
  /** When `strata prune` deleted its tag from the registry: the image is gone, the record stays as history. */
  prunedAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}
