/**
 * Checks one track (core/checks/track-check.ts has the rules): re-resolves its tag, and a moved tag goes to
 * the image queue as an `update-check` push, the webhook's idempotent path; reads the image's base once
 * per image digest and re-resolves the base's tag; publishes one BaseImageUpdated per (track, base digest)
 * when the base moved on. Registry failures are recorded on the track: the next cycle is the retry.
 */
import { checkBase } from '../../adapters/registry/base-check.ts';
import { digestOrError } from '../../adapters/registry/base-reader.ts';
import * as rules from '../../core/checks/index.ts';
import type { Dependencies } from '../../core/dependencies.ts';
import type { Stores } from '../../core/stores.ts';

/** What a track check needs (`resolver` paced per host: adapters/registry/check-registry.ts). */
export type TrackCheckDeps = Pick<
  Dependencies,
  'resolver' | 'baseResolver' | 'metadata' | 'imageQueue' | 'publisher' | 'now' | 'log'
> & {
  stores: Pick<Stores, 'tracks' | 'checks' | 'rollouts'>;
  /** An image-config label naming the base, read when the annotations say nothing. */
  baseImageLabel?: string;
};

/** @throws on table or queue errors (the message is retried). */
export async function checkTrack(
  deps: TrackCheckDeps,
  name: string,
  cycle: string,
): Promise<rules.TrackCheckOutcome> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const { tracks, checks, rollouts } = deps.stores;
  const stored = await tracks.getTrack(name);
  if (stored === null) {
    await checks.deleteTrackCheck(name);
    return { outcome: 'gone', track: name };
  }
  const previous = (await checks.getTrackCheck(name)) ?? rules.emptyCheck(name);
  const resolved = await digestOrError(deps.resolver.resolveTag(stored.track.image));
  if ('error' in resolved) {
    await checks.saveTrackCheck(rules.tagCheckFailed(previous, resolved.error, now, resolved.notFound));
    deps.log?.({ level: 'WARN', message: 'track check failed', track: name, cycle, error: resolved.error });
    return { outcome: 'failed', track: name, error: resolved.error };
  }
  const { digest } = resolved;
  const tag = rules.tagResolved(previous, digest, now, await rollouts.listRolloutsByTrack(name));
  if (tag.moved) {
    await deps.imageQueue.send(rules.updateCheckPush(stored.track, digest, cycle, now));
    const message = tag.recovered ? 'push without rollout recovered' : 'tag moved';
    deps.log?.({ level: 'INFO', message, track: name, cycle, from: tag.from, to: digest });
  }
  const { check, published } = await checkBase(deps, stored.track, digest, tag.check, now, cycle);
  if (!(await checks.saveTrackCheck(check))) {
    deps.log?.({ level: 'INFO', message: 'a concurrent check of the track wrote first', track: name, cycle });
  }
  const stale = check.base?.stale ?? false;
  return { outcome: 'checked', track: name, digest, moved: tag.moved, stale, published };
}
