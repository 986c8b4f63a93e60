/**
 * The update check's tick, decided: one check message per track (all, or the ones named) and one drift
 * message per cluster, all of one cycle; and the check items of tracks that no longer exist, to forget.
 */
import type { CheckQueueMessage } from '../messages.ts';

/** What a tick is asked for: some tracks only (no drift unless `drift`), or everything. */
export interface TickScope {
  tracks?: string[];
  drift?: boolean;
}

/** Whether the tick forgets stale check items and checks drift (it does not when only tracks are asked for). */
export function tickReads(scope: TickScope | undefined, hasClusterAccess: boolean) {
  return { forget: !scope?.tracks, drift: hasClusterAccess && (scope?.drift ?? !scope?.tracks) };
}

/** The tick's messages and the check items to forget. */
export function planCheckTick(input: {
  cycle: string;
  scope: TickScope | undefined;
  /** Every track's name. */
  tracks: string[];
  /** Tracks with a check item (read only when forgetting). */
  checked: string[];
  /** Registered cluster ids (read only for drift). */
  clusters: string[];
}): { messages: CheckQueueMessage[]; tracks: string[]; clusters: string[]; forget: string[] } {
  const { cycle, scope, clusters } = input;
  const tracks = scope?.tracks ? input.tracks.filter((t) => scope.tracks!.includes(t)) : input.tracks;
  return {
    messages: [
      ...tracks.map((track) => ({ kind: 'track' as const, track, cycle })),
      ...clusters.map((clusterId) => ({ kind: 'drift' as const, clusterId, cycle })),
    ],
    tracks,
    clusters,
    forget: input.checked.filter((t) => !input.tracks.includes(t)),
  };
}
