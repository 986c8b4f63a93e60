/**
 * Starting a track's rollout for a pushed digest: core decides from the track's earlier rollouts
 * (`rolloutForTagAt`), the store creates the rollout only if its id is free. Two pushes racing for one id:
 * the loser reads again and decides again (its id then carries the next suffix, or it is a repeat).
 */
import type { Track } from '../../core/model.ts';
import type { Stores } from '../../core/stores.ts';
import { type PushDecision, rolloutForTagAt } from '../../core/tracks/match.ts';

/** Decides for one track and, for a start, creates the rollout; a concurrent creator of its id wins. */
export async function startTrackRollout(
  rollouts: Stores['rollouts'],
  track: Track,
  image: { host: string; repository: string; digest: string },
  source: string,
  now: () => Date,
): Promise<PushDecision> {
  for (let attempt = 1; ; attempt++) {
    const earlier = await rollouts.listRolloutsByTrack(track.name);
    const decision = rolloutForTagAt(track, image, source, now().toISOString(), earlier);
    if (decision.kind !== 'start' || (await rollouts.createRollout(decision.record)).created) return decision;
    if (attempt >= 3) throw new Error(`rollout ${decision.record.id}: created concurrently; retry the push`);
  }
}
