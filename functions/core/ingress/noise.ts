/**
 * The noise filter: of everything registries announce, only a manifest pushed by tag can start a rollout.
 * Everything else (blob and pull events, deletes, untagged children, digest-like tags, attestations,
 * non-manifest media types) is dropped, and the reason is kept for logs.
 */
import { MAX_DELIVERY_ID_LENGTH, MAX_TAGS_PER_DELIVERY } from '../limits.ts';
import type { ImagePushed } from '../model.ts';
import { DeliveryRejectedError, MalformedPayloadError } from './errors.ts';
import type { PushHint } from './hint.ts';
import {
  HOST,
  isManifestMediaType,
  looksLikeDigest,
  REPOSITORY_NAME,
  SHA256_DIGEST,
  TAG,
} from './media-types.ts';
import { canonicalHost, canonicalRepository } from './reference.ts';

/** Why a hint was dropped. */
export type NoiseReason = 'not-a-push' | 'untagged' | 'digest-tag' | 'attestation' | 'not-a-manifest';

/** Outcome of filtering one delivery. */
export interface FilteredDelivery {
  pushes: ImagePushed[];
  dropped: { hint: PushHint; reason: NoiseReason }[];
}

/** The reason a hint is noise, or `null` when it is a tagged manifest push. */
export function noiseReason(hint: PushHint): NoiseReason | null {
  if (hint.action !== 'push') return 'not-a-push';
  if (hint.tag === null || hint.tag === '') return 'untagged';
  if (looksLikeDigest(hint.tag)) return 'digest-tag';
  if (hint.attestation) return 'attestation';
  if (hint.mediaType !== null && !isManifestMediaType(hint.mediaType)) return 'not-a-manifest';
  return null;
}

/**
 * Drops noise and turns the rest into `ImagePushed` (canonical host and repository). A kept hint with an
 * invalid host, repository, tag or digest is malformed, not noise: the whole delivery is refused. The same
 * tag announced several times in one delivery is one push (the first announcement's event id), so that it
 * is resolved once; a delivery announcing more than {@link MAX_TAGS_PER_DELIVERY} distinct tags, or an
 * event id longer than {@link MAX_DELIVERY_ID_LENGTH}, is refused whole (nothing is enqueued).
 * @throws MalformedPayloadError (400) for a malformed or over-long field; DeliveryRejectedError 413 for
 *   too many tags.
 */
export function filterNoise(
  source: string,
  hints: readonly PushHint[],
  receivedAt: string,
): FilteredDelivery {
  const out: FilteredDelivery = { pushes: [], dropped: [] };
  const seen = new Set<string>();
  for (const hint of hints) {
    if (hint.eventId !== null && hint.eventId.length > MAX_DELIVERY_ID_LENGTH) {
      throw new MalformedPayloadError(
        source,
        `delivery/event id is ${hint.eventId.length} characters long; the limit is ${MAX_DELIVERY_ID_LENGTH}`,
      );
    }
    const reason = noiseReason(hint);
    if (reason !== null) {
      out.dropped.push({ hint, reason });
      continue;
    }
    const tag = hint.tag as string;
    if (!HOST.test(hint.host))
      throw new MalformedPayloadError(source, `registry host "${hint.host}" is not a host`);
    const repository = canonicalRepository(hint.host, hint.repository);
    if (!REPOSITORY_NAME.test(repository)) {
      throw new MalformedPayloadError(
        source,
        `repository "${hint.repository}" is not a valid repository name`,
      );
    }
    if (!TAG.test(tag)) throw new MalformedPayloadError(source, `tag "${tag}" is not a valid tag`);
    const digestHint = hint.digestHint === null || hint.digestHint === '' ? null : hint.digestHint;
    if (digestHint !== null && !SHA256_DIGEST.test(digestHint)) {
      throw new MalformedPayloadError(source, `digest "${digestHint}" is not sha256:<64 hex>`);
    }
    const host = canonicalHost(hint.host);
    const key = `${host}/${repository}:${tag}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (seen.size > MAX_TAGS_PER_DELIVERY) {
      throw new DeliveryRejectedError(
        413,
        `${source}: the delivery announces more than ${MAX_TAGS_PER_DELIVERY} distinct tags (the limit per delivery)`,
      );
    }
    out.pushes.push({
      source,
      host,
      repository,
      tag,
      digestHint,
      eventId: hint.eventId,
      receivedAt,
    });
  }
  return out;
}
