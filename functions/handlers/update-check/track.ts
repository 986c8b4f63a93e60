/**
 * Checks one track (core/checks/track-check.ts has the rules): re-resolves its tag, and a moved tag goes to
 * the image queue as an `update-check` push, the webhook's idempotent path; reads the image's base once
 * per image digest and re-resolves the base's tag; publishes one BaseImageUpdated per (track, base digest)
 * when the base moved on. Registry failures are recorded on the track: the next cycle is the retry.
 */
import { readBase, resolveBase } from '../../adapters/registry/base-reader.ts';
import * as rules from '../../core/checks/index.ts';
import type { Dependencies } from '../../core/dependencies.ts';
import { taggedReference } from '../../core/ingress/reference.ts';
import type { Track } from '../../core/model.ts';
import { RegistryError } from '../../core/registry.ts';
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
  let digest: string;
  try {
    digest = (await deps.resolver.resolveTag(stored.track.image)).digest;
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    await checks.saveTrackCheck(rules.tagCheckFailed(previous, error.message, now));
    deps.log?.({ level: 'WARN', message: 'track check failed', track: name, cycle, error: error.message });
    return { outcome: 'failed', track: name, error: error.message };
  }
  const reference = rules.needsRolloutReference(previous) ? await rollouts.listRolloutsByTrack(name) : [];
  const { check, moved, from } = rules.tagResolved(
    previous,
    digest,
    now,
    rules.lastRolledOutDigest(reference),
  );
  if (moved) {
    await deps.imageQueue.send(rules.updateCheckPush(stored.track, digest, cycle, now));
    deps.log?.({ level: 'INFO', message: 'tag moved', track: name, cycle, from, to: digest });
  }
  const checked = await checkBase(deps, stored.track, digest, check, now, cycle);
  if (!(await checks.saveTrackCheck(checked.check))) {
    deps.log?.({ level: 'INFO', message: 'a concurrent check of the track wrote first', track: name, cycle });
  }
  const stale = checked.check.base?.stale ?? false;
  return { outcome: 'checked', track: name, digest, moved, stale, published: checked.published };
}

/** Reads the image's base (once per image digest), re-resolves it, judges it; publishes if stale. */
async function checkBase(
  deps: TrackCheckDeps,
  track: Track,
  digest: string,
  resolved: rules.TrackCheck,
  now: string,
  cycle: string,
): Promise<{ check: rules.TrackCheck; published: string | null }> {
  let check = resolved;
  const subject = rules.baseSubject(track, digest);
  if (rules.needsBaseRead(check, subject)) {
    const read = await readBase(
      deps.metadata,
      track.image,
      digest,
      track.baseImageLabel ?? deps.baseImageLabel,
    );
    check = rules.baseRead(check, subject, read);
    if ('error' in read) return { check, published: null };
  }
  // The image names no base: nothing to judge.
  if (check.baseImage === null) return { check: { ...check, base: null }, published: null };
  const resolver = deps.baseResolver ?? { resolveTag: (i: Track['image']) => deps.resolver.resolveTag(i) };
  check = rules.baseResolved(check, digest, await resolveBase(resolver, check.baseImage, cycle), now);
  const event =
    check.base && rules.baseImageUpdatedEvent(track.name, taggedReference(track.image), check.base, now);
  if (!event || (await deps.stores.checks.logBaseEvent(event)) === 'published')
    return { check, published: null };
  try {
    await deps.publisher.publish(event);
  } catch (error) {
    check = rules.basePublishFailed(check, (error as Error).message);
    deps.log?.({
      level: 'WARN',
      message: 'event publish failed',
      track: track.name,
      cycle,
      error: check.baseError,
    });
    return { check, published: null };
  }
  await deps.stores.checks.markBaseEventPublished(event.id, now);
  deps.log?.({ level: 'INFO', message: 'base image updated', track: track.name, cycle, event: event.id });
  return { check, published: event.id };
}
