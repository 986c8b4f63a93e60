/**
 * The update check's registry reads, with their failures as results (core/checks/track-check.ts records
 * them on the track): what a pinned image says its base is, and what a tag points at now.
 */

import { type BaseImage, baseImageOf } from '../../core/checks/base-image.ts';
import { BaseReferenceError } from '../../core/checks/errors.ts';
import { taggedReference } from '../../core/ingress/reference.ts';
import {
  type CycleResolver,
  type ImageMetadataReader,
  RegistryError,
  type TaggedImage,
} from '../../core/registry.ts';

/**
 * The base the image `image@digest` names (annotations, or the config label `label`), or why it could not
 * be read: `retryable` for an unavailable registry, not for a broken reference.
 */
export async function readBase(
  metadata: ImageMetadataReader,
  image: TaggedImage,
  digest: string,
  label: string | undefined,
): Promise<{ base: BaseImage | null } | { error: string; retryable: boolean }> {
  try {
    const read = await metadata.read({ host: image.host, repository: image.repository, digest });
    return { base: baseImageOf(`${taggedReference(image)}@${digest}`, read, label) };
  } catch (error) {
    if (error instanceof RegistryError) return { error: error.message, retryable: error.retryable };
    if (error instanceof BaseReferenceError) return { error: error.message, retryable: false };
    throw error;
  }
}

/** The digest `image` points at now, or why it could not be resolved (shared within a check cycle). */
export async function resolveBase(
  resolver: CycleResolver,
  image: TaggedImage,
  cycle: string,
): Promise<{ digest: string } | { error: string }> {
  try {
    return { digest: (await resolver.resolveTag(image, cycle)).digest };
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return { error: error.message };
  }
}
