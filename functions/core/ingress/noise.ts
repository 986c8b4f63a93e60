/**
 * The noise filter: of everything registries announce, only a manifest pushed by tag can start a rollout.
 * Everything else (blob and pull events, deletes, untagged children, digest-like tags, attestations,
 * non-manifest media types) is dropped, and the reason is kept for logs.
 */
import type { ImagePushed } from '../model.ts';
import { MalformedPayloadError } from './errors.ts';
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
 * invalid host, repository, tag or digest is malformed, not noise: the whole delivery is refused.
 * @throws MalformedPayloadError
 */
export function filterNoise(
  source: string,
  hints: readonly PushHint[],
  receivedAt: string,
): FilteredDelivery {
  const out: FilteredDelivery = { pushes: [], dropped: [] };
  for (const hint of hints) {
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
    out.pushes.push({
      source,
      host: canonicalHost(hint.host),
      repository,
      tag,
      digestHint,
      eventId: hint.eventId,
      receivedAt,
    });
  }
  return out;
}
