/**
 * The base half of a track check (functions/handlers/update-check/track.ts): reads the image's base once
 * per image digest, re-resolves the base's tag, judges it (core/checks) and publishes one BaseImageUpdated
 * per (track, base digest) when the base moved on. Registry and publish failures are recorded on the check.
 */
import * as rules from '../../core/checks/index.ts';
import type { Dependencies } from '../../core/dependencies.ts';
import { taggedReference } from '../../core/ingress/reference.ts';
import type { Track } from '../../core/model.ts';
import type { Stores } from '../../core/stores.ts';
import { publishOnce } from '../events/publish-once.ts';
import { digestOrError, readBase } from './base-reader.ts';

/** What the base check needs. */
export type BaseCheckDeps = Pick<
  Dependencies,
  'resolver' | 'baseResolver' | 'metadata' | 'publisher' | 'log'
> & {
  stores: Pick<Stores, 'checks'>;
  /** An image-config label naming the base, read when the annotations say nothing. */
  baseImageLabel?: string;
};

/** Reads the image's base (once per image digest), re-resolves it, judges it; publishes if stale. */
export async function checkBase(
  deps: BaseCheckDeps,
  track: Track,
  digest: string,
  resolved: rules.TrackCheck,
  now: string,
  cycle: string,
): Promise<{ check: rules.TrackCheck; published: string | null }> {
  let check = resolved;
  const subject = rules.baseSubject(track, digest);
  if (rules.needsBaseRead(check, subject)) {
    const label = track.baseImageLabel ?? deps.baseImageLabel;
    const read = await readBase(deps.metadata, track.image, digest, label);
    check = rules.baseRead(check, subject, read);
    if ('error' in read) return { check, published: null };
  }
  // The image names no base: nothing to judge.
  if (check.baseImage === null) return { check: { ...check, base: null }, published: null };
  const base = check.baseImage;
  const latest = deps.baseResolver
    ? deps.baseResolver.resolveTag(base, cycle)
    : deps.resolver.resolveTag(base);
  check = rules.baseResolved(check, digest, await digestOrError(latest), now);
  const image = taggedReference(track.image);
  const event = check.base && rules.baseImageUpdatedEvent(track.name, image, check.base, now);
  const outcome = event ? await publishOnce(deps.stores.checks, deps.publisher, event, now) : 'skipped';
  if (typeof outcome === 'object') {
    check = rules.basePublishFailed(check, outcome.error);
    deps.log?.({
      level: 'WARN',
      message: 'event publish failed',
      track: track.name,
      cycle,
      error: check.baseError,
    });
  }
  if (outcome !== 'published') return { check, published: null };
  deps.log?.({ level: 'INFO', message: 'base image updated', track: track.name, cycle, event: event!.id });
  return { check, published: event!.id };
}
