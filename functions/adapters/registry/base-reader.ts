/**
 * The update check's registry reads, with their failures as results (core/checks/track-check.ts records
 * them on the track, and the next cycle is the retry): what a tag points at now, and what a pinned image
 * says its base is.
 */
import { type BaseImage, baseImageOf } from '../../core/checks/base-image.ts';
import { BaseReferenceError } from '../../core/checks/errors.ts';
import { taggedReference } from '../../core/ingress/reference.ts';
import {
  type ImageMetadataReader,
  ManifestUnknownError,
  RegistryError,
  type ResolvedTag,
  type TaggedImage,
} from '../../core/registry.ts';

/**
 * The digest a resolution found, or why the registry could not say (after the client's own retries);
 * `notFound` when it answered that the tag does not exist.
 */
export async function digestOrError(
  resolve: Promise<ResolvedTag>,
): Promise<{ digest: string } | { error: string; notFound?: true }> {
  try {
    return { digest: (await resolve).digest };
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return { error: error.message, ...(error instanceof ManifestUnknownError ? { notFound: true } : {}) };
  }
}

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
