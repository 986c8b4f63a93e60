/**
 * The update check's tick: one check-queue message per track (all, or the ones named) and one drift
 * message per registered cluster, all of one cycle, so a slow registry or cluster delays only its own
 * checks. It also forgets the check items of deleted tracks. Admin's `POST /v1/checks` runs it too, through
 * the CheckTrigger port the wiring gives it.
 */
import { randomUUID } from 'node:crypto';
import { sendAll } from '../../adapters/queue/send-all.ts';
import type { TickOutcome } from '../../core/checks/track-check.ts';
import type { Dependencies } from '../../core/dependencies.ts';
import type { Stores } from '../../core/stores.ts';

/** What the fan-out needs (without `clusters`, it fans out no drift checks). */
export type CheckTickDeps = Partial<Pick<Dependencies, 'clusters'>> &
  Pick<Dependencies, 'checkQueue' | 'now' | 'log'> & {
    stores: Pick<Stores, 'tracks' | 'checks' | 'clusters'>;
  };

/** Runs one tick: every track (or those in `only.tracks`) and, unless only tracks are asked for, every cluster. */
export async function runCheckTick(
  deps: CheckTickDeps,
  only?: { tracks?: string[]; drift?: boolean },
): Promise<TickOutcome> {
  const cycle = `${(deps.now ?? (() => new Date()))().toISOString()}-${randomUUID().slice(0, 8)}`;
  const { tracks: trackStore, checks, clusters: clusterStore } = deps.stores;
  const all = await trackStore.listTracks();
  const tracks = (only?.tracks ? all.filter((t) => only.tracks!.includes(t.name)) : all).map((t) => t.name);
  await sendAll(
    deps.checkQueue,
    tracks.map((track) => ({ kind: 'track', track, cycle })),
  );
  const forgotten: string[] = [];
  if (!only?.tracks) {
    const names = new Set(all.map((t) => t.name));
    for (const check of await checks.listTrackChecks()) {
      if (names.has(check.track)) continue;
      await checks.deleteTrackCheck(check.track);
      forgotten.push(check.track);
    }
  }
  const clusters: string[] = [];
  if (deps.clusters && (only?.drift ?? !only?.tracks)) {
    for (const c of await clusterStore.listClusters()) clusters.push(c.id);
    await sendAll(
      deps.checkQueue,
      clusters.map((clusterId) => ({ kind: 'drift', clusterId, cycle })),
    );
  }
  deps.log?.({
    level: 'INFO',
    message: 'update check fanned out',
    cycle,
    tracks: tracks.length,
    clusters: clusters.length,
    forgotten,
  });
  return { cycle, tracks, clusters, forgotten };
}
