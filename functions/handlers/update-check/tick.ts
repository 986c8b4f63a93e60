/**
 * The update check's tick (core/checks/tick.ts decides it): check messages of one cycle for every track
 * and every registered cluster, so a slow registry or cluster delays only its own checks; check items of
 * deleted tracks forgotten. Admin's `POST /v1/checks` runs it too (the CheckTrigger port).
 */
import { randomUUID } from 'node:crypto';
import { sendAll } from '../../adapters/queue/send-all.ts';
import { planCheckTick, type TickScope, tickReads } from '../../core/checks/tick.ts';
import type { TickOutcome } from '../../core/checks/track-check.ts';
import type { Dependencies } from '../../core/dependencies.ts';
import type { Stores } from '../../core/stores.ts';

/** What the fan-out needs (without `clusters`, it fans out no drift checks). */
export type CheckTickDeps = Partial<Pick<Dependencies, 'clusters'>> &
  Pick<Dependencies, 'checkQueue' | 'now' | 'log'> & {
    stores: Pick<Stores, 'tracks' | 'checks' | 'clusters'>;
  };

/** Runs one tick: every track (or those in `scope.tracks`) and, unless only tracks are asked, every cluster. */
export async function runCheckTick(deps: CheckTickDeps, scope?: TickScope): Promise<TickOutcome> {
  const cycle = `${(deps.now ?? (() => new Date()))().toISOString()}-${randomUUID().slice(0, 8)}`;
  const { tracks, checks, clusters } = deps.stores;
  const reads = tickReads(scope, deps.clusters !== undefined);
  const plan = planCheckTick({
    cycle,
    scope,
    tracks: (await tracks.listTracks()).map((t) => t.name),
    checked: reads.forget ? (await checks.listTrackChecks()).map((c) => c.track) : [],
    clusters: reads.drift ? (await clusters.listClusters()).map((c) => c.id) : [],
  });
  await sendAll(deps.checkQueue, plan.messages);
  for (const track of plan.forget) await checks.deleteTrackCheck(track);
  const [tracksChecked, clustersChecked] = [plan.tracks.length, plan.clusters.length];
  const line = { cycle, tracks: tracksChecked, clusters: clustersChecked, forgotten: plan.forget };
  deps.log?.({ level: 'INFO', message: 'update check fanned out', ...line });
  return { cycle, tracks: plan.tracks, clusters: plan.clusters, forgotten: plan.forget };
}
