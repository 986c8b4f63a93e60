/**
 * Where a layered image says it was built from: the OCI annotations `org.opencontainers.image.base.name`
 * and `org.opencontainers.image.base.digest` (image-spec annotations.md) on the manifest or index, or a
 * label in the image config that a track names.
 */

import { SHA256_DIGEST } from '../ingress/media-types.ts';
import { type ImageReference, InvalidReferenceError, parseImageReference } from '../ingress/reference.ts';
import { BaseReferenceError } from './errors.ts';

/** The OCI pre-defined annotation keys for the base image. */
export const BaseAnnotations = {
  name: 'org.opencontainers.image.base.name',
  digest: 'org.opencontainers.image.base.digest',
} as const;

/** The base an image was built from: a tag to re-resolve and the digest the build used (if recorded). */
export interface BaseImage {
  /** The base's tag, canonical (`host/repository:tag`), re-resolved by each check. */
  host: string;
  repository: string;
  tag: string;
  /** The base digest the build used; null when the image records only the name. */
  builtOnDigest: string | null;
  /** Where it was read: `annotation` (manifest or index) or `label:<key>` (image config). */
  source: string;
}

/** What a manifest read yields: annotations of the tag's manifest or index, and the config's labels. */
export interface ImageMetadata {
  annotations: Record<string, string>;
  /** Labels of the image config (of the first platform image for an index); empty when not read. */
  labels: Record<string, string>;
}

function parseBaseName(image: string, key: string, value: string): ImageReference & { tag: string } {
  let ref: ImageReference;
  try {
    ref = parseImageReference(value);
  } catch (error) {
    if (error instanceof InvalidReferenceError) throw new BaseReferenceError(image, key, error.message);
    throw error;
  }
  // `name` may carry a digest too (`repo:tag@sha256:…`); the tag is what moves, so a tag is required.
  if (ref.tag === null) {
    throw new BaseReferenceError(image, key, `"${value}" names no tag, so there is nothing to re-resolve`);
  }
  return { ...ref, tag: ref.tag };
}

/**
 * The base of an image from its metadata: the annotations first, then `labelKey` (a label holding
 * `repo:tag` or `repo:tag@digest`) when given, then the same two OCI keys used as labels. `null` when the
 * image says nothing about its base.
 * @throws BaseReferenceError when a base is named but cannot be used (no tag, a malformed digest).
 */
export function baseImageOf(image: string, metadata: ImageMetadata, labelKey?: string): BaseImage | null {
  const candidates: { source: string; name: string | undefined; digest: string | undefined; key: string }[] =
    [
      {
        source: 'annotation',
        name: metadata.annotations[BaseAnnotations.name],
        digest: metadata.annotations[BaseAnnotations.digest],
        key: BaseAnnotations.name,
      },
    ];
  if (labelKey !== undefined) {
    candidates.push({
      source: `label:${labelKey}`,
      name: metadata.labels[labelKey],
      digest: undefined,
      key: labelKey,
    });
  }
  candidates.push({
    source: `label:${BaseAnnotations.name}`,
    name: metadata.labels[BaseAnnotations.name],
    digest: metadata.labels[BaseAnnotations.digest],
    key: BaseAnnotations.name,
  });
  for (const c of candidates) {
    if (c.name === undefined || c.name.trim() === '') continue;
    const ref = parseBaseName(image, c.key, c.name);
    const digest = c.digest ?? ref.digest ?? null;
    if (digest !== null && !SHA256_DIGEST.test(digest)) {
      throw new BaseReferenceError(image, BaseAnnotations.digest, `"${digest}" is not sha256:<64 hex>`);
    }
    return {
      host: ref.host,
      repository: ref.repository,
      tag: ref.tag,
      builtOnDigest: digest,
      source: c.source,
    };
  }
  return null;
}

/** `host/repository:tag` of a base. */
export function baseKey(base: Pick<BaseImage, 'host' | 'repository' | 'tag'>): string {
  return `${base.host}/${base.repository}:${base.tag}`;
}
